// `shutterfind sync` killed with SIGKILL in the middle of an upload, then run again: every photo
// arrives exactly once, and the interrupted upload resumes (the parts it had recorded are not sent
// again). The CLI runs from dist/ (`npx tsc -p tsconfig.build.json`).
import { spawn } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStatus } from '../../../src/core/index.js';
import { createLogger, engineRepositories, openEngine } from '../../../src/core/index.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { collectOutput, CLI, runCli } from '../../support/cli.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import { startTestCloud, type TestCloud } from './cloud-setup.js';

const EVENT = 'Harbour gala';
const PHOTOS = 6;
/** Small parts, so each preview is a dozen or more parts and a kill lands inside one upload. */
const PART_SIZE = 16 * 1024;
/** Slow enough that the kill comes mid-upload, fast enough for the test. */
const CAP_BYTES_PER_SECOND = 256 * 1024;

let cloud: TestCloud;
let root: string;
let dataDir: string;
let shas: string[];

beforeAll(async () => {
  root = await makeTempDir('shutterfind-sync-kill-');
  dataDir = join(root, 'data');
  const hot = join(root, 'hot');
  await mkdir(hot);
  cloud = await startTestCloud({ partSize: PART_SIZE });
  // Photos processed by a watching engine, as `serve` does.
  const engine = await startTestEngine(dataDir, 'watch');
  const session = await engine.openEvent(EVENT);
  await session.hotFolders.add(hot);
  await session.hotFolders.start();
  const samples = samplePhotoPaths().slice(0, PHOTOS);
  await Promise.all(samples.map((path, i) => copyFile(path, join(hot, `IMG_${1000 + i}.jpg`))));
  const repos = engineRepositories(engine);
  await waitFor(() => repos.photos.countPhotos(session.event.id).ready === PHOTOS, `${PHOTOS} photos to be ready`, 120_000, 100);
  shas = repos.photos
    .listPhotos(session.event.id, { limit: 100 })
    .map((p) => p.sha256!)
    .sort();
  await engine.stop();
  const created = await cloud.createEvent();
  const enrolled = await runCli([
    'sync',
    'enroll',
    '--event',
    EVENT,
    '--endpoint',
    cloud.url,
    '--code',
    created.joinCode,
    '--name',
    'Laptop B',
    '--data-dir',
    dataDir,
  ]);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  expect(enrolled.stdout).toContain(`Enrolled with ${cloud.url} as "Laptop B"`);
  // A bandwidth cap, set by an engine that does not sync by itself.
  const editor = await openEngine({
    dataDir,
    log: createLogger({ logDir: null, terminal: 'none' }),
    mode: 'one-shot',
    processPhotos: false,
  });
  editor.sync.setBandwidthCap(editor.catalogue.events.named(EVENT).id, CAP_BYTES_PER_SECOND);
  await editor.stop();
}, 240_000);

afterAll(async () => {
  await cloud?.close();
  await removeDir(root);
});

/** The CLI in this process (MALLOC_ARENA_MAX set: bin/shutterfind.js runs it without a child, so the kill reaches it). */
const startSync = () =>
  spawn(process.execPath, [CLI, 'sync', '--event', EVENT, '--data-dir', dataDir, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', MALLOC_ARENA_MAX: '2' },
  });

interface PartRow {
  upload_id: string;
  part_number: number;
  parts: number;
  part_count: number;
}

/** Parts recorded of uploads that are not finished yet. */
function unfinishedParts(): PartRow[] {
  const db = new Database(join(dataDir, 'shutterfind.db'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], PartRow>(
        `SELECT p.upload_id, p.part_number, b.part_count,
                (SELECT count(*) FROM sync_blob_parts q WHERE q.sha256 = p.sha256 AND q.upload_id = p.upload_id) AS parts
           FROM sync_blob_parts p JOIN sync_blobs b ON b.event_id = p.event_id AND b.sha256 = p.sha256
          WHERE b.state = 'pending'`,
      )
      .all();
  } finally {
    db.close();
  }
}

describe('a sync killed mid-upload and run again', () => {
  it('delivers every photo exactly once, and resumes the interrupted upload without sending its recorded parts again', async () => {
    const first = startSync();
    const exited = collectOutput(first, 120_000);
    const recorded = await waitFor(
      () => {
        const rows = unfinishedParts();
        return rows.some((r) => r.parts >= 2 && r.parts < r.part_count) ? rows : undefined;
      },
      'an upload with some of its parts recorded',
      90_000,
      20,
    );
    first.kill('SIGKILL');
    const killed = await exited;
    expect(killed.signal ?? killed.code).toBe('SIGKILL');
    // What the killed run had recorded by the time it died (a part may have finished after the look).
    const beforeKill = new Set(unfinishedParts().map((r) => `${r.upload_id}#${r.part_number}`));
    expect(beforeKill.size).toBeGreaterThanOrEqual(recorded.length);

    const again = await collectOutput(startSync(), 180_000);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { complete: boolean; view: { opsLeft: number; blobsLeft: number } };
    expect(report).toMatchObject({ complete: true, view: { opsLeft: 0, blobsLeft: 0 } });

    const photos = await cloud.query<{ sha256: string; sources: number }>(
      'SELECT p.sha256, (SELECT count(*)::int FROM photo_sources s WHERE s.photo_id = p.id) AS sources FROM photos p ORDER BY p.sha256',
    );
    expect(photos).toEqual(shas.map((sha256) => ({ sha256, sources: 1 })));
    const blobs = await cloud.query<{ kind: string; n: number }>('SELECT kind, count(*)::int AS n FROM blobs GROUP BY kind ORDER BY kind');
    expect(blobs).toEqual([
      { kind: 'preview', n: PHOTOS },
      { kind: 'thumb', n: PHOTOS },
    ]);
    const receipts = new Map<string, number>();
    for (const r of cloud.store.received) receipts.set(r, (receipts.get(r) ?? 0) + 1);
    const sentTwice = [...beforeKill].filter((part) => (receipts.get(part) ?? 0) !== 1);
    expect(sentTwice).toEqual([]);
    // The interrupted upload went on under the same id: it resumed rather than starting over.
    const resumedUpload = [...beforeKill][0]!.split('#')[0]!;
    const partsOfIt = [...receipts.keys()].filter((k) => k.startsWith(`${resumedUpload}#`));
    const status = await runCli(['status', '--event', EVENT, '--data-dir', dataDir, '--json']);
    expect((JSON.parse(status.stdout) as EventStatus).sync).toMatchObject({
      endpoint: cloud.url,
      state: 'idle',
      opsLeft: 0,
      blobsLeft: 0,
      lastError: null,
    });
    expect(partsOfIt.length).toBeGreaterThan([...beforeKill].filter((k) => k.startsWith(`${resumedUpload}#`)).length);
  }, 360_000);
});
