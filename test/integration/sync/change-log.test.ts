// The differ on a real SQLite database: an event of 2,000 photos is read a page of photos at a
// time, each row once, media files are hashed once, unchanged state makes no operation, and sequence
// numbers never repeat, even after the newest operations left the log.
import { createHash } from 'node:crypto';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncOperation } from '../../../src/api/index.js';
import { recordChanges, wholeEventRows } from '../../../src/sync/change-log.js';
import { formatStamp, tickClock } from '../../../src/sync/hybrid-clock.js';
import { payloadDigest } from '../../../src/sync/state-differ.js';
import type { SyncRepository } from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';
import { enrolForTest } from '../../support/sync-enrolment.js';

const PHOTOS = 2000;
const T = Date.UTC(2026, 5, 1, 18, 0, 0);
const DEVICE = 'laptopA_0123456789abcd';
const temp = useTempDatabase();

/** An event of `PHOTOS` ready photos, two faces each, ten persons, with thumbnails and previews on disk. */
async function fillEvent(): Promise<number> {
  const { db, dir } = temp;
  const eventId = Number(db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?)').run('Gala', T).lastInsertRowid);
  await mkdir(join(dir, 'media'), { recursive: true });
  for (let i = 1; i <= 10; i++)
    db.prepare('INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(eventId, null, T, T);
  const photo = db.prepare(
    `INSERT INTO photos (event_id, path, file_name, sha256, size_bytes, status, landed_at, width, height, captured_at, preview_path, thumbnail_path, updated_at)
     VALUES (?, ?, ?, ?, 1000, 'ready', ?, 6000, 4000, ?, ?, ?, ?)`,
  );
  const face = db.prepare(
    'INSERT INTO faces (photo_id, event_id, person_id, box_x, box_y, box_w, box_h, score, created_at) VALUES (?, ?, ?, 10, 20, 30, 40, 0.9, ?)',
  );
  const files: Promise<void>[] = [];
  db.transaction(() => {
    for (let i = 0; i < PHOTOS; i++) {
      const sha = createHash('sha256').update(`photo ${i}`).digest('hex');
      const thumb = join('media', `t${i}.webp`);
      const preview = join('media', `p${i}.jpg`);
      files.push(writeFile(join(dir, thumb), `thumb ${i}`), writeFile(join(dir, preview), `preview ${i}`));
      const id = Number(photo.run(eventId, `/cards/IMG_${i}.JPG`, `IMG_${i}.JPG`, sha, T, T + i, preview, thumb, T).lastInsertRowid);
      face.run(id, eventId, (i % 10) + 1, T);
      face.run(id, eventId, null, T);
    }
  })();
  await Promise.all(files);
  return eventId;
}

function enrol(eventId: number, nextSeq = 1, policy: { uploadOriginals?: boolean; cloudFaceSearch?: boolean } = {}): void {
  enrolForTest(temp.repos, eventId, T, { nextSeq, ...policy });
}

const deps = (now = () => T + 60_000) => ({
  repo: temp.repos.sync,
  dataDir: temp.dir,
  deviceId: DEVICE,
  attendeeMediaPath: async (photoId: number, kind: 'thumb' | 'preview') => {
    const p = temp.repos.photos.getPhoto(photoId)!;
    return kind === 'thumb' ? p.thumbnailPath : p.previewPath;
  },
  now,
});

describe('the operation log of an enrolled event', () => {
  it('reads an event of 2,000 photos and 4,000 faces a page at a time: each photo and face once, in order', async () => {
    const eventId = await fillEvent();
    const rows = await wholeEventRows(temp.repos.sync, eventId);
    const ids = (xs: readonly { id: number }[]) => xs.map((x) => x.id);
    const inOrder = (xs: readonly number[]) => [...new Set(xs)].sort((a, b) => a - b);
    expect(rows.photos).toHaveLength(PHOTOS);
    expect(ids(rows.photos)).toEqual(inOrder(ids(rows.photos)));
    expect(rows.faces).toHaveLength(2 * PHOTOS);
    expect(ids(rows.faces)).toEqual(inOrder(ids(rows.faces)));
    expect(rows.persons).toHaveLength(10);
  });

  it('logs every entity once with consecutive sequence numbers and valid stamps, and nothing when nothing changed', async () => {
    const eventId = await fillEvent();
    enrol(eventId, 41);
    const appended = await recordChanges(deps(), eventId);
    expect(appended).toBe(10 + PHOTOS + 2 * PHOTOS);
    const ops = temp.repos.sync.opsFrom(eventId, 1, 10_000);
    expect(ops.map((o) => o.seq)).toEqual(Array.from({ length: appended }, (_, i) => 41 + i));
    const parsed = ops.map((o) => syncOperation.parse(JSON.parse(o.json)));
    expect(parsed.map((o) => o.hlc)).toEqual([...parsed.map((o) => o.hlc)].sort());
    expect(new Set(parsed.map((o) => o.hlc)).size).toBe(parsed.length);
    expect(temp.repos.sync.blobsLeft(eventId).count).toBe(2 * PHOTOS);

    // Hashes come from the cache the second time: no file is hashed again, and no operation is made.
    const hashed: string[] = [];
    const repo: SyncRepository = {
      ...temp.repos.sync,
      saveHashes: (made) => {
        hashed.push(...made.map((h) => h.path));
        temp.repos.sync.saveHashes(made);
      },
    };
    expect(await recordChanges({ ...deps(), repo }, eventId)).toBe(0);
    expect(hashed).toEqual([]);
  });

  it('hashes a media file again only when its size or modification time changed, and sends its photo again then', async () => {
    const eventId = await fillEvent();
    const thumb = (i: number) => join(temp.dir, 'media', `t${i}.webp`);
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const then = new Date(T + 1_000);
    await utimes(thumb(0), then, then);
    enrol(eventId);
    await recordChanges(deps(), eventId);
    const before = temp.repos.sync.enrolment(eventId)!.nextSeq;
    // Rewritten with the same size and its old modification time: trusted from the cache, not read.
    await writeFile(thumb(0), 'thumb X');
    await utimes(thumb(0), then, then);
    // Rewritten later (a blurred copy made again): read, hashed, and its photo sent again with it.
    await writeFile(thumb(1), 'thumb Y');
    await utimes(thumb(1), new Date(T + 5_000), new Date(T + 5_000));

    expect(await recordChanges(deps(), eventId)).toBe(1);
    const [put] = temp.repos.sync.opsFrom(eventId, before, 10);
    expect(JSON.parse(put!.json)).toMatchObject({ kind: 'photo.put', thumb: { sha256: sha256('thumb Y') } });
    expect(temp.repos.sync.cachedHashes([thumb(0), thumb(1)])).toEqual(
      new Map([
        [thumb(0), { size: 7, mtimeMs: T + 1_000, sha256: sha256('thumb 0') }],
        [thumb(1), { size: 7, mtimeMs: T + 5_000, sha256: sha256('thumb Y') }],
      ]),
    );
  });

  it('never gives a sequence number twice, even after the newest operations were acknowledged and left the log', async () => {
    const eventId = await fillEvent();
    enrol(eventId);
    await recordChanges(deps(), eventId);
    const last = temp.repos.sync.enrolment(eventId)!.nextSeq - 1;
    temp.repos.sync.acknowledge(eventId, last);
    expect(temp.repos.sync.opsLeft(eventId)).toBe(0);

    temp.db.prepare('UPDATE persons SET name = ? WHERE event_id = ? AND id = 1').run('Ana', eventId);
    expect(await recordChanges(deps(), eventId)).toBe(1);
    const [rename] = temp.repos.sync.opsFrom(eventId, 1, 10);
    expect(rename!.seq).toBe(last + 1);
    expect(JSON.parse(rename!.json)).toMatchObject({ kind: 'person.put', personId: 1, name: 'Ana' });
  });

  it('turns a photo that is gone into a tombstone after the removal of its faces', async () => {
    const eventId = await fillEvent();
    enrol(eventId);
    await recordChanges(deps(), eventId);
    const before = temp.repos.sync.enrolment(eventId)!.nextSeq;
    temp.db.prepare('DELETE FROM photos WHERE id = 1').run();
    expect(await recordChanges(deps(), eventId)).toBe(3);
    expect(temp.repos.sync.opsFrom(eventId, before, 10).map((o) => o.kind)).toEqual(['face.remove', 'face.remove', 'photo.remove']);
  });

  it("reads the whole event a page of photos at a time, and what changes between two pages is the next run's", async () => {
    const eventId = await fillEvent();
    enrol(eventId);
    await recordChanges(deps(), eventId);
    const before = temp.repos.sync.enrolment(eventId)!.nextSeq;
    // While the next run reads, once it has its first page: photo 1 (on that page) is merged away,
    // and a new photo lands (after the last page).
    let pages = 0;
    const repo: SyncRepository = {
      ...temp.repos.sync,
      sourcePhotoPage: (id, after, limit) => {
        const page = temp.repos.sync.sourcePhotoPage(id, after, limit);
        if (++pages === 1) {
          temp.db.prepare('DELETE FROM photos WHERE id = 1').run();
          const landed = temp.db
            .prepare(
              `INSERT INTO photos (event_id, path, file_name, sha256, size_bytes, status, landed_at, width, height, preview_path, thumbnail_path, updated_at)
               VALUES (?, '/cards/IMG_NEW.JPG', 'IMG_NEW.JPG', ?, 1000, 'ready', ?, 6000, 4000, 'media/t0.webp', 'media/p0.jpg', ?)`,
            )
            .run(eventId, 'f'.repeat(64), T, T).lastInsertRowid;
          temp.db
            .prepare(
              'INSERT INTO faces (photo_id, event_id, box_x, box_y, box_w, box_h, score, created_at) VALUES (?, ?, 1, 2, 3, 4, 0.9, ?)',
            )
            .run(landed, eventId, T);
        }
        return page;
      },
    };
    // This run read photo 1 before it went, and the new photo on its last page. (No face is
    // hidden: the media paths are the rows' own.)
    expect(await recordChanges({ ...deps(), repo, showsEveryFace: () => true }, eventId)).toBe(2);
    expect(pages).toBe(Math.ceil((PHOTOS + 1) / 500));
    expect(temp.repos.sync.opsFrom(eventId, before, 10).map((o) => o.kind)).toEqual(['photo.put', 'face.put']);
    // The next run takes photo 1 for gone; then nothing is left to send.
    expect(await recordChanges(deps(), eventId)).toBe(3);
    expect(temp.repos.sync.opsFrom(eventId, before + 2, 10).map((o) => o.kind)).toEqual(['face.remove', 'face.remove', 'photo.remove']);
    expect(await recordChanges(deps(), eventId)).toBe(0);
  });

  it('writes a large run a slice at a time: a run stopped after its first slice leaves a log the next run completes, each entity once', async () => {
    const eventId = await fillEvent();
    enrol(eventId);
    // The disk fills (or the laptop is shut) after the first slice of 6,010 operations is written.
    let writes = 0;
    const failing: SyncRepository = {
      ...temp.repos.sync,
      appendChanges: (...args) => {
        if (++writes === 2) throw new Error('SQLITE_FULL: database or disk is full');
        return temp.repos.sync.appendChanges(...args);
      },
    };
    await expect(recordChanges({ ...deps(), repo: failing }, eventId)).rejects.toThrow(/disk is full/);
    // What was written is whole, in order, and can be sent already: the persons first.
    const first = temp.repos.sync.opsFrom(eventId, 1, 10_000);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(10 + 3 * PHOTOS);
    expect(first.slice(0, 10).map((o) => o.kind)).toEqual(Array(10).fill('person.put'));

    // The next run writes the rest, nothing twice; then nothing is left.
    const rest = await recordChanges(deps(), eventId);
    expect(first.length + rest).toBe(10 + 3 * PHOTOS);
    const ops = temp.repos.sync.opsFrom(eventId, 1, 10_000);
    expect(ops.map((o) => o.seq)).toEqual(Array.from({ length: ops.length }, (_, i) => i + 1));
    const keys = ops.map((o) => {
      const op = syncOperation.parse(JSON.parse(o.json));
      return op.kind === 'photo.put' ? op.sha256 : op.kind === 'face.put' ? `face ${op.faceId}` : `${op.kind} ${JSON.stringify(op)}`;
    });
    expect(new Set(keys).size).toBe(10 + 3 * PHOTOS);
    expect(await recordChanges(deps(), eventId)).toBe(0);
  });

  it('says what the event holds even when another run writes the log while this one reads what was sent', async () => {
    const eventId = await fillEvent();
    enrol(eventId);
    await recordChanges(deps(), eventId);
    temp.db.prepare('UPDATE persons SET name = ? WHERE event_id = ? AND id = 1').run('Ana', eventId);
    expect(await recordChanges(deps(), eventId)).toBe(1);
    const before = temp.repos.sync.enrolment(eventId)!.nextSeq;
    // As this run reads what was sent (Ana), another one that had read the event a moment earlier,
    // while she was briefly "Anna", puts that. The event says Ana.
    let pages = 0;
    const repo: SyncRepository = {
      ...temp.repos.sync,
      sentDigestPage: (id, after, limit) => {
        const page = temp.repos.sync.sentDigestPage(id, after, limit);
        if (++pages === 1) {
          const anna = { kind: 'person.put' as const, personId: 1, name: 'Anna', doNotPublish: false };
          temp.repos.sync.appendChanges(eventId, T, (current) => ({
            ops: [{ kind: anna.kind, json: JSON.stringify({ hlc: formatStamp(tickClock(current.hlc, T), DEVICE), ...anna }) }],
            digests: [{ entityKind: 'person', entityKey: '1', digest: payloadDigest(anna) }],
            hlc: tickClock(current.hlc, T),
            blobs: [],
          }));
        }
        return page;
      },
    };
    expect(await recordChanges({ ...deps(), repo }, eventId)).toBe(1);
    const names = temp.repos.sync.opsFrom(eventId, before, 10).map((o) => JSON.parse(o.json) as { name: string });
    expect(names.map((o) => o.name)).toEqual(['Anna', 'Ana']);
    expect(await recordChanges(deps(), eventId)).toBe(0);
  });

  it('sends face descriptors and originals only when the cloud event opts in', async () => {
    const eventId = await fillEvent();
    const descriptor = Float32Array.from({ length: 128 }, (_, i) => i / 128);
    temp.db
      .prepare('INSERT INTO face_embeddings (face_id, event_id, embedding) VALUES (?, ?, ?)')
      .run(1n, BigInt(eventId), Buffer.from(descriptor.buffer));
    const firstOps = async (): Promise<{ face: { descriptor: string | null }; photo: { original: unknown } }> => {
      const ops = temp.repos.sync
        .opsFrom(eventId, 1, 100_000)
        .map((o) => JSON.parse(o.json) as { kind: string; faceId?: number; sha256?: string });
      return {
        face: ops.find((o) => o.kind === 'face.put' && o.faceId === 1) as never,
        photo: ops.find((o) => o.kind === 'photo.put') as never,
      };
    };

    enrol(eventId);
    await recordChanges(deps(), eventId);
    const closed = await firstOps();
    expect(closed.face.descriptor).toBeNull();
    expect(closed.photo.original).toBeNull();
    expect(temp.repos.sync.pendingBlobs(eventId, 10_000).some((b) => b.kind === 'original')).toBe(false);

    enrol(eventId, 1, { uploadOriginals: true, cloudFaceSearch: true });
    await recordChanges(deps(), eventId);
    const open = await firstOps();
    expect(Buffer.from(open.face.descriptor!, 'base64').equals(Buffer.from(descriptor.buffer))).toBe(true);
    const photo = temp.repos.photos.getPhoto(1)!;
    expect(open.photo.original).toEqual({ sha256: photo.sha256, size: 1000 });
    expect(temp.repos.sync.pendingBlobs(eventId, 10_000).filter((b) => b.kind === 'original')).toHaveLength(PHOTOS);
  });

  it('moves the files of photos an attendee takes home to the front of the queue, even when they were queued before', async () => {
    const eventId = await fillEvent();
    enrol(eventId);
    await recordChanges(deps(), eventId);
    const before = temp.repos.sync.pendingBlobs(eventId, 4);
    expect(before.map((b) => b.kind)).toEqual(['thumb', 'thumb', 'thumb', 'thumb']);
    // A take-home link for the last photo to land: nothing of the photo itself changed.
    const last = temp.db
      .prepare<[number], { id: number }>('SELECT id FROM photos WHERE event_id = ? ORDER BY id DESC LIMIT 1')
      .get(eventId)!;
    temp.repos.galleries.addLink('a'.repeat(64), eventId, null, [last.id], T + 1, T + 86_400_000);
    await recordChanges(deps(), eventId);
    const p = temp.repos.photos.getPhoto(last.id)!;
    const sha = (path: string) =>
      createHash('sha256')
        .update(path.startsWith('media/t') ? `thumb ${path.slice(7, -5)}` : `preview ${path.slice(7, -4)}`)
        .digest('hex');
    const front = temp.repos.sync.pendingBlobs(eventId, 3);
    expect(front.slice(0, 2).map((b) => [b.kind, b.sha256])).toEqual([
      ['thumb', sha(p.thumbnailPath!)],
      ['preview', sha(p.previewPath!)],
    ]);
    expect(front[2]!.kind).toBe('thumb');
  });

  it('reads a photo just made ready alone: the operations a whole-event run would give for it, and nothing taken for gone', async () => {
    const eventId = await fillEvent();
    enrol(eventId);
    await recordChanges(deps(), eventId);
    const before = temp.repos.sync.enrolment(eventId)!.nextSeq;
    // Meanwhile, unsignalled: a photo removed. Then a photo made ready, with a face of a new person.
    temp.db.prepare('DELETE FROM photos WHERE id = 1').run();
    const { db, dir } = temp;
    const person = Number(
      db.prepare('INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, NULL, ?, ?)').run(eventId, T, T).lastInsertRowid,
    );
    await writeFile(join(dir, 'media', 'tnew.webp'), 'thumb new');
    await writeFile(join(dir, 'media', 'pnew.jpg'), 'preview new');
    const photoId = Number(
      db
        .prepare(
          `INSERT INTO photos (event_id, path, file_name, sha256, size_bytes, status, landed_at, width, height, captured_at, preview_path, thumbnail_path, updated_at)
           VALUES (?, '/cards/IMG_NEW.JPG', 'IMG_NEW.JPG', ?, 1000, 'ready', ?, 6000, 4000, ?, 'media/pnew.jpg', 'media/tnew.webp', ?)`,
        )
        .run(eventId, 'e'.repeat(64), T, T, T).lastInsertRowid,
    );
    const face = db.prepare(
      'INSERT INTO faces (photo_id, event_id, person_id, box_x, box_y, box_w, box_h, score, created_at) VALUES (?, ?, ?, 1, 2, 3, 4, 0.9, ?)',
    );
    face.run(photoId, eventId, person, T);
    face.run(photoId, eventId, 1, T);

    expect(await recordChanges(deps(), eventId, [photoId])).toBe(4);
    const ops = temp.repos.sync.opsFrom(eventId, before, 10).map((o) => JSON.parse(o.json) as { kind: string; personId?: number });
    expect(ops.map((o) => o.kind)).toEqual(['person.put', 'photo.put', 'face.put', 'face.put']);
    expect(ops[0]).toMatchObject({ personId: person });
    expect(ops[2]).toMatchObject({ personId: person });
    expect(temp.repos.sync.pendingBlobs(eventId, 10_000).filter((b) => b.path.includes('new'))).toHaveLength(2);

    // The whole event read next finds the removal, and the new photo exactly as sent.
    const next = temp.repos.sync.enrolment(eventId)!.nextSeq;
    expect(await recordChanges(deps(), eventId)).toBe(3);
    expect(temp.repos.sync.opsFrom(eventId, next, 10).map((o) => o.kind)).toEqual(['face.remove', 'face.remove', 'photo.remove']);
  });
});
