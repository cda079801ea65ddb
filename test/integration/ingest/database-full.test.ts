// The drive holding the database fills up while photos land: the files wait in the intake,
// `status` lists them, and the log says so once instead of a stack trace per photo every 5 s.
import { execFileSync } from 'node:child_process';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus } from '../../../src/cli/commands/status.js';
import { openEngine, readEventStatus, type Engine, engineRepositories } from '../../../src/core/index.js';
import { makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

const isRoot = process.getuid?.() === 0;
let root: string;
let drive: string;
let engine: Engine | undefined;

/** Fills the rest of a drive with one file, so nothing on it (the database included) can grow. */
async function fillDrive(path: string): Promise<void> {
  const file = await open(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await file.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await file.close().catch(() => undefined);
  }
}

beforeAll(async () => {
  root = await makeTempDir();
  drive = join(root, 'small-drive');
  await mkdir(drive);
  // A real small filesystem: a genuinely full drive under the database, no fakes (needs root to mount).
  if (isRoot) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', drive]);
});

afterAll(async () => {
  await engine?.stop().catch(() => undefined);
  try {
    if (isRoot) execFileSync('umount', ['--lazy', drive]);
  } finally {
    await removeDir(root);
  }
});

describe('a database that cannot grow', () => {
  it.runIf(isRoot)(
    'lists the photos waiting to be recorded in status and logs each once, not a stack every 5 s',
    async () => {
      const lines: { level: number; msg: string; err?: { stack?: string } }[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as (typeof lines)[number]);
          done();
        },
      });
      const hot = join(root, 'hot');
      await mkdir(hot);
      engine = await openEngine({
        dataDir: join(drive, 'data'),
        mode: 'watch',
        log: pino({ level: 'debug' }, sink),
        settings: { pipeline: { workers: 1 }, faces: { enabled: false } },
      });
      const session = await engine.openEvent('gala');
      await session.hotFolders.add(hot);
      await fillDrive(join(drive, 'filler'));

      const photos = await Promise.all([0, 1, 2].map((i) => makeSmallPhoto(samplePhotoPaths()[i]!, 1200, i + 1)));
      for (const [i, bytes] of photos.entries()) await writeFile(join(hot, `IMG_000${i}.JPG`), bytes);

      const waiting = await waitFor(
        () => (session.intake.waiting().length === photos.length ? session.intake.waiting() : undefined),
        'every photo waiting for space',
        30_000,
      );
      for (const w of waiting) expect(w.error).toMatch(/SQLITE_FULL|ENOSPC/);
      // Several tries each (every 5 s) before the check below.
      await waitFor(() => session.intake.waiting().every((w) => w.attempts >= 3), 'three tries of each photo', 30_000, 200);

      const status = readEventStatus(engineRepositories(engine), 'gala', Date.now(), null, null, session.intake.waiting())!;
      expect(status.waitingToRecord.map((w) => w.path).sort()).toEqual(photos.map((_, i) => join(hot, `IMG_000${i}.JPG`)));
      // Every waiting photo under "will retry", in whichever order they first waited.
      const shown = formatStatus(status);
      expect(shown).toMatch(/will retry\n\s+↻ /);
      for (let i = 0; i < photos.length; i++) {
        expect(shown).toMatch(
          new RegExp(`↻ .*IMG_000${i}\\.JPG \\(not recorded yet: waiting since .*\\n\\s+SQLITE_FULL.*free space on the data drive`),
        );
      }

      const aboutRecording = lines.filter((l) => /cannot record/i.test(l.msg));
      const withStack = aboutRecording.filter((l) => l.err?.stack);
      // One trace for the episode; one line for each other photo; nothing per try.
      expect(withStack).toHaveLength(1);
      expect(aboutRecording.length).toBeLessThanOrEqual(photos.length + 1);

      // Space is freed: everything is recorded and processed, and the wait is over.
      await rm(join(drive, 'filler'));
      await waitFor(
        () => engineRepositories(engine!).photos.countPhotos(session.event.id).ready === photos.length,
        'the photos recorded and ready once space is freed',
        60_000,
      );
      expect(session.intake.waiting()).toEqual([]);
      expect(lines.some((l) => /Recorded IMG_000\d\.JPG after waiting \d+ s for space/.test(l.msg))).toBe(true);
    },
    150_000,
  );
});
