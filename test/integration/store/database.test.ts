import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRepositories, currentSchemaVersion, MIGRATIONS, openDatabase, type Database } from '../../../src/store/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let dir: string;
let db: Database;

beforeEach(async () => {
  dir = await makeTempDir();
  db = openDatabase(join(dir, 'shutterfind.db'));
});
afterEach(async () => {
  if (db.open) db.close();
  await removeDir(dir);
});

describe('the installation database', () => {
  it('runs in WAL mode with foreign keys on and a busy timeout', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
  });

  it('has every table the app needs, with vector tables ready for faces and CLIP', () => {
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    for (const t of [
      'events',
      'sources',
      'photos',
      'duplicates',
      'faces',
      'persons',
      'kiosk_sessions',
      'deliveries',
      'jobs',
      'outbox',
      'face_embeddings',
      'clip_embeddings',
    ]) {
      expect(names).toContain(t);
    }
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('vec', 1);
    const insert = db.prepare('INSERT INTO face_embeddings (face_id, event_id, embedding) VALUES (?, ?, ?)');
    const unit = (i: number) => Float32Array.from({ length: 128 }, (_, k) => (k === i ? 1 : 0));
    insert.run(1n, BigInt(event.id), unit(0));
    insert.run(2n, BigInt(event.id), unit(1));
    const nearest = db
      .prepare('SELECT face_id FROM face_embeddings WHERE embedding MATCH ? AND k = 1 AND event_id = ?')
      .all(unit(1), event.id) as { face_id: number }[];
    expect(nearest.map((r) => r.face_id)).toEqual([2]);
  });

  // Every version, with rows in every table: migrations-with-data.test.ts.
  it('migrates a database left at the previous schema version up to the latest, keeping its data', async () => {
    db.close();
    const path = join(dir, 'old.db');
    const old = openDatabase(path, { migrateUpTo: MIGRATIONS.length - 1 });
    expect(currentSchemaVersion(old)).toBe(MIGRATIONS.length - 1);
    // Raw SQL with version-1 columns only: the repositories speak the latest schema.
    old.prepare("INSERT INTO events (id, name, created_at) VALUES (7, 'Gala', 100)").run();
    old
      .prepare(
        "INSERT INTO sources (id, event_id, path, label, state, created_at, updated_at) VALUES (3, 7, '/Volumes/EOS/DCIM', 'Main body', 'watching', 100, 100)",
      )
      .run();
    old
      .prepare(
        `INSERT INTO photos (id, event_id, source_id, path, file_name, format, sha256, size_bytes, mtime_ms, status, landed_at, updated_at)
         VALUES (12, 7, 3, '/Volumes/EOS/DCIM/IMG_0012.JPG', 'IMG_0012.JPG', 'jpeg', 'abc123', 4096, 90, 'pending', 110, 110)`,
      )
      .run();
    old.close();
    db = openDatabase(path);
    expect(currentSchemaVersion(db)).toBe(MIGRATIONS.length);
    const repos = createRepositories(db);
    expect(repos.events.listEvents()).toEqual([{ id: 7, name: 'Gala', createdAt: 100 }]);
    expect(repos.sources.listSources(7)).toEqual([
      { id: 3, eventId: 7, path: '/Volumes/EOS/DCIM', label: 'Main body', state: 'watching', error: null },
    ]);
    expect(repos.photos.getPhoto(12)).toMatchObject({
      eventId: 7,
      sourceId: 3,
      path: '/Volumes/EOS/DCIM/IMG_0012.JPG',
      sha256: 'abc123',
      status: 'pending',
      landedAt: 110,
    });
    // Opening again changes nothing.
    db.close();
    db = openDatabase(path);
    expect(currentSchemaVersion(db)).toBe(MIGRATIONS.length);
  });

  it('refuses a database written by a newer Shutterfind, saying what to do', () => {
    db.close();
    const path = join(dir, 'newer.db');
    const raw = new BetterSqlite3(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(/newer than this Shutterfind.*Update Shutterfind/);
  });
});

