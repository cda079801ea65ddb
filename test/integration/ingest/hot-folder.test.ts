import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { engineRepositories } from '../../../src/core/index.js';
import { basename, join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine, EventSession } from '../../../src/core/index.js';
import type { Photo } from '../../../src/store/index.js';
import { makeSmallPhoto, samplePhotoPaths, uniqueVariant } from '../../fixtures/camera-photos.js';
import { simulateTetherSession, simulateTetherWrite, type TetherStyle } from '../../fixtures/tether-simulator.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

let photos: Buffer[];
let root: string;
let hot: string;
let engine: Engine;
let session: EventSession;

beforeAll(async () => {
  photos = await Promise.all(Array.from({ length: 12 }, (_, i) => makeSmallPhoto(samplePhotoPaths()[i % 6]!, 1600, i + 1)));
}, 120_000);

beforeEach(async () => {
  root = await makeTempDir();
  hot = join(root, 'EOS Utility', 'Wedding 2026');
  await mkdir(hot, { recursive: true });
  engine = await startTestEngine(join(root, 'data'), 'watch', {
    // Keep the "gave up waiting" paths short enough for a test; the logic is the same.
    ingest: { truncatedAfterMs: 2_000, unmarkedStableForMs: 1_000 },
  });
  session = await engine.openEvent('wedding');
  await session.hotFolders.add(hot);
});

afterEach(async () => {
  await engine.stop();
  await removeDir(root);
});

const allPhotos = (): Photo[] => engineRepositories(engine).photos.listPhotos(session.event.id, { limit: 10_000 });
const readyCount = (): number => engineRepositories(engine).photos.countPhotos(session.event.id).ready;

