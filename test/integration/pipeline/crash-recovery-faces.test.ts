// kill -9 in the middle of an import with the face stage on: after a restart every photo has
// its faces exactly once (written with the photo in one transaction), vectors match faces, and
// every face belongs to a person, the same as an import that was never interrupted.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSmallPhoto, samplePhotoPaths, uniqueVariant } from '../../fixtures/camera-photos.js';
import { parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

const FILES = 24;
let root: string;
let folder: string;

interface FaceTally {
  photos: number;
  ready: number;
  facesByFile: Record<string, number>;
  faceRows: number;
  vectors: number;
  bitVectors: number;
  withoutPerson: number;
  countMismatches: number;
}

function tally(dataDir: string): FaceTally {
  const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
  sqliteVec.load(db);
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const rows = db.prepare('SELECT file_name, face_count FROM photos ORDER BY file_name').all() as {
      file_name: string;
      face_count: number;
    }[];
    return {
      photos: rows.length,
      ready: one("SELECT count(*) AS n FROM photos WHERE status = 'ready'"),
      facesByFile: Object.fromEntries(rows.map((r) => [r.file_name, r.face_count])),
      faceRows: one('SELECT count(*) AS n FROM faces'),
      vectors: one('SELECT count(*) AS n FROM face_embeddings'),
      bitVectors: one('SELECT count(*) AS n FROM face_embeddings_bits'),
      withoutPerson: one('SELECT count(*) AS n FROM faces WHERE person_id IS NULL'),
      countMismatches: one(
        'SELECT count(*) AS n FROM photos p WHERE p.face_count != (SELECT count(*) FROM faces f WHERE f.photo_id = p.id)',
      ),
    };
  } finally {
    db.close();
  }
}

function readyCount(dataDir: string): number {
  if (!existsSync(join(dataDir, 'shutterfind.db'))) return 0;
  const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM photos WHERE status = 'ready'").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  root = await makeTempDir();
  folder = join(root, 'card');
  await mkdir(folder);
  const bases = await Promise.all(samplePhotoPaths().map((p, i) => makeSmallPhoto(p, 1600, i + 1)));
  for (let i = 0; i < FILES; i++)
    await writeFile(join(folder, `IMG_${String(i).padStart(4, '0')}.JPG`), uniqueVariant(bases[i % bases.length]!, i));
}, 120_000);

afterAll(async () => {
  await removeDir(root);
});

describe('a crash during an import with faces', () => {
  it('leaves every photo with its faces exactly once, clustered, as an uninterrupted import does', async () => {
    const clean = join(root, 'clean');
    const crashed = join(root, 'crashed');
    const reference = parseJsonOutput<{ ready: number }>(await runCli(['ingest', folder, '--event', 'e', '--json', '--data-dir', clean]));
    expect(reference.ready).toBe(FILES);

    const child = startCli(['ingest', folder, '--event', 'e', '--json', '--data-dir', crashed]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await waitFor(() => readyCount(crashed) >= 8, '8 photos ready before the kill', 120_000, 20);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const partial = tally(crashed);
    expect(partial.ready).toBeLessThan(FILES);

    const resumed = parseJsonOutput<{ failed: unknown[] }>(
      await runCli(['ingest', folder, '--event', 'e', '--json', '--data-dir', crashed]),
    );
    expect(resumed.failed).toEqual([]);

    const expected = tally(clean);
    const after = tally(crashed);
    expect(after).toEqual(expected);
    expect(after).toMatchObject({ photos: FILES, ready: FILES, withoutPerson: 0, countMismatches: 0 });
    expect(after.vectors).toBe(after.faceRows);
    expect(after.bitVectors).toBe(after.faceRows);
    expect(after.faceRows).toBeGreaterThanOrEqual(FILES * 3);
  });
});
