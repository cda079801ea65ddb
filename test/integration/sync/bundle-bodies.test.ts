// Bundles are read straight into bodies kept from one bundle to the next (src/sync/blob-bundles.ts):
// every file must still arrive byte for byte, bundle after bundle, and a file rewritten with
// another size since it was listed must leave its bundle without taking the others with it.
// Real endpoint (PostgreSQL, directory blob store) and real files.
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobKey } from '../../../src/cloud/blobs/index.js';
import { useTempDatabase } from '../../support/database.js';
import { laptopSync, useTestCloud } from './cloud-setup.js';

const temp = useTempDatabase();
const cloud = useTestCloud();

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function storedBytes(cloudEventId: string, sha: string): Promise<Buffer | null> {
  const stream = await cloud.store.read(blobKey(cloudEventId, sha));
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('bundle bodies', () => {
  it('bring 80 files of different sizes byte for byte through bodies used again, and leave out one rewritten since it was listed', async () => {
    const { db, dir } = temp;
    const eventId = Number(db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?)').run('Gala', Date.now()).lastInsertRowid);
    await mkdir(join(dir, 'media'), { recursive: true });
    const files = new Map<string, Buffer>();
    const insert = db.prepare(
      `INSERT INTO photos (event_id, path, file_name, sha256, size_bytes, status, landed_at, width, height, preview_path, thumbnail_path, updated_at)
       VALUES (?, ?, ?, ?, 1000, 'ready', ?, 6000, 4000, ?, ?, ?)`,
    );
    for (let n = 0; n < 40; n++) {
      // Sizes that differ bundle to bundle: a longer file's bytes must never show through a shorter one's place.
      const thumb = randomBytes(2_000 + ((n * 997) % 9_000));
      const preview = randomBytes(20_000 + ((n * 7_919) % 60_000));
      await writeFile(join(dir, 'media', `t${n}.webp`), thumb);
      await writeFile(join(dir, 'media', `p${n}.jpg`), preview);
      files.set(`media/t${n}.webp`, thumb).set(`media/p${n}.jpg`, preview);
      insert.run(
        eventId,
        `/cards/IMG_${n}.JPG`,
        `IMG_${n}.JPG`,
        sha256(Buffer.from(`photo ${n}`)),
        Date.now(),
        `media/p${n}.jpg`,
        `media/t${n}.webp`,
        Date.now(),
      );
    }
    // One bundle at a time: each one after the first is read into the body the one before used.
    const sync = laptopSync(temp, { blobsInFlight: 1 });
    const created = await cloud.createEvent();
    await sync.enroll(eventId, { endpoint: cloud.url, joinCode: created.joinCode });
    await sync.recordChanges(eventId);
    // Listed, then rewritten with another size before its turn (a blurred copy made again).
    const rewritten = files.get('media/p7.jpg')!;
    const now = randomBytes(1_000);
    await writeFile(join(dir, 'media', 'p7.jpg'), now);

    // The run's own differ lists the new bytes; the old listing leaves its bundle, the rest go.
    const summary = await sync.runOnce(eventId);
    expect(summary.blobsSent).toBe(80);
    expect((await storedBytes(created.cloudEventId, sha256(now)))?.equals(now)).toBe(true);
    for (const [path, bytes] of files) {
      const stored = await storedBytes(created.cloudEventId, sha256(bytes));
      if (bytes === rewritten) expect(stored).toBeNull();
      else expect(stored?.equals(bytes), path).toBe(true);
    }
  }, 60_000);
});
