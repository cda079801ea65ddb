// One job kind per stage: migration 0007 carries the jobs of a version-6 database over (one
// processing job becomes a previews job and a faces job), and the queue runs a photo's stages on
// one decode while a stage can still be run again on its own for a whole event.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRepositories,
  currentSchemaVersion,
  MIGRATIONS,
  openDatabase,
  type Database,
  type NewFace,
  type Repositories,
} from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const T = Date.UTC(2024, 5, 15, 13, 0, 0);

describe('migration 0007: one job kind per stage', () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    if (db?.open) db.close();
    await removeDir(dir);
  });

  /** A version-6 database with a photo per job state, as an engine stopped mid-import leaves it. */
  function version6(path: string): void {
    const old = openDatabase(path, { migrateUpTo: 6 });
    old.prepare("INSERT INTO events (id, name, created_at) VALUES (1, 'wedding', ?)").run(T);
    const photo = old.prepare(
      `INSERT INTO photos (id, event_id, path, file_name, format, sha256, size_bytes, mtime_ms, status, error, landed_at, preview_path, updated_at)
       VALUES (?, 1, ?, ?, 'jpeg', ?, 10, 1, ?, ?, ?, ?, ?)`,
    );
    const states = [
      [1, 'ready', null],
      [2, 'pending', null],
      [3, 'processing', null],
      [4, 'failed', 'Cannot read IMG_4.JPG: the file is truncated (premature end of image data)'],
      [5, 'ready', null],
    ] as const;
    for (const [id, status, error] of states) {
      photo.run(
        id,
        `/card/IMG_${id}.JPG`,
        `IMG_${id}.JPG`,
        `sha${id}`,
        status,
        error,
        T + id,
        status === 'ready' ? `previews/sha${id}.jpg` : null,
        T + id,
      );
    }
    const job = old.prepare(
      `INSERT INTO jobs (id, kind, event_id, photo_id, state, priority, attempts, max_attempts, run_after, lease_owner, lease_expires_at, last_error, created_at, updated_at, finished_at)
       VALUES (@id, @kind, 1, @photoId, @state, @priority, @attempts, 3, @runAfter, @leaseOwner, @leaseExpiresAt, @lastError, @runAfter, @runAfter, @finishedAt)`,
    );
    const base = { priority: 0, attempts: 1, runAfter: T, leaseOwner: null, leaseExpiresAt: null, lastError: null, finishedAt: null };
    job.run({ ...base, id: 1, kind: 'photo.process', photoId: 1, state: 'done', finishedAt: T + 5_000 });
    job.run({
      ...base,
      id: 2,
      kind: 'photo.process',
      photoId: 2,
      state: 'queued',
      priority: 10,
      attempts: 1,
      runAfter: T + 60_000,
      lastError: 'EBUSY: resource busy or locked',
    });
    job.run({ ...base, id: 3, kind: 'photo.process', photoId: 3, state: 'leased', leaseOwner: 'laptop:4242', leaseExpiresAt: T + 300_000 });
    job.run({
      ...base,
      id: 4,
      kind: 'photo.process',
      photoId: 4,
      state: 'failed',
      attempts: 3,
      lastError: states[3][2],
      finishedAt: T + 9_000,
    });
    job.run({ ...base, id: 5, kind: 'photo.process', photoId: 5, state: 'done', finishedAt: T + 6_000 });
    job.run({ ...base, id: 6, kind: 'photo.clip', photoId: 5, state: 'queued', priority: -10, attempts: 0 });
    job.run({ ...base, id: 7, kind: 'photo.clip', photoId: 1, state: 'done', priority: -10, finishedAt: T + 7_000 });
    old.close();
  }

  it('renames the kinds, gives every open processing job a faces job beside it, and keeps the history', () => {
    const path = join(dir, 'shutterfind.db');
    version6(path);
    db = openDatabase(path);
    expect(currentSchemaVersion(db)).toBe(MIGRATIONS.length);
    const repos = createRepositories(db);

    expect(repos.jobs.getJob(1)).toMatchObject({ kind: 'photo.previews', state: 'done', attempts: 1, note: null });
    expect(repos.jobs.getJob(5)).toMatchObject({ kind: 'photo.previews', state: 'done' });
    // Waiting out a backoff: it keeps its time, attempts and error.
    expect(repos.jobs.getJob(2)).toMatchObject({
      kind: 'photo.previews',
      state: 'queued',
      priority: 10,
      attempts: 1,
      runAfter: T + 60_000,
      lastError: 'EBUSY: resource busy or locked',
    });
    // The engine that leased it is gone: queued again, so its faces job goes with it.
    expect(repos.jobs.getJob(3)).toMatchObject({
      kind: 'photo.previews',
      state: 'queued',
      leaseOwner: null,
      leaseExpiresAt: null,
      attempts: 1,
    });
    expect(repos.jobs.getJob(4)).toMatchObject({
      kind: 'photo.previews',
      state: 'failed',
      attempts: 3,
      lastError: expect.stringMatching(/truncated/),
    });
    expect(repos.jobs.getJob(6)).toMatchObject({ kind: 'photo.scene', state: 'queued', priority: -10 });
    expect(repos.jobs.getJob(7)).toMatchObject({ kind: 'photo.scene', state: 'done' });

    const added = db.prepare('SELECT * FROM jobs WHERE id > 7 ORDER BY photo_id').all() as Record<string, unknown>[];
    expect(added.map((j) => [j.kind, j.photo_id, j.state, j.priority, j.max_attempts, j.attempts, j.run_after])).toEqual([
      ['photo.faces', 2, 'queued', 10, 3, 0, T + 60_000],
      ['photo.faces', 3, 'queued', 0, 3, 0, T],
      // Its faces were never looked for either: `retry` brings both jobs back.
      ['photo.faces', 4, 'failed', 0, 3, 0, T],
    ]);
    expect(repos.jobs.queueDepthByStage(1)).toEqual({ previews: 2, faces: 2, scene: 1 });

    // The queue runs each open photo as one task, previews leading.
    const claimed = repos.jobs.claimWork('new-engine', T + 60_000, 60_000, 10);
    expect(claimed.map((w) => [w.lead.kind, w.lead.photoId, w.carried.map((j) => j.kind)])).toEqual([
      ['photo.previews', 2, ['photo.faces']],
      ['photo.previews', 3, ['photo.faces']],
      ['photo.scene', 5, []],
    ]);
    expect(repos.photos.retryFailedPhotoJobs(1, T + 70_000)).toBe(1);
    expect(repos.jobs.claimWork('new-engine', T + 70_000, 60_000, 10).map((w) => [w.lead.id, w.carried.map((j) => j.kind)])).toEqual([
      [4, ['photo.faces']],
    ]);
  });

  it('keeps one open job per photo and stage', () => {
    const path = join(dir, 'shutterfind.db');
    version6(path);
    db = openDatabase(path);
    const repos = createRepositories(db);
    repos.jobs.enqueueJob({ kind: 'photo.faces', eventId: 1, photoId: 2, maxAttempts: 3, runAfter: T }, T);
    repos.jobs.enqueueJob({ kind: 'photo.previews', eventId: 1, photoId: 3, maxAttempts: 3, runAfter: T }, T);
    expect(repos.jobs.queueDepthByStage(1)).toEqual({ previews: 2, faces: 2, scene: 1 });
  });
});

