// The data drive fills up mid-event. Nothing is lost: the photos wait, the problem is visible,
// and everything completes once space is freed, without a restart.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../../src/cli/commands/ingest.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { collectOutput, parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { WITHOUT_FACES, writeSettings } from '../../support/settings.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

const PHOTOS = 12;
let root: string;
let mountPoint: string;
let folder: string;
let importer: ChildProcess | undefined;

/** A real small filesystem (tmpfs) for the data dir: a genuinely full disk, no fakes. */
function mountTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
}

beforeAll(async () => {
  root = await makeTempDir();
  mountPoint = join(root, 'small-drive');
  folder = join(root, 'card');
  await mkdir(mountPoint);
  await mkdir(folder);
  mountTmpfs(mountPoint, '3m');
  for (let i = 0; i < PHOTOS; i++) {
    await sharp(samplePhotoPaths()[i % 6]!)
      .modulate({ brightness: 1 + i / 50 })
      .jpeg({ quality: 95 })
      .toFile(join(folder, `IMG_${String(i).padStart(4, '0')}.JPG`));
  }
  await writeFile(join(folder, 'readme.txt'), 'not a photo');
}, 60_000);

afterAll(async () => {
  // If an assertion failed mid-import, the importer would wait for space forever.
  if (importer && importer.exitCode === null) importer.kill('SIGKILL');
  try {
    // Lazy: if an assertion failed while the import still runs, the mount must not outlive the test.
    execFileSync('umount', ['--lazy', mountPoint]);
  } finally {
    await removeDir(root);
  }
});

describe('a full data drive', () => {
  it('holds photos back with a visible reason and finishes them once space is freed', async () => {
    const dataDir = join(mountPoint, 'data');
    writeSettings(dataDir, WITHOUT_FACES);
    importer = startCli(['ingest', folder, '--event', 'full', '--data-dir', dataDir, '--json']);
    const run = collectOutput(importer);
    let importerStderr = '';
    importer.stderr!.on('data', (d: Buffer) => (importerStderr += d.toString()));

    // The drive fills up (twelve previews need more than 3 MB). The import waits; nothing is
    // given up on, and status shows why. Whether the database could still note each retry
    // depends on which write hit the full drive first, so the check is on the drive itself.
    interface StatusJson {
      photos: { ready: number; failed: number };
      retrying: { error: string }[];
      storage: { low: boolean; freeBytes: number } | null;
    }
    const full = await waitFor(
      async () => {
        const r = await runCli(['status', '--event', 'full', '--data-dir', dataDir, '--json']);
        if (r.code !== 0) return undefined;
        const s = JSON.parse(r.stdout) as StatusJson;
        // Full means a write has actually failed: a nearly full drive can still take the next file.
        const failedWrite = /free space on the data drive/.test(importerStderr);
        return s.storage && s.storage.freeBytes < 512 * 1024 && failedWrite ? s : undefined;
      },
      'the data drive to fill up and a write to fail',
      60_000,
      250,
    );
    expect(full.storage).toMatchObject({ low: true });
    expect(full.photos.ready).toBeLessThan(PHOTOS);
    expect(full.photos.failed).toBe(0);
    for (const r of full.retrying) expect(r.error).toMatch(/disk is full/);

    // The photographer frees space (here: the drive grows).
    execFileSync('mount', ['-o', 'remount,size=256m', mountPoint]);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    // The photographer at the terminal was told what to do.
    expect(r.stderr).toMatch(/free space on the data drive/);
    const summary = parseJsonOutput<IngestSummary>(r);
    expect(summary.failed).toEqual([]);
    expect(summary.ready).toBe(PHOTOS);

    const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT status FROM photos').all() as { status: string }[];
      expect(rows).toHaveLength(PHOTOS);
      expect(rows.filter((p) => p.status !== 'ready')).toEqual([]);
    } finally {
      db.close();
    }
  }, 300_000);
});
