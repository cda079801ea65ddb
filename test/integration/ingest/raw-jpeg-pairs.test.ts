// Shooting RAW+JPEG: the camera or tether tool writes IMG_0412.CR3 and IMG_0412.JPG side by side,
// in either order, seconds apart, or into two card folders. Each capture must be one photo, made
// from the JPEG, with the RAW kept beside it, whatever the order, a restart or a re-import.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engineRepositories, type Admission, type Engine, type EventSession } from '../../../src/core/index.js';
import type { Photo, PhotoFile } from '../../../src/store/index.js';
import { makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeCr3, makeTiffRaw } from '../../fixtures/raw-files.js';
import { parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { startTestEngine } from '../../support/engine.js';
import { WITHOUT_FACES, writeSettings } from '../../support/settings.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

/** A capture: the camera's JPEG and a RAW whose embedded preview is that JPEG (as Canon and Nikon write them). */
interface Capture {
  jpeg: Buffer;
  cr3: Buffer;
  nef: Buffer;
}

let captures: Capture[];
let root: string;
let hot: string;
let engine: Engine | undefined;
let session: EventSession;
let admissions: { path: string; admission: Admission }[];

beforeAll(async () => {
  captures = await Promise.all(
    samplePhotoPaths()
      .slice(0, 4)
      .map(async (sample, i) => {
        const jpeg = await makeSmallPhoto(sample, 1200, i + 1);
        return { jpeg, cr3: makeCr3(jpeg), nef: makeTiffRaw(jpeg, { variant: 'nef', byteOrder: 'II' }) };
      }),
  );
}, 120_000);

async function open(settings: Parameters<typeof startTestEngine>[2] = {}): Promise<void> {
  engine = await startTestEngine(join(root, 'data'), 'watch', settings);
  session = await engine.openEvent('wedding');
  admissions = [];
  engine.bus.on('admission', (a) => admissions.push({ path: a.path, admission: a.admission }));
}

beforeEach(async () => {
  root = await makeTempDir();
  hot = join(root, 'EOS Utility');
  await mkdir(hot, { recursive: true });
});

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await removeDir(root);
});

const repos = () => engineRepositories(engine!);
const photos = (): Photo[] => repos().photos.listPhotos(session.event.id, { limit: 1000 });
const filesOf = (photoId: number): PhotoFile[] => repos().pairs.filesOfPhoto(photoId);
const settled = () => {
  const c = repos().photos.countPhotos(session.event.id);
  return c.pending === 0 && c.processing === 0 && repos().jobs.queueDepth() === 0;
};
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The photo is one capture: made from the JPEG, the RAW beside it. */
function expectOnePhotoPerCapture(names: string[]): void {
  const rows = photos();
  expect(rows.map((p) => p.fileName).sort()).toEqual(names.map((n) => `${n}.JPG`).sort());
  for (const p of rows) {
    expect(p.status).toBe('ready');
    expect(p.format).toBe('jpeg');
    expect(filesOf(p.id).map((f) => [f.fileName, f.role])).toEqual([[p.fileName.replace('.JPG', '.CR3'), 'raw']]);
  }
  expect(repos().photos.countPhotos(session.event.id).total).toBe(names.length);
}

