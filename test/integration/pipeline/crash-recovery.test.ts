// The photographer's laptop dies mid-event (kill -9, power cut). On restart nothing is lost
// and nothing is processed twice.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSmallPhoto, samplePhotoPaths, uniqueVariant } from '../../fixtures/camera-photos.js';
import { parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { WITHOUT_FACES, writeSettings } from '../../support/settings.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

const FILES = 300;
let root: string;
let folder: string;
let dataDir: string;

function readyCount(): number {
  const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM photos WHERE status = 'ready'").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/** Starts the CLI and SIGKILLs it once `killAtReady` photos are ready: no chance to clean up. */
async function killMidway(args: string[], killAtReady: number): Promise<void> {
  const child = startCli(args);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await waitFor(
    () => existsSync(join(dataDir, 'shutterfind.db')) && readyCount() >= killAtReady,
    `${killAtReady} photos ready before the kill (stderr: ${stderr.slice(-500)})`,
    120_000,
    20,
  );
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

beforeAll(async () => {
  root = await makeTempDir();
  folder = join(root, 'card');
  dataDir = join(root, 'data');
  writeSettings(dataDir, WITHOUT_FACES);
  await mkdir(join(folder, '100CANON'), { recursive: true });
  await mkdir(join(folder, '101CANON'), { recursive: true });
  const bases = await Promise.all(samplePhotoPaths().map((p, i) => makeSmallPhoto(p, 1200, i + 1)));
  for (let i = 0; i < FILES; i++) {
    const dir = i < FILES / 2 ? '100CANON' : '101CANON';
    await writeFile(join(folder, dir, `IMG_${String(i).padStart(4, '0')}.JPG`), uniqueVariant(bases[i % bases.length]!, i));
  }
}, 120_000);

afterAll(async () => {
  await removeDir(root);
});

describe('recovering from a killed engine', () => {
  it('processes every one of 300 files exactly once after SIGKILLs during import and during watching', async () => {
    await killMidway(['ingest', folder, '--event', 'crash', '--data-dir', dataDir, '--json'], 60);
    const afterFirstKill = readyCount();
    expect(afterFirstKill).toBeLessThan(FILES);

    // Second life: watching the same card, killed again part-way.
    await killMidway(['serve', '--event', 'crash', '--watch', folder, '--data-dir', dataDir, '--port', '0'], afterFirstKill + 60);
    expect(readyCount()).toBeLessThan(FILES);

    // Third life runs to the end.
    const r = await runCli(['ingest', folder, '--event', 'crash', '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = parseJsonOutput<{ ready: number; failed: unknown[] }>(r);
    expect(summary.failed).toEqual([]);
    expect(summary.ready).toBe(FILES);

    const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
    try {
      const photos = db.prepare('SELECT id, path, status, preview_path, thumbnail_path FROM photos').all() as {
        id: number;
        path: string;
        status: string;
        preview_path: string;
        thumbnail_path: string;
      }[];
      expect(photos).toHaveLength(FILES);
      expect(new Set(photos.map((p) => p.path)).size).toBe(FILES);
      expect(photos.filter((p) => p.status !== 'ready')).toEqual([]);
      // Exactly one job per photo and stage (previews, faces), finished; none left over or doubled.
      const jobs = db.prepare('SELECT photo_id, kind, state FROM jobs').all() as { photo_id: number; kind: string; state: string }[];
      expect(jobs).toHaveLength(FILES * 2);
      expect(new Set(jobs.map((j) => `${j.photo_id} ${j.kind}`)).size).toBe(FILES * 2);
      expect(jobs.filter((j) => j.state !== 'done')).toEqual([]);
      expect((db.prepare('SELECT COUNT(*) AS n FROM duplicates').get() as { n: number }).n).toBe(0);
      // One sync outbox row per photo: results were written once, atomically.
      const outbox = db.prepare("SELECT entity_id, COUNT(*) AS n FROM outbox WHERE topic = 'photo.ready' GROUP BY entity_id").all() as {
        n: number;
      }[];
      expect(outbox).toHaveLength(FILES);
      expect(outbox.filter((o) => o.n !== 1)).toEqual([]);
      // No preview was left half-written by a kill: every one decodes.
      for (const p of photos.filter((_, i) => i % 10 === 0)) {
        const meta = await sharp(join(dataDir, p.preview_path)).metadata();
        expect(meta.format).toBe('jpeg');
        await sharp(join(dataDir, p.thumbnail_path)).raw().toBuffer();
      }
    } finally {
      db.close();
    }
  }, 600_000);
});
