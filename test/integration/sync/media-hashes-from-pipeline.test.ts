// The pipeline records each thumbnail's and preview's content hash as its worker writes the file,
// so the first differ run after an event is enrolled reads none of them (it used to hash them all
// on the engine's main thread), and a preview rendered again brings its new hash with it.
import { createHash } from 'node:crypto';
import { readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncOperation } from '../../../src/api/index.js';
import { engineRepositories, type Engine } from '../../../src/core/index.js';
import type { SettingsInput } from '../../../src/config/index.js';
import { createRepositories, openDatabase, type Repositories } from '../../../src/store/index.js';
import { recordChanges } from '../../../src/sync/change-log.js';
import { makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import { enrolForTest } from '../../support/sync-enrolment.js';

const EVENT = 'gala';
const PHOTOS = 3;
/** Large enough that the preview is scaled down like a camera frame's, small enough to render fast. */
const PHOTO_LONG_SIDE = 2400;

let root: string;
const cards: string[] = [];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  root = await makeTempDir();
  for (const [i, sample] of samplePhotoPaths().slice(0, PHOTOS).entries()) {
    const path = join(root, `IMG_${i}.JPG`);
    await writeFile(path, await makeSmallPhoto(sample, PHOTO_LONG_SIDE, i + 1));
    cards.push(path);
  }
}, 60_000);

afterAll(async () => {
  await removeDir(root);
});

async function withEngine<T>(dataDir: string, settings: SettingsInput, body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await startTestEngine(dataDir, 'one-shot', settings);
  try {
    return await body(engine);
  } finally {
    await engine.stop();
  }
}

/** The photos ingested into a fresh data dir, each ready with its thumbnail and preview. */
async function ingest(dataDir: string): Promise<void> {
  await withEngine(dataDir, {}, async (engine) => {
    const session = await engine.openEvent(EVENT);
    for (const path of cards) session.intake.submit(path, null);
    await session.intake.settled();
    await engine.whenIdle(session.event.id);
    expect(engineRepositories(engine).photos.countPhotos(session.event.id)).toMatchObject({ ready: PHOTOS, failed: 0 });
  });
}

/** Every thumbnail and preview of the event, by the absolute path the differ looks its hash up by. */
function mediaFiles(repos: Repositories, dataDir: string): string[] {
  const eventId = repos.events.findEventByName(EVENT)!.id;
  return repos.photos.listPhotos(eventId, { limit: 100 }).flatMap((p) => [join(dataDir, p.thumbnailPath!), join(dataDir, p.previewPath!)]);
}

/** What the differ's cache compares a recorded hash with: the file as it is on disk now. */
async function onDisk(path: string) {
  const info = await stat(path);
  return { size: info.size, mtimeMs: Math.round(info.mtimeMs), sha256: sha256(await readFile(path)) };
}

async function withRepos<T>(dataDir: string, body: (repos: Repositories) => Promise<T>): Promise<T> {
  const db = openDatabase(join(dataDir, 'shutterfind.db'));
  try {
    return await body(createRepositories(db));
  } finally {
    db.close();
  }
}

/** The differ's run over the event, as `serve` runs it for an enrolled event whose faces are all shown. */
function recordEventChanges(repos: Repositories, dataDir: string, eventId: number, now: number): Promise<number> {
  return recordChanges(
    {
      repo: repos.sync,
      dataDir,
      deviceId: 'laptopA_0123456789abcd',
      attendeeMediaPath: async (photoId, kind) => {
        const photo = repos.photos.getPhoto(photoId)!;
        return kind === 'thumb' ? photo.thumbnailPath : photo.previewPath;
      },
      now: () => now,
    },
    eventId,
  );
}