describe('the queue with one job kind per stage', () => {
  const temp = useTempDatabase();

  function face(box: NewFace['box'], axis: number): NewFace {
    const embedding = new Float32Array(128);
    embedding[axis] = 1;
    return {
      box,
      landmarks: new Float32Array(136),
      score: 0.99,
      quality: 0.8,
      sharpness: 0.6,
      frontal: 0.9,
      sizePx: box[2],
      cropPath: null,
      embedding,
    };
  }
  const rendered = (sha: string) => ({
    width: 6000,
    height: 4000,
    capturedAt: T,
    capturedOffsetMinutes: null,
    cameraMake: 'Canon',
    cameraModel: 'EOS R5',
    cameraSerial: '0123',
    lens: null,
    orientation: 1,
    phash: '0f0f0f0f0f0f0f0f',
    previewPath: `previews/${sha}.jpg`,
    thumbnailPath: `thumbnails/${sha}.webp`,
    fileHashes: [],
  });
  const ids = (w: { lead: { id: number }; carried: { id: number }[] }) => [w.lead.id, ...w.carried.map((j) => j.id)];

  /** A photo processed once, the way the scheduler saves a first task: previews and faces together. */
  function readyPhoto(repos: Repositories, eventId: number, n: number, faces: NewFace[]): number {
    const photoId = repos.photos.addPhotoWithJob(
      { eventId, sourceId: null, path: `/card/IMG_${n}.JPG`, sha256: `sha${n}`, format: 'jpeg', sizeBytes: 10, mtimeMs: 1, landedAt: T },
      3,
      T,
    );
    const [work] = repos.jobs.claimWork('engine', T, 60_000, 1);
    expect(work?.lead.photoId).toBe(photoId);
    repos.photos.completePhotoWork(
      photoId,
      ids(work!).map((jobId) => ({ jobId })),
      { rendered: rendered(`sha${n}`), faces },
      T + 1_000,
    );
    return photoId;
  }

  it('queues one stage again for the photos that can run it, leaving failed photos to retry', () => {
    const { repos } = temp;
    const eventId = repos.events.ensureEvent('wedding', T).id;
    const ready = [1, 2].map((n) => readyPhoto(repos, eventId, n, []));
    // Still waiting for its first task: its faces job is already queued.
    const pending = repos.photos.addPhotoWithJob(
      { eventId, sourceId: null, path: '/card/IMG_3.JPG', sha256: 'sha3', format: 'jpeg', sizeBytes: 10, mtimeMs: 1, landedAt: T },
      3,
      T,
    );
    const failed = repos.photos.addPhotoWithJob(
      { eventId, sourceId: null, path: '/card/IMG_4.JPG', sha256: 'sha4', format: 'jpeg', sizeBytes: 10, mtimeMs: 1, landedAt: T },
      3,
      T,
    );
    const [work] = repos.jobs.claimWork('engine', T, 60_000, 1);
    expect(work?.lead.photoId).toBe(pending);
    repos.jobs.releaseAllLeases(T);
    const failing = repos.jobs.claimWork('engine', T, 60_000, 2).find((w) => w.lead.photoId === failed)!;
    repos.photos.failPhotoWork(failed, ids(failing), 'Cannot read IMG_4.JPG: the file is gone', T);
    repos.jobs.releaseAllLeases(T);

    const faces = repos.jobs.enqueueStageForEvent(eventId, 'faces', { priority: -5, maxAttempts: 3, now: T + 10_000 });
    expect(faces).toMatchObject({ photos: 3, failedPhotos: 1 });
    expect(faces.jobIds.map((id) => repos.jobs.getJob(id)?.photoId)).toEqual(ready);
    // Scene search works from the stored preview: only ready photos have one.
    expect(repos.jobs.enqueueStageForEvent(eventId, 'scene', { priority: -5, maxAttempts: 3, now: T + 10_000 })).toMatchObject({
      photos: 2,
    });
    expect(repos.jobs.queueDepthByStage(eventId)).toEqual({ previews: 1, faces: 3, scene: 2 });
    // Asking again while they wait adds nothing.
    expect(repos.jobs.enqueueStageForEvent(eventId, 'faces', { priority: -5, maxAttempts: 3, now: T + 11_000 }).jobIds).toEqual([]);

    // The pending photo runs as one task; the ready photos' faces and scene jobs run on their own.
    const claimed = repos.jobs.claimWork('engine', T + 10_000, 60_000, 10);
    expect(claimed.map((w) => [w.lead.photoId, w.lead.kind, w.carried.map((j) => j.kind)])).toEqual([
      [pending, 'photo.previews', ['photo.faces']],
      [ready[0], 'photo.faces', []],
      [ready[1], 'photo.faces', []],
      [ready[0], 'photo.scene', []],
      [ready[1], 'photo.scene', []],
    ]);
  });

  it('lets a faces job wait while its photo has a previews job open, then runs it with that one', () => {
    const { repos } = temp;
    const eventId = repos.events.ensureEvent('wedding', T).id;
    const photoId = readyPhoto(repos, eventId, 1, []);
    repos.jobs.enqueueJob({ kind: 'photo.previews', eventId, photoId, maxAttempts: 3, runAfter: T + 50_000 }, T);
    repos.jobs.enqueueJob({ kind: 'photo.faces', eventId, photoId, maxAttempts: 3, runAfter: T }, T);
    expect(repos.jobs.claimWork('engine', T + 10_000, 60_000, 10)).toEqual([]);
    // Nothing to wake up for before the previews job is due.
    expect(repos.jobs.nextClaimableDueAt()).toBe(T + 50_000);
    const [work] = repos.jobs.claimWork('engine', T + 50_000, 60_000, 10);
    expect([work?.lead.kind, work?.carried.map((j) => j.kind)]).toEqual(['photo.previews', ['photo.faces']]);
  });

  it('keeps a ready photo ready through a faces re-run, its previews untouched, and records a failed re-run on the job', () => {
    const { repos } = temp;
    const eventId = repos.events.ensureEvent('wedding', T).id;
    const photoId = readyPhoto(repos, eventId, 1, [face([100, 100, 200, 200], 0)]);
    const before = repos.photos.getPhoto(photoId)!;
    repos.jobs.enqueueStageForEvent(eventId, 'faces', { priority: -5, maxAttempts: 3, now: T + 10_000 });

    const [first] = repos.jobs.claimWork('engine', T + 10_000, 60_000, 1);
    repos.photos.markProcessing(photoId, T + 10_000);
    repos.photos.requeuePhotoWork(photoId, ids(first!), 'EBUSY: resource busy or locked', T + 20_000, T + 10_500);
    expect(repos.photos.getPhoto(photoId)).toEqual(before);
    const [second] = repos.jobs.claimWork('engine', T + 20_000, 60_000, 1);
    repos.photos.failPhotoWork(
      photoId,
      ids(second!),
      'Cannot read IMG_1.JPG: the file is gone (moved or deleted after it landed)',
      T + 21_000,
    );
    expect(repos.photos.getPhoto(photoId)).toEqual(before);
    expect(repos.jobs.listStageFailures(eventId, 10)).toEqual([
      {
        photoId,
        path: '/card/IMG_1.JPG',
        stage: 'faces',
        error: 'Cannot read IMG_1.JPG: the file is gone (moved or deleted after it landed)',
        at: T + 21_000,
      },
    ]);

    repos.jobs.enqueueStageForEvent(eventId, 'faces', { priority: -5, maxAttempts: 3, now: T + 30_000 });
    const [third] = repos.jobs.claimWork('engine', T + 30_000, 60_000, 1);
    const replaced = repos.photos.completePhotoWork(
      photoId,
      ids(third!).map((jobId) => ({ jobId })),
      { faces: [face([102, 98, 200, 204], 0), face([900, 100, 150, 150], 1)] },
      T + 31_000,
    );
    expect(replaced.faceIds).toHaveLength(2);
    expect(replaced.replacedFaceIds).toHaveLength(1);
    expect(repos.photos.getPhoto(photoId)).toEqual(before);
    // The later run put it right: no longer an error.
    expect(repos.jobs.listStageFailures(eventId, 10)).toEqual([]);
    expect(repos.jobs.queueDepth(eventId)).toBe(0);
  });

  it("gives a face found again in the same place its person and the organiser's pin", () => {
    const { repos } = temp;
    const eventId = repos.events.ensureEvent('wedding', T).id;
    const photoId = readyPhoto(repos, eventId, 1, [face([100, 100, 200, 200], 0), face([900, 100, 150, 150], 1)]);
    const [anna, stranger] = repos.faces.facesOfPhoto(photoId);
    const annaPerson = repos.persons.createPerson(eventId, T);
    repos.persons.setFacePerson([anna!.id], annaPerson);
    repos.persons.renamePerson(eventId, annaPerson, 'Anna', T);
    repos.persons.pinFacesOfPersons([annaPerson]);
    const strangerPerson = repos.persons.createPerson(eventId, T);
    repos.persons.setFacePerson([stranger!.id], strangerPerson);
    repos.persons.refreshPersons([annaPerson, strangerPerson], T);

    repos.jobs.enqueueStageForEvent(eventId, 'faces', { priority: -5, maxAttempts: 3, now: T + 10_000 });
    const [work] = repos.jobs.claimWork('engine', T + 10_000, 60_000, 1);
    // A new detector finds Anna a few pixels off, misses the stranger, and finds someone new.
    const replaced = repos.photos.completePhotoWork(
      photoId,
      ids(work!).map((jobId) => ({ jobId })),
      { faces: [face([104, 96, 196, 206], 2), face([2000, 500, 120, 120], 3)] },
      T + 11_000,
    );
    const [annaAgain, newcomer] = repos.faces.facesOfPhoto(photoId);
    expect(replaced.faceIds).toEqual([annaAgain!.id, newcomer!.id]);
    expect(annaAgain!.personId).toBe(annaPerson);
    expect(repos.persons.eventFacePlacements(eventId).find((f) => f.faceId === annaAgain!.id)?.pinned).toBe(true);
    expect(newcomer!.personId).toBeNull();
    expect(repos.persons.getPerson(eventId, annaPerson)).toMatchObject({ name: 'Anna', faceCount: 1, coverFaceId: annaAgain!.id });
    // Unnamed and left without a face: gone, as after any other loss of faces.
    expect(repos.persons.getPerson(eventId, strangerPerson)).toBeUndefined();
  });

  it('finishes a skipped stage as done with a note, so it can be run later', () => {
    const { repos } = temp;
    const eventId = repos.events.ensureEvent('wedding', T).id;
    const photoId = repos.photos.addPhotoWithJob(
      { eventId, sourceId: null, path: '/card/IMG_1.JPG', sha256: 'sha1', format: 'jpeg', sizeBytes: 10, mtimeMs: 1, landedAt: T },
      3,
      T,
    );
    const [work] = repos.jobs.claimWork('engine', T, 60_000, 1);
    const note = 'Skipped: face analysis is switched off';
    repos.photos.completePhotoWork(
      photoId,
      [{ jobId: work!.lead.id }, { jobId: work!.carried[0]!.id, note }],
      { rendered: rendered('sha1') },
      T + 1_000,
    );
    expect(repos.jobs.getJob(work!.carried[0]!.id)).toMatchObject({ kind: 'photo.faces', state: 'done', note });
    expect(repos.photos.getPhoto(photoId)?.status).toBe('ready');
    expect(repos.jobs.enqueueStageForEvent(eventId, 'faces', { priority: -5, maxAttempts: 3, now: T + 2_000 }).jobIds).toHaveLength(1);
  });
});