describe('a RAW+JPEG pair landing in a hot folder', () => {
  it.each([
    ['JPEG first, RAW a second later', 'jpeg', 1000],
    ['RAW first, JPEG half a second later (the usual tether order)', 'raw', 500],
    ['both at once', 'raw', 0],
  ] as const)('is one photo made from the JPEG, processed once: %s', async (_, first, gapMs) => {
    await open();
    await session.hotFolders.add(hot);
    const [a, b] = first === 'raw' ? (['CR3', 'JPG'] as const) : (['JPG', 'CR3'] as const);
    const bytes = (ext: 'CR3' | 'JPG') => (ext === 'CR3' ? captures[0]!.cr3 : captures[0]!.jpeg);
    await writeFile(join(hot, `IMG_0412.${a}`), bytes(a));
    if (gapMs) await delay(gapMs);
    await writeFile(join(hot, `IMG_0412.${b}`), bytes(b));
    await waitFor(() => admissions.length === 2 && settled() && photos()[0]?.status === 'ready', 'the pair processed');

    expectOnePhotoPerCapture(['IMG_0412']);
    const paired = admissions.find((x) => x.admission.outcome === 'paired')!.admission;
    // Processed once: the JPEG arrived before the RAW's render started, so nothing was rendered twice.
    expect(paired).toMatchObject({ outcome: 'paired', renderedAgain: false });
    expect(engine!.status('wedding')?.photos).toMatchObject({ total: 1, ready: 1, withRaw: 1 });
  });

  it('renders the photo again from the JPEG when the JPEG comes after the RAW was processed alone', async () => {
    await open({ ingest: { rawPairWaitMs: 0 } });
    await session.hotFolders.add(hot);
    await writeFile(join(hot, 'IMG_0500.NEF'), captures[1]!.nef);
    await waitFor(() => photos()[0]?.status === 'ready' && settled(), 'the RAW processed on its own');
    const rawPreview = photos()[0]!.previewPath;
    expect(photos()[0]!.format).toBe('raw-tiff');

    await writeFile(join(hot, 'IMG_0500.JPG'), captures[1]!.jpeg);
    await waitFor(() => admissions.length === 2 && settled() && photos()[0]?.previewPath !== rawPreview, 'rendered again from the JPEG');
    const [photo] = photos();
    expect(photos()).toHaveLength(1);
    expect(photo).toMatchObject({ fileName: 'IMG_0500.JPG', format: 'jpeg', status: 'ready' });
    expect(filesOf(photo!.id).map((f) => f.fileName)).toEqual(['IMG_0500.NEF']);
    expect(admissions[1]!.admission).toMatchObject({ outcome: 'paired', renderedAgain: true });
  });

  it('saves a capture whose JPEG is damaged with its RAW: the photo is made from the RAW, the JPEG kept beside it', async () => {
    await open();
    await session.hotFolders.add(hot);
    // A JPEG damaged on the card: complete, but its Huffman table is garbage (no decoder reads it).
    const damaged = Buffer.from(captures[0]!.jpeg);
    const dht = damaged.indexOf(Buffer.from([0xff, 0xc4]));
    damaged.fill(0xff, dht + 5, dht + 5 + 16);
    await writeFile(join(hot, 'IMG_0999.JPG'), damaged);
    await waitFor(() => photos()[0]?.status === 'failed' && settled(), 'the damaged JPEG failed');

    await writeFile(join(hot, 'IMG_0999.CR3'), captures[0]!.cr3);
    await waitFor(() => photos()[0]?.status === 'ready' && settled(), 'the capture rendered from its RAW');
    const [photo] = photos();
    expect(photos()).toHaveLength(1);
    expect(photo).toMatchObject({ fileName: 'IMG_0999.CR3', format: 'cr3', error: null });
    expect(filesOf(photo!.id).map((f) => [f.fileName, f.role])).toEqual([['IMG_0999.JPG', 'rendered']]);
    expect(repos().jobs.listFailedJobs(session.event.id)).toEqual([]);
    expect(engine!.status('wedding')?.errors).toEqual([]);
  });

  it('keeps a RAW whose JPEG never comes as a photo of its own, processed after a short wait', async () => {
    await open({ ingest: { rawPairWaitMs: 1500 } });
    await session.hotFolders.add(hot);
    const landed = Date.now();
    await writeFile(join(hot, 'IMG_0600.CR3'), captures[2]!.cr3);
    await waitFor(() => photos()[0]?.status === 'ready', 'the lone RAW processed');
    expect(photos()[0]!.readyAt! - landed).toBeGreaterThanOrEqual(1500);
    expect(photos()).toHaveLength(1);
    expect(filesOf(photos()[0]!.id)).toEqual([]);
  });

  it('stops waiting for JPEGs once a camera has sent several RAWs alone (RAW-only shooting is not slowed)', async () => {
    await open({ ingest: { rawPairWaitMs: 30_000, unpairedRawsBeforeNoWait: 2 } });
    await session.hotFolders.add(hot);
    for (let i = 0; i < 3; i++) {
      await writeFile(join(hot, `IMG_070${i}.CR3`), makeCr3(captures[i]!.jpeg, 1024 + i));
      await waitFor(() => photos().length === i + 1, `RAW ${i} admitted`);
    }
    // The first two waited (30 s, far longer than this test); the third is processed at once.
    await waitFor(() => photos().some((p) => p.fileName === 'IMG_0702.CR3' && p.status === 'ready'), 'the third RAW processed at once');
    expect(
      photos()
        .filter((p) => p.status === 'ready')
        .map((p) => p.fileName),
    ).toEqual(['IMG_0702.CR3']);
  });

  it('makes a pair written into two card folders one photo, by capture time and camera serial', async () => {
    await open();
    const card1 = join(hot, 'CARD1', 'DCIM', '100CANON');
    const card2 = join(hot, 'CARD2', 'DCIM', '100CANON');
    await mkdir(card1, { recursive: true });
    await mkdir(card2, { recursive: true });
    await session.hotFolders.add(card1);
    await session.hotFolders.add(card2);
    await writeFile(join(card1, 'IMG_0412.CR3'), captures[3]!.cr3);
    await writeFile(join(card2, 'IMG_0412.JPG'), captures[3]!.jpeg);
    // A different frame in the other card folder stays a photo of its own.
    await writeFile(join(card2, 'IMG_0413.JPG'), captures[2]!.jpeg);
    await waitFor(() => settled() && photos().length === 2 && photos().every((p) => p.status === 'ready'), 'both captures processed');

    const [pair, single] = photos().sort((x, y) => x.fileName.localeCompare(y.fileName));
    expect(pair).toMatchObject({ path: join(card2, 'IMG_0412.JPG'), format: 'jpeg' });
    expect(filesOf(pair!.id).map((f) => [f.path, f.pairedBy])).toEqual([[join(card1, 'IMG_0412.CR3'), 'capture']]);
    expect(single!.fileName).toBe('IMG_0413.JPG');
    expect(filesOf(single!.id)).toEqual([]);
  });

  it('never makes the second file a second photo after a restart, a re-import or a rename', async () => {
    await open();
    await session.hotFolders.add(hot);
    await writeFile(join(hot, 'IMG_0800.CR3'), captures[0]!.cr3);
    await writeFile(join(hot, 'IMG_0800.JPG'), captures[0]!.jpeg);
    await waitFor(() => settled() && photos()[0]?.status === 'ready' && repos().pairs.countFiles(session.event.id) === 1, 'pair processed');

    // Restart: the start-up scan sees both files again.
    await engine!.stop();
    await open();
    await session.hotFolders.start();
    await waitFor(() => admissions.length >= 2 && settled(), 'the start-up scan done');
    expect(admissions.map((a) => a.admission.outcome)).toEqual(['known', 'known']);

    // Re-import of the card (a copy of the folder elsewhere): duplicates, no new photo.
    const copy = join(root, 'card-copy');
    await mkdir(copy);
    for (const f of ['IMG_0800.CR3', 'IMG_0800.JPG']) await copyFile(join(hot, f), join(copy, f));
    await session.hotFolders.add(copy);
    await waitFor(() => admissions.length >= 4 && settled(), 'the copies seen');
    expect(admissions.slice(2).map((a) => a.admission.outcome)).toEqual(['duplicate', 'duplicate']);

    // The tether tool renames the RAW: the photo follows it.
    await rename(join(hot, 'IMG_0800.CR3'), join(hot, 'Smith_0800.CR3'));
    await waitFor(() => filesOf(photos()[0]!.id)[0]?.fileName === 'Smith_0800.CR3', 'the rename followed');
    expect(photos()).toHaveLength(1);
    expect(repos().photos.countPhotos(session.event.id).total).toBe(1);
  });
});

