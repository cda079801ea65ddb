// A photo that takes longer than the job lease must still be processed exactly once.
import { writeFile } from 'node:fs/promises';
import { engineRepositories } from '../../../src/core/index.js';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCameraJpegPool } from '../../fixtures/camera-photos.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;
const PHOTOS = 6;

beforeAll(async () => {
  root = await makeTempDir();
  const photos = await makeCameraJpegPool(PHOTOS, { seed: 7 });
  for (const [i, bytes] of photos.entries()) await writeFile(join(root, `IMG_${i}.JPG`), bytes);
}, 120_000);

afterAll(async () => {
  await removeDir(root);
});

describe('job leases', () => {
  it('stay alive while a worker is still on a slow photo, so nothing is processed twice', async () => {
    // Each 24 MP photo takes a few hundred ms: far longer than this 150 ms lease.
    const dataDir = join(root, 'data');
    const engine = await startTestEngine(dataDir, 'one-shot', { pipeline: { leaseMs: 150 } });
    try {
      const session = await engine.openEvent('slow');
      for (let i = 0; i < PHOTOS; i++) session.intake.submit(join(root, `IMG_${i}.JPG`), null);
      await session.intake.settled();
      await engine.whenIdle(session.event.id);
      expect(engineRepositories(engine).photos.countPhotos(session.event.id)).toMatchObject({ ready: PHOTOS, failed: 0 });
    } finally {
      await engine.stop();
    }
    const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
    try {
      // Each photo's previews and faces jobs, each tried once.
      const attempts = db.prepare('SELECT attempts FROM jobs').all() as { attempts: number }[];
      expect(attempts.map((j) => j.attempts)).toEqual(Array(PHOTOS * 2).fill(1));
      const outbox = db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE topic = 'photo.ready'").get() as { n: number };
      expect(outbox.n).toBe(PHOTOS);
    } finally {
      db.close();
    }
  });
});