describe('the durable job queue', () => {
  function photoWithJob(repos: ReturnType<typeof createRepositories>, eventId: number, n: number, now: number): number {
    return repos.photos.addPhotoWithJob(
      { eventId, sourceId: null, path: `/cam/IMG_${n}.JPG`, sha256: `sha${n}`, format: 'jpeg', sizeBytes: 10, mtimeMs: 1, landedAt: now },
      3,
      now,
    );
  }

  it('records a photo with its previews and faces jobs, and hands each photo to one claimer at a time', () => {
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('wedding', 0);
    for (let i = 0; i < 5; i++) photoWithJob(repos, event.id, i, 1000);
    expect(repos.jobs.queueDepth(event.id)).toBe(10);
    expect(repos.jobs.queueDepthByStage(event.id)).toEqual({ previews: 5, faces: 5, scene: 0 });
    const first = repos.jobs.claimWork('a', 2000, 60_000, 3);
    const second = repos.jobs.claimWork('b', 2000, 60_000, 10);
    expect(first).toHaveLength(3);
    expect(second).toHaveLength(2);
    // One task per photo: its previews job leads, its faces job rides along (one decode).
    for (const work of [...first, ...second]) {
      expect(work.lead.kind).toBe('photo.previews');
      expect(work.carried.map((j) => [j.kind, j.photoId, j.state])).toEqual([['photo.faces', work.lead.photoId, 'leased']]);
    }
    expect(new Set([...first, ...second].map((w) => w.lead.photoId)).size).toBe(5);
    expect(repos.jobs.claimWork('c', 2000, 60_000, 10)).toHaveLength(0);
  });

  it('hands out a frame just shot before a backlog of older photos', () => {
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('wedding', 0);
    const add = (n: number, priority: number) =>
      repos.photos.addPhotoWithJob(
        {
          eventId: event.id,
          sourceId: null,
          path: `/cam/IMG_${n}.JPG`,
          sha256: `sha${n}`,
          format: 'jpeg',
          sizeBytes: 10,
          mtimeMs: 1,
          landedAt: n,
        },
        3,
        n,
        priority,
      );
    for (let i = 0; i < 5; i++) add(i, 0);
    const live = add(99, 10);
    expect(repos.jobs.claimWork('a', 1000, 60_000, 1)[0]?.lead.photoId).toBe(live);
    expect(repos.jobs.claimWork('a', 1000, 60_000, 1)[0]?.lead.photoId).not.toBe(live);
  });

  it('takes back a job whose lease ran out (its worker hung or the app was killed), with the jobs it carried', () => {
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('wedding', 0);
    photoWithJob(repos, event.id, 1, 1000);
    const [work] = repos.jobs.claimWork('a', 1000, 5000, 1);
    expect(repos.jobs.claimWork('b', 5999, 5000, 1)).toHaveLength(0);
    const [again] = repos.jobs.claimWork('b', 6000, 5000, 1);
    expect(again?.lead.id).toBe(work?.lead.id);
    expect(again?.lead.attempts).toBe(2);
    expect(again?.carried.map((j) => [j.id, j.attempts, j.leaseOwner])).toEqual([[work!.carried[0]!.id, 2, 'b']]);
  });

  it('releases every lease at start-up so interrupted work resumes at once', () => {
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('wedding', 0);
    photoWithJob(repos, event.id, 1, 1000);
    repos.jobs.claimWork('dead-process', 1000, 600_000, 1);
    expect(repos.jobs.releaseAllLeases(2000)).toBe(2);
    expect(repos.jobs.claimWork('new-process', 2000, 600_000, 1)).toHaveLength(1);
  });

  it('does not hand out a retry before its backoff time, and retries a failed photo on request', () => {
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('wedding', 0);
    const photoId = photoWithJob(repos, event.id, 1, 1000);
    const jobIds = (w: { lead: { id: number }; carried: { id: number }[] } | undefined) => [w!.lead.id, ...w!.carried.map((j) => j.id)];
    const [work] = repos.jobs.claimWork('a', 1000, 60_000, 1);
    repos.photos.requeuePhotoWork(photoId, jobIds(work), 'disk full', 9000, 1100);
    expect(repos.photos.getPhoto(photoId)?.status).toBe('pending');
    expect(repos.jobs.claimWork('a', 8999, 60_000, 1)).toHaveLength(0);
    expect(repos.jobs.nextDueAt()).toBe(9000);
    const [retry] = repos.jobs.claimWork('a', 9000, 60_000, 1);
    expect(retry?.carried).toHaveLength(1);
    repos.photos.failPhotoWork(photoId, jobIds(retry), 'corrupt', 9100);
    expect(repos.photos.getPhoto(photoId)?.status).toBe('failed');
    expect(
      repos.jobs
        .listFailedJobs(event.id)
        .map((j) => j.kind)
        .sort(),
    ).toEqual(['photo.faces', 'photo.previews']);
    expect(repos.photos.retryFailedPhotoJobs(event.id, 9200)).toBe(1);
    expect(repos.photos.getPhoto(photoId)?.status).toBe('pending');
    const [again] = repos.jobs.claimWork('a', 9200, 60_000, 1);
    expect([again?.lead.attempts, again?.carried.map((j) => j.attempts)]).toEqual([1, [1]]);
  });
});

describe('photos and duplicates', () => {
  it('moves a photo to its new name when the tethering tool renamed the file', () => {
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('wedding', 0);
    const id = repos.photos.addPhotoWithJob(
      { eventId: event.id, sourceId: null, path: '/cam/IMG_1.CR3', sha256: 'abc', format: 'cr3', sizeBytes: 10, mtimeMs: 1, landedAt: 0 },
      3,
      0,
    );
    repos.photos.recordDuplicate(
      {
        eventId: event.id,
        sourceId: null,
        path: '/cam/Smith_0001.CR3',
        sha256: 'abc',
        photoId: id,
        kind: 'rename',
        sizeBytes: 10,
        mtimeMs: 2,
      },
      5,
    );
    expect(repos.photos.getPhoto(id)?.path).toBe('/cam/Smith_0001.CR3');
    expect(repos.photos.countPhotos(event.id)).toMatchObject({ total: 1, duplicates: 1 });
  });

  it('replaces the error row of a file that could not be read once it is readable and recorded', () => {
    const repos = createRepositories(db);
    const event = repos.events.ensureEvent('wedding', 0);
    const failed = {
      eventId: event.id,
      sourceId: null,
      path: '/cam/a.jpg',
      error: 'truncated',
      format: 'jpeg',
      sizeBytes: 5,
      mtimeMs: 1,
      landedAt: 0,
    };
    repos.photos.recordFailedFile(failed, 1);
    repos.photos.recordFailedFile({ ...failed, error: 'still truncated' }, 2);
    expect(repos.photos.countPhotos(event.id)).toMatchObject({ total: 1, failed: 1 });
    expect(repos.photos.recentErrors(event.id, 10)[0]?.error).toBe('still truncated');
    repos.photos.addPhotoWithJob({ ...failed, sha256: 'good', sizeBytes: 10, mtimeMs: 3 }, 3, 3);
    expect(repos.photos.countPhotos(event.id)).toMatchObject({ total: 1, failed: 0, pending: 1 });
  });
});