describe('a RAW+JPEG pair and a killed engine', () => {
  it('makes one photo when the engine is killed after the RAW and the JPEG lands while it is down', async () => {
    const dataDir = join(root, 'data');
    writeSettings(dataDir, { ...WITHOUT_FACES, ingest: { rawPairWaitMs: 10_000 } });
    const child = startCli(['serve', '--event', 'wedding', '--watch', hot, '--data-dir', dataDir, '--port', '0']);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal)));
    const photoRows = (): number => {
      if (!existsSync(join(dataDir, 'shutterfind.db'))) return 0;
      const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM photos').get() as { n: number }).n;
      } catch {
        return 0;
      } finally {
        db.close();
      }
    };
    await waitFor(() => existsSync(join(dataDir, 'server.json')), 'serve started', 60_000);
    await writeFile(join(hot, 'IMG_0900.CR3'), captures[1]!.cr3);
    await waitFor(() => photoRows() === 1, 'the RAW recorded', 60_000, 20);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await writeFile(join(hot, 'IMG_0900.JPG'), captures[1]!.jpeg);
    const r = await runCli(['ingest', hot, '--event', 'wedding', '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJsonOutput<{ ready: number; failed: unknown[] }>(r)).toMatchObject({ ready: 1, failed: [] });

    const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, file_name, format, status FROM photos').all() as { id: number; file_name: string }[];
      expect(rows).toEqual([expect.objectContaining({ file_name: 'IMG_0900.JPG', format: 'jpeg', status: 'ready' })]);
      const files = db.prepare('SELECT photo_id, file_name, role FROM photo_files').all();
      expect(files).toEqual([{ photo_id: rows[0]!.id, file_name: 'IMG_0900.CR3', role: 'raw' }]);
    } finally {
      db.close();
    }
  });
});
