// The photographer keeps shooting an enrolled event while `serve` syncs it: each photo made ready
// reaches the endpoint within seconds, read alone (its files, faces and the persons), not with
// the whole event each time (a few hundred ms of the laptop's main thread at 2,000 photos);
// anything else that changes (a rename here) reads the whole event again. Real SQLite, real
// endpoint with PostgreSQL; the repository is only counted, not replaced.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SyncRepository } from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';
import { waitFor } from '../../support/temp-dir.js';
import { laptopSync, useTestCloud } from './cloud-setup.js';

const temp = useTempDatabase();
const cloud = useTestCloud();

/** A photo made ready by the pipeline: its files on disk, its row, a face of the event's first person. */
async function photoMadeReady(eventId: number, n: number): Promise<{ id: number; sha256: string }> {
  const { db, dir } = temp;
  await mkdir(join(dir, 'media'), { recursive: true });
  await writeFile(join(dir, 'media', `t${n}.webp`), `thumb ${n}`);
  await writeFile(join(dir, 'media', `p${n}.jpg`), `preview ${n}`);
  const sha256 = createHash('sha256').update(`photo ${n}`).digest('hex');
  const id = Number(
    db
      .prepare(
        `INSERT INTO photos (event_id, path, file_name, sha256, size_bytes, status, landed_at, width, height, preview_path, thumbnail_path, updated_at)
         VALUES (?, ?, ?, ?, 1000, 'ready', ?, 6000, 4000, ?, ?, ?)`,
      )
      .run(eventId, `/cards/IMG_${n}.JPG`, `IMG_${n}.JPG`, sha256, Date.now(), `media/p${n}.jpg`, `media/t${n}.webp`, Date.now())
      .lastInsertRowid,
  );
  db.prepare(
    'INSERT INTO faces (photo_id, event_id, person_id, box_x, box_y, box_w, box_h, score, created_at) VALUES (?, ?, 1, 10, 20, 30, 40, 0.9, ?)',
  ).run(id, eventId, Date.now());
  return { id, sha256 };
}

describe('sync while the photographer keeps shooting', () => {
  it('sends each photo made ready within seconds, reading it alone; a rename reads the whole event again', async () => {
    const { db, repos } = temp;
    const eventId = Number(db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?)').run('Gala', Date.now()).lastInsertRowid);
    db.prepare('INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
      eventId,
      'Ana',
      Date.now(),
      Date.now(),
    );
    await photoMadeReady(eventId, 0);
    const reads = { whole: 0, readyPhotos: [] as number[][] };
    const repo: SyncRepository = {
      ...repos.sync,
      // A whole-event run reads the event's photos a page at a time, then the rest once.
      sourceRest: (id) => {
        reads.whole++;
        return repos.sync.sourceRest(id);
      },
      readyPhotoRows: (id, photoIds) => {
        reads.readyPhotos.push([...photoIds]);
        return repos.sync.readyPhotoRows(id, photoIds);
      },
    };
    const sync = laptopSync(temp, { repo, debounceMs: 50 });
    const created = await cloud.createEvent();
    await sync.enroll(eventId, { endpoint: cloud.url, joinCode: created.joinCode });
    const inCloud = async (sha256s: string[]) =>
      (
        await cloud.query<{ n: number | string }>(
          'SELECT count(*) AS n FROM photos WHERE cloud_event_id = $1 AND sha256 = ANY($2) AND thumb_sha256 IS NOT NULL',
          [created.cloudEventId, sha256s],
        )
      )[0]!.n.toString() === String(sha256s.length);
    sync.start();
    try {
      await waitFor(() => sync.view(eventId).state === 'idle' && reads.whole === 1, 'the first sync of the event');
      const shot: { id: number; sha256: string }[] = [];
      for (let n = 1; n <= 5; n++) {
        const photo = await photoMadeReady(eventId, n);
        shot.push(photo);
        sync.changed(eventId, [photo.id]);
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
      await waitFor(() => inCloud(shot.map((p) => p.sha256)), 'the five new photos to reach the endpoint', 15_000);
      expect(reads.whole).toBe(1);
      expect(reads.readyPhotos.flat().sort((a, b) => a - b)).toEqual(shot.map((p) => p.id));
      // Their faces name the event's person, sent before them by the first sync.
      const faces = await cloud.query<{ person_local_id: string }>(
        'SELECT f.person_local_id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE p.sha256 = ANY($1)',
        [shot.map((p) => p.sha256)],
      );
      expect(faces.map((f) => Number(f.person_local_id))).toEqual([1, 1, 1, 1, 1]);
      await waitFor(() => sync.view(eventId).blobsLeft === 0, 'their files to go up');

      db.prepare("UPDATE persons SET name = 'Ana Lima' WHERE event_id = ?").run(eventId);
      sync.changed(eventId);
      await waitFor(() => cloud.hasPersonNamed(sync.deviceIdOf(eventId), 'Ana Lima'), 'the rename to reach the endpoint', 15_000);
      expect(reads.whole).toBe(2);
    } finally {
      await sync.stop();
    }
  }, 60_000);
});