describe('media hashes recorded by the pipeline', () => {
  it("records every thumbnail's and preview's hash as it is written, so the first differ run after enrolling reads none of them", async () => {
    const dataDir = join(root, 'first-run');
    await ingest(dataDir);
    await withRepos(dataDir, async (repos) => {
      const files = mediaFiles(repos, dataDir);
      expect(files).toHaveLength(2 * PHOTOS);
      const recorded = repos.sync.cachedHashes(files);
      for (const path of files) expect(recorded.get(path), path).toEqual(await onDisk(path));

      // Other bytes of the same size under the recorded modification time: the differ reports the
      // recorded hash only if it took it from the cache rather than reading the file.
      for (const path of files) {
        const { size, mtimeMs } = recorded.get(path)!;
        await writeFile(path, Buffer.alloc(size));
        await utimes(path, mtimeMs / 1000, mtimeMs / 1000);
      }
      const eventId = repos.events.findEventByName(EVENT)!.id;
      const now = Date.now();
      enrolForTest(repos, eventId, now);
      await recordEventChanges(repos, dataDir, eventId, now);
      const sent = repos.sync
        .opsFrom(eventId, 1, 100)
        .map((o) => syncOperation.parse(JSON.parse(o.json)))
        .flatMap((op) => (op.kind === 'photo.put' ? [op.thumb?.sha256, op.preview?.sha256] : []));
      expect(sent.sort()).toEqual(files.map((path) => recorded.get(path)!.sha256).sort());
    });
  }, 120_000);

  it('stops with an error naming the file when a preview cannot be read, instead of sending its photo without it; a file that is gone is left out', async () => {
    const dataDir = join(root, 'unreadable');
    await ingest(dataDir);
    await withRepos(dataDir, async (repos) => {
      const eventId = repos.events.findEventByName(EVENT)!.id;
      const [first, second] = repos.photos.listPhotos(eventId, { limit: 100 });
      const now = Date.now();
      enrolForTest(repos, eventId, now);
      const record = () => recordEventChanges(repos, dataDir, eventId, now);
      // A preview the disk cannot give back (here a link to itself: ELOOP; on a laptop, a failing
      // disk or lost permissions): had it passed for "no preview", the photo would go up without
      // one and never be sent again.
      const broken = join(dataDir, first!.previewPath!);
      await rm(broken);
      await symlink(broken, broken);
      await expect(record()).rejects.toThrow(`Could not read ${broken} to send it to the cloud (ELOOP)`);
      expect(repos.sync.opsFrom(eventId, 1, 100)).toEqual([]);

      // A preview that is simply gone (deleted meanwhile) is left out; the photo still goes.
      await rm(broken);
      await rm(join(dataDir, second!.previewPath!));
      expect(await record()).toBeGreaterThan(0);
      const puts = repos.sync
        .opsFrom(eventId, 1, 100)
        .map((o) => syncOperation.parse(JSON.parse(o.json)))
        .flatMap((op) => (op.kind === 'photo.put' ? [op] : []));
      expect(puts).toHaveLength(PHOTOS);
      expect(puts.filter((op) => op.preview === null || op.preview === undefined)).toHaveLength(2);
      expect(puts.filter((op) => !op.thumb)).toEqual([]);
    });
  }, 120_000);

  it('replaces the recorded hash with the new bytes when a preview is rendered again', async () => {
    const dataDir = join(root, 'rendered-again');
    await ingest(dataDir);
    const before = await withRepos(dataDir, async (repos) => repos.sync.cachedHashes(mediaFiles(repos, dataDir)));

    // Other qualities: the files rendered again have other bytes under the same names.
    await withEngine(dataDir, { media: { previewQuality: 60, thumbnailQuality: 50 } }, async (engine) => {
      const session = await engine.openEvent(EVENT);
      expect(engine.reprocess(EVENT, 'previews')).toMatchObject({ queued: PHOTOS });
      await engine.whenIdle(session.event.id);
    });

    await withRepos(dataDir, async (repos) => {
      const files = mediaFiles(repos, dataDir);
      const recorded = repos.sync.cachedHashes(files);
      for (const path of files) {
        expect(recorded.get(path), path).toEqual(await onDisk(path));
        expect(recorded.get(path)!.sha256, path).not.toBe(before.get(path)!.sha256);
      }
    });
  }, 120_000);
});