describe('watching a hot folder', () => {
  it.each<TetherStyle>(['direct-chunks', 'temp-then-rename', 'hidden-then-rename', 'ftp-slow', 'copy-whole'])(
    'takes each photo exactly once, complete, when the tool writes it like this: %s',
    async (style) => {
      const batch = photos.slice(0, 4);
      const landed = await simulateTetherSession(batch, hot, { style, ratePerSecond: 4, chunkDurationMs: 600 });
      await waitFor(() => readyCount() === batch.length && engineRepositories(engine).jobs.queueDepth() === 0, 'all photos ready');
      const rows = allPhotos();
      expect(rows).toHaveLength(batch.length);
      expect(rows.map((p) => p.status)).toEqual(batch.map(() => 'ready'));
      expect(rows.map((p) => basename(p.path)).sort()).toEqual(landed.map((l) => basename(l.path)).sort());
      // Complete: the recorded size is the whole file, never a partial read.
      for (const p of rows) expect(batch.map((b) => b.length)).toContain(p.sizeBytes);
      expect(engineRepositories(engine).photos.countPhotos(session.event.id).failed).toBe(0);
    },
  );

  it('records a rename by the tethering tool as a duplicate and follows the photo to its new name', async () => {
    await writeFile(join(hot, 'IMG_0001.JPG'), photos[0]!);
    await waitFor(() => readyCount() === 1, 'first photo ready');
    await rename(join(hot, 'IMG_0001.JPG'), join(hot, 'Smith_Wedding_0001.JPG'));
    await waitFor(() => engineRepositories(engine).photos.countPhotos(session.event.id).duplicates === 1, 'rename seen');
    const [photo] = allPhotos();
    expect(photo?.path).toBe(join(hot, 'Smith_Wedding_0001.JPG'));
    expect(allPhotos()).toHaveLength(1);
  });

  it('records a copy of the same bytes in a sub-folder as a duplicate, not a new photo', async () => {
    await writeFile(join(hot, 'IMG_0002.JPG'), photos[1]!);
    await mkdir(join(hot, 'backup'));
    await writeFile(join(hot, 'backup', 'IMG_0002 copy.JPG'), photos[1]!);
    await waitFor(
      () => engineRepositories(engine).photos.countPhotos(session.event.id).duplicates === 1 && readyCount() === 1,
      'copy seen',
    );
    expect(allPhotos()).toHaveLength(1);
  });

  it('reports a file that stops growing without its end marker as truncated, and keeps watching', async () => {
    await writeFile(join(hot, 'IMG_0003.JPG'), photos[2]!.subarray(0, 200_000));
    await waitFor(() => engineRepositories(engine).photos.countPhotos(session.event.id).failed === 1, 'truncation reported', 15_000);
    expect(engine.status('wedding')?.errors[0]?.error).toMatch(/IMG_0003\.JPG: truncated/);
    await writeFile(join(hot, 'IMG_0004.JPG'), photos[3]!);
    await waitFor(() => readyCount() === 1, 'the next photo still processed');
  });

  it('takes a file that was reported truncated once the tool finishes writing it', async () => {
    const path = join(hot, 'IMG_0005.JPG');
    await writeFile(path, photos[4]!.subarray(0, 100_000));
    await waitFor(() => engineRepositories(engine).photos.countPhotos(session.event.id).failed === 1, 'truncation reported', 15_000);
    await writeFile(path, photos[4]!);
    await waitFor(() => readyCount() === 1, 'completed file taken');
    expect(engineRepositories(engine).photos.countPhotos(session.event.id)).toMatchObject({ total: 1, failed: 0, ready: 1 });
  });

  it('reports a file that vanishes before it could be read, and loses nothing else', async () => {
    const path = join(hot, 'IMG_0013.JPG');
    await writeFile(path, photos[0]!.subarray(0, 50_000));
    await waitFor(() => session.intake.pending() === 1, 'file being followed');
    await rm(path);
    await writeFile(join(hot, 'IMG_0014.JPG'), photos[1]!);
    await waitFor(
      () => readyCount() === 1 && engineRepositories(engine).photos.countPhotos(session.event.id).failed === 1,
      'vanish reported',
    );
    expect(engine.status('wedding')?.errors[0]?.error).toMatch(/IMG_0013\.JPG: the file vanished before it could be read/);
  });

  it('reports a symbolic link loop on its own row and keeps going', async () => {
    await symlink(join(hot, 'loop.jpg'), join(hot, 'loop.jpg'));
    await writeFile(join(hot, 'IMG_0006.JPG'), photos[5]!);
    await waitFor(
      () => readyCount() === 1 && engineRepositories(engine).photos.countPhotos(session.event.id).failed === 1,
      'loop reported',
    );
    expect(engine.status('wedding')?.errors[0]?.error).toMatch(/loop\.jpg: symbolic link loop/);
  });

  it('shows the folder offline when it is deleted or its drive unplugged, and resumes when it is back', async () => {
    await writeFile(join(hot, 'IMG_0007.JPG'), photos[6]!);
    await waitFor(() => readyCount() === 1, 'first photo');
    await rm(hot, { recursive: true });
    await waitFor(() => engine.status('wedding')?.sources[0]?.state === 'offline', 'folder offline', 15_000);
    expect(engine.status('wedding')?.sources[0]?.error).toMatch(/Wedding 2026.*resumes watching it when it is back/);
    // The photo already taken is not lost because its folder went away.
    expect(readyCount()).toBe(1);
    // The card goes back in with a photo shot meanwhile.
    await mkdir(hot, { recursive: true });
    await writeFile(join(hot, 'IMG_0008.JPG'), photos[7]!);
    await waitFor(() => engine.status('wedding')?.sources[0]?.state === 'watching', 'folder back', 15_000);
    await waitFor(() => readyCount() === 2, 'photo from the returned folder');
    await writeFile(join(hot, 'IMG_0009.JPG'), photos[8]!);
    await waitFor(() => readyCount() === 3, 'watching again');
  });

  it('handles unicode, spaces and deep dated sub-folders in names', async () => {
    const deep = join(hot, '2026-11-23', 'Céremonie à l’église', 'カメラ 2');
    await mkdir(deep, { recursive: true });
    await simulateTetherWrite(photos[9]!, deep, 'Zoë & Paweł 0001.jpg', 'direct-chunks', { durationMs: 300 });
    await waitFor(() => readyCount() === 1, 'unicode photo ready');
    expect(allPhotos()[0]?.fileName).toBe('Zoë & Paweł 0001.jpg');
  });

  it('gets a frame just shot ready before a backlog found at start-up is through', async () => {
    await engine.stop();
    const backlog = 120;
    const base = await makeSmallPhoto(samplePhotoPaths()[3]!, 2400, 42);
    await mkdir(join(hot, 'card'), { recursive: true });
    for (let i = 0; i < backlog; i++) {
      await writeFile(join(hot, 'card', `OLD_${String(i).padStart(4, '0')}.JPG`), uniqueVariant(base, i));
    }
    // One worker thread, so the backlog takes seconds even on a fast machine.
    engine = await startTestEngine(join(root, 'data'), 'watch', { pipeline: { workers: 1 } });
    session = await engine.openEvent('wedding');
    await session.hotFolders.start();
    await waitFor(() => readyCount() >= 1, 'the backlog to start');
    await writeFile(join(hot, 'LIVE_0001.JPG'), uniqueVariant(photos[0]!, 9999));
    const live = await waitFor(
      () => allPhotos().find((p) => p.fileName === 'LIVE_0001.JPG' && p.status === 'ready'),
      'the live frame to be ready',
    );
    const backlogReadyThen = allPhotos().filter(
      (p) => p.fileName.startsWith('OLD_') && p.readyAt !== null && p.readyAt <= live.readyAt!,
    ).length;
    // The live frame jumps the queue: most of the backlog is still waiting when it is ready.
    expect(backlogReadyThen).toBeLessThan(backlog / 2);
    await waitFor(() => readyCount() === backlog + 1, 'the backlog to finish too', 120_000);
  });

  it('finds photos that arrived while the app was off when it starts again', async () => {
    await writeFile(join(hot, 'IMG_0010.JPG'), photos[9]!);
    await waitFor(() => readyCount() === 1, 'first photo');
    await engine.stop();
    await writeFile(join(hot, 'IMG_0011.JPG'), photos[10]!);
    await writeFile(join(hot, 'IMG_0012.JPG'), photos[11]!);
    engine = await startTestEngine(join(root, 'data'), 'watch');
    session = await engine.openEvent('wedding');
    await session.hotFolders.start();
    await waitFor(() => readyCount() === 3, 'photos from while the app was off');
    expect(allPhotos()).toHaveLength(3);
  });
});
