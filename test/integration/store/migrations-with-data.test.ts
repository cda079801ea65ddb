// Every migration tested on a database full of rows written at an older version (Signal's rule):
// a database is left at version v, filled with the rows each version 1..v could hold, migrated to
// the latest, and read back through today's repositories. Adding migration N needs one more fill,
// FILLS[N], for what N adds; the loop then also starts from N-1.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRepositories,
  currentSchemaVersion,
  MIGRATIONS,
  openDatabase,
  type Database,
  type Delivery,
  type Event,
  type GalleryLink,
  type Job,
  type KioskDevice,
  type ChosenFace,
  type ShownFace,
  type FollowerAnchor,
  type KioskSession,
  type KnownFile,
  type PersonSummary,
  type Photo,
  type PhotoFile,
  type PublishOptOut,
  type Repositories,
  type Source,
  type StoredBurst,
  type StoredFace,
  type SyncEnrolment,
} from '../../../src/store/index.js';
import { gaussian, seededRandom, unitVector } from '../../support/random-vectors.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const LATEST = MIGRATIONS.length;

// The wedding day, 13:00 UTC; every timestamp below is an offset from it.
const T = Date.UTC(2024, 5, 15, 13, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** "Now" for reads that depend on the clock (following sessions, pairing codes). */
const READ_AT = T + 7 * HOUR;

const WEDDING = 1;
const RACE = 2;

// ---------------------------------------------------------------------------------------------
// What the latest code should read back

interface ExpectedFace {
  face: StoredFace;
  landmarks: Float32Array | null;
  embedding: Float32Array;
  /** Written with its binary-quantised copy (face_embeddings_bits exists from version 2). */
  binaryCode: boolean;
  pinned: boolean;
}

interface ExpectedPerson {
  eventId: number;
  summary: PersonSummary;
  confirmed: boolean;
}

interface OutboxRow {
  id: number;
  eventId: number;
  topic: string;
  entityId: number | null;
  payloadJson: string;
  createdAt: number;
  sentAt: number | null;
  attempts: number;
  lastError: string | null;
}

interface Expected {
  events: { event: Event; settings: unknown }[];
  sources: Source[];
  photos: Photo[];
  /** photos.face_count, which no repository reads back (salvage compares it in SQL). */
  photoFaceCounts: Map<number, number | null>;
  duplicates: { identity: { eventId: number; path: string; sizeBytes: number; mtimeMs: number }; known: KnownFile }[];
  jobs: Job[];
  outbox: OutboxRow[];
  faces: ExpectedFace[];
  persons: ExpectedPerson[];
  clip: { photoId: number; eventId: number; embedding: Float32Array }[];
  runtime: { key: string; value: unknown; updatedAt: number }[];
  bursts: StoredBurst[];
  devices: { device: KioskDevice; tokenHash: string; revoked: boolean }[];
  pairingCodes: { codeHash: string; redeemsTo: number | undefined }[];
  sessions: KioskSession[];
  galleryLinks: { tokenHash: string; link: GalleryLink }[];
  deliveries: Delivery[];
  photoFiles: PhotoFile[];
  optOuts: PublishOptOut[];
  sync: { deviceId: string | null; enrolments: SyncEnrolment[]; ops: { eventId: number; seq: number; kind: string; json: string }[] };
  /** Which network described each event's faces, written from version 15 (before it, migration 0015 records dlib's for every event). */
  faceDescriptors?: Record<number, string | null>;
  /** Followers' faces noted before a change of face network, by session, from version 16 (none before). */
  followerAnchors?: Record<string, FollowerAnchor[]>;
  /** Followers' faces in the "Maybe you?" photos they took home, by session, from version 17 (none before). */
  chosenFaces?: Record<string, ChosenFace[]>;
  /** What running sessions showed, each photo with the face it matched by, from version 18 (none before). */
  shownFaces?: Record<string, ShownFace[]>;
}

const NOTHING: Expected = {
  events: [],
  sources: [],
  photos: [],
  photoFaceCounts: new Map(),
  duplicates: [],
  jobs: [],
  outbox: [],
  faces: [],
  persons: [],
  clip: [],
  runtime: [],
  bursts: [],
  devices: [],
  pairingCodes: [],
  sessions: [],
  galleryLinks: [],
  deliveries: [],
  photoFiles: [],
  optOuts: [],
  sync: { deviceId: null, enrolments: [], ops: [] },
};

// ---------------------------------------------------------------------------------------------
// Raw writes: the repositories expect the latest schema, so fills speak SQL of their version.

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** One row; camelCase keys become snake_case columns. */
function insert(db: Database, table: string, values: Record<string, unknown>): void {
  const keys = Object.keys(values);
  db.prepare(`INSERT INTO ${table} (${keys.map(snake).join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`).run(values);
}

const blob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A seeded L2-normalised vector, different for every seed. */
function vector(dims: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return unitVector(Float32Array.from({ length: dims }, () => gaussian(random)));
}

/** 68 (x, y) points inside a face box, as the landmark model gives them. */
function landmarksIn(box: [number, number, number, number], seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: 136 }, (_, i) => (i % 2 === 0 ? box[0] + random() * box[2] : box[1] + random() * box[3]));
}

function readyPhoto(
  id: number,
  eventId: number,
  sourceId: number | null,
  path: string,
  capturedAt: number,
  camera: Pick<Photo, 'cameraMake' | 'cameraModel' | 'cameraSerial' | 'lens'>,
): Photo {
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  return {
    id,
    eventId,
    sourceId,
    path,
    fileName,
    format: fileName.toLowerCase().endsWith('.cr3') ? 'cr3' : 'jpeg',
    sha256: sha256(path),
    sizeBytes: 8_000_000 + id * 1_337,
    mtimeMs: capturedAt + 2 * SECOND,
    status: 'ready',
    error: null,
    landedAt: capturedAt + 3 * SECOND,
    admittedAt: capturedAt + 4 * SECOND,
    readyAt: capturedAt + 9 * SECOND,
    width: 8192,
    height: 5464,
    capturedAt,
    capturedOffsetMinutes: null,
    ...camera,
    orientation: 1,
    phash: `c3a1${id.toString(16).padStart(12, '0')}`,
    previewPath: `previews/${eventId}/${id}.jpg`,
    thumbnailPath: `thumbs/${eventId}/${id}.jpg`,
  };
}

const EOS_R5 = { cameraMake: 'Canon', cameraModel: 'EOS R5', cameraSerial: '032021001234', lens: 'RF24-70mm F2.8 L IS USM' };
const Z6II = { cameraMake: 'NIKON CORPORATION', cameraModel: 'NIKON Z 6_2', cameraSerial: '6012345', lens: 'NIKKOR Z 85mm f/1.8 S' };

/** Written with the columns of the database's version (the camera's offset is there from 0013). */
function insertPhoto(db: Database, p: Photo): void {
  const { capturedOffsetMinutes, ...before0013 } = p;
  const columns = currentSchemaVersion(db) < 13 ? before0013 : { ...before0013, capturedOffsetMinutes };
  insert(db, 'photos', { ...columns, updatedAt: p.readyAt ?? p.landedAt });
}

function doneJob(id: number, photo: Photo, kind: Job['kind'] = 'photo.previews', priority = 0): Job {
  return {
    id,
    kind,
    eventId: photo.eventId,
    photoId: photo.id,
    state: 'done',
    priority,
    attempts: 1,
    maxAttempts: 3,
    runAfter: photo.landedAt,
    leaseOwner: null,
    leaseExpiresAt: null,
    lastError: null,
    note: null,
  };
}

/** The kinds before 0007 (one job kind per stage): one processing job did previews and faces. */
const KIND_BEFORE_0007: Partial<Record<Job['kind'], string>> = { 'photo.previews': 'photo.process', 'photo.scene': 'photo.clip' };

/** Written as the database's version had it: before 0007, with the old kind names and no note. */
function insertJob(db: Database, j: Job): void {
  const { note, ...columns } = j;
  const row = currentSchemaVersion(db) < 7 ? { ...columns, kind: KIND_BEFORE_0007[j.kind] } : { ...columns, note };
  insert(db, 'jobs', {
    ...row,
    createdAt: j.runAfter,
    updatedAt: j.runAfter + SECOND,
    finishedAt: j.state === 'done' || j.state === 'failed' ? j.runAfter + 5 * SECOND : null,
  });
}

/**
 * How 0007 carries jobs written before it over: leased ones are queued again, every open previews
 * job gets a queued faces job beside it, and the failed previews job of a failed photo a failed
 * faces job (new ids after the last job, in that order).
 */
function carriedOverBy0007(x: Expected): Expected {
  const jobs = x.jobs.map((j): Job => (j.state === 'leased' ? { ...j, state: 'queued', leaseOwner: null, leaseExpiresAt: null } : j));
  let nextId = Math.max(0, ...jobs.map((j) => j.id)) + 1;
  const facesBeside = (j: Job): Job => ({
    ...j,
    id: nextId++,
    kind: 'photo.faces',
    attempts: 0,
    lastError: j.state === 'failed' ? j.lastError : null,
  });
  const previews = jobs.filter((j) => j.kind === 'photo.previews').sort((a, b) => a.id - b.id);
  const latest = (j: Job) => !previews.some((k) => k.photoId === j.photoId && k.id > j.id);
  const queued = previews.filter((j) => j.state === 'queued').map(facesBeside);
  const failed = previews.filter((j) => j.state === 'failed' && latest(j)).map(facesBeside);
  return { ...x, jobs: [...jobs, ...queued, ...failed] };
}

function readyOutbox(
  id: number,
  p: Photo,
  faces: number | null,
  sent: { sentAt: number | null; attempts: number; lastError: string | null },
): OutboxRow {
  return {
    id,
    eventId: p.eventId,
    topic: 'photo.ready',
    entityId: p.id,
    payloadJson: JSON.stringify({ sha256: p.sha256, fileName: p.fileName, capturedAt: p.capturedAt, faces }),
    createdAt: p.readyAt!,
    ...sent,
  };
}

interface FaceSpec {
  id: number;
  photo: Photo;
  personId: number | null;
  box: [number, number, number, number];
  score: number;
  quality: number | null;
  withLandmarks: boolean;
  /** Version 2 columns, absent on faces written at version 1. */
  detail?: { sharpness: number; frontal: number; sizePx: number };
  pinned?: boolean;
}

/** A face row with its float vector, and (from version 2) its binary code; columns of the fill's version only. */
function insertFace(db: Database, f: FaceSpec, binaryCode: boolean): ExpectedFace {
  const landmarks = f.withLandmarks ? landmarksIn(f.box, f.id) : null;
  const embedding = vector(128, 1000 + f.id);
  const cropPath = `faces/${f.photo.eventId}/${f.id}.jpg`;
  insert(db, 'faces', {
    id: f.id,
    photoId: f.photo.id,
    eventId: f.photo.eventId,
    personId: f.personId,
    boxX: f.box[0],
    boxY: f.box[1],
    boxW: f.box[2],
    boxH: f.box[3],
    landmarks: landmarks ? blob(landmarks) : null,
    score: f.score,
    quality: f.quality,
    cropPath,
    createdAt: f.photo.readyAt,
    ...(f.detail ?? {}),
    ...(f.pinned === undefined ? {} : { pinned: f.pinned ? 1 : 0 }),
  });
  // vec0 keys must be bound as INTEGER; better-sqlite3 binds JS numbers as REAL.
  db.prepare('INSERT INTO face_embeddings (face_id, event_id, embedding) VALUES (?, ?, ?)').run(
    BigInt(f.id),
    BigInt(f.photo.eventId),
    blob(embedding),
  );
  if (binaryCode) {
    db.prepare('INSERT INTO face_embeddings_bits (face_id, event_id, embedding) VALUES (?, ?, vec_quantize_binary(?))').run(
      BigInt(f.id),
      BigInt(f.photo.eventId),
      blob(embedding),
    );
  }
  return {
    face: {
      id: f.id,
      photoId: f.photo.id,
      eventId: f.photo.eventId,
      personId: f.personId,
      box: f.box,
      score: f.score,
      quality: f.quality,
      sharpness: f.detail?.sharpness ?? null,
      frontal: f.detail?.frontal ?? null,
      sizePx: f.detail?.sizePx ?? null,
      cropPath,
    },
    landmarks,
    embedding,
    binaryCode,
    pinned: f.pinned ?? false,
  };
}

function insertClip(db: Database, photo: Photo): Expected['clip'][number] {
  const embedding = vector(512, 5000 + photo.id);
  db.prepare('INSERT INTO clip_embeddings (photo_id, event_id, embedding) VALUES (?, ?, ?)').run(
    BigInt(photo.id),
    BigInt(photo.eventId),
    blob(embedding),
  );
  return { photoId: photo.id, eventId: photo.eventId, embedding };
}

/** What the person list shows: photo count is computed live, the rest is stored on the person. */
function summaryOf(
  id: number,
  name: string | null,
  faces: readonly ExpectedFace[],
  stored: { faceCount: number; coverFaceId: number | null },
): PersonSummary {
  const own = faces.filter((f) => f.face.personId === id);
  const cover = faces.find((f) => f.face.id === stored.coverFaceId);
  return {
    id,
    name,
    faceCount: stored.faceCount,
    photoCount: new Set(own.map((f) => f.face.photoId)).size,
    coverFaceId: stored.coverFaceId,
    coverCrop: cover?.face.cropPath ?? null,
  };
}

/** A photo the pipeline has not (yet) read: nothing known from its pixels or EXIF. */
function unprocessed(status: 'pending' | 'processing' | 'failed'): Partial<Photo> {
  return {
    status,
    readyAt: null,
    width: null,
    height: null,
    capturedAt: null,
    capturedOffsetMinutes: null,
    cameraMake: null,
    cameraModel: null,
    cameraSerial: null,
    lens: null,
    orientation: null,
    phash: null,
    previewPath: null,
    thumbnailPath: null,
  };
}

function delivery(
  d: Omit<Delivery, 'error' | 'sentAt' | 'followsNewPhotos'> & Partial<Pick<Delivery, 'error' | 'sentAt' | 'followsNewPhotos'>>,
): Delivery {
  return { error: null, sentAt: null, followsNewPhotos: false, ...d };
}

function insertDelivery(db: Database, d: Delivery): void {
  const { photoIds, followsNewPhotos: _derived, ...columns } = d;
  insert(db, 'deliveries', { ...columns, photoIdsJson: JSON.stringify(photoIds) });
}

// ---------------------------------------------------------------------------------------------
// One fill per schema version: the rows of what that version added, written with its columns.

type Fill = (db: Database, earlier: Expected) => Expected;

/** Version 1: the whole first schema (events … outbox, both vec0 tables). */
const fillVersion1: Fill = (db, earlier) => {
  const events = [
    {
      event: { id: WEDDING, name: 'Smith–Jones wedding', createdAt: T - DAY },
      settings: { faces: { matchThreshold: 0.42 }, kiosk: { followDays: 30 } },
    },
    { event: { id: RACE, name: 'Riverside 10k', createdAt: T - 2 * HOUR }, settings: {} },
  ];
  for (const e of events) insert(db, 'events', { ...e.event, settingsJson: JSON.stringify(e.settings) });

  const sources: Source[] = [
    { id: 1, eventId: WEDDING, path: '/Volumes/EOS_R5/DCIM/100EOSR5', label: 'Main body', state: 'watching', error: null },
    {
      id: 2,
      eventId: WEDDING,
      path: '/Volumes/NIKON Z 6II/DCIM/100NCZ_6',
      label: null,
      state: 'offline',
      error: 'The card was removed while it was being watched',
    },
    { id: 3, eventId: RACE, path: '/Users/ana/Pictures/Tethered/10k', label: 'Finish line', state: 'watching', error: null },
  ];
  for (const s of sources) insert(db, 'sources', { ...s, createdAt: T - DAY, updatedAt: T });

  const p1 = readyPhoto(1, WEDDING, 1, '/Volumes/EOS_R5/DCIM/100EOSR5/IMG_0001.JPG', T, EOS_R5);
  // Renamed by the tethering tool after it landed: the photo moved to the new name.
  const p2 = readyPhoto(2, WEDDING, 1, '/Volumes/EOS_R5/DCIM/100EOSR5/Smith-Jones_0002.CR3', T + SECOND, EOS_R5);
  const p3: Photo = {
    ...readyPhoto(3, WEDDING, 2, '/Volumes/NIKON Z 6II/DCIM/100NCZ_6/DSC_0003.JPG', T + 5 * MINUTE, Z6II),
    ...unprocessed('pending'),
  };
  const p4: Photo = {
    ...readyPhoto(4, WEDDING, 2, '/Volumes/NIKON Z 6II/DCIM/100NCZ_6/DSC_0004.JPG', T + 6 * MINUTE, Z6II),
    ...unprocessed('failed'),
    sha256: null,
    error: 'Cannot read DSC_0004.JPG: the file ends before its JPEG data (card pulled while writing?)',
    admittedAt: null,
  };
  const p5: Photo = {
    ...readyPhoto(5, WEDDING, 1, '/Volumes/EOS_R5/DCIM/100EOSR5/IMG_0005.JPG', T + 7 * MINUTE, EOS_R5),
    ...unprocessed('processing'),
  };
  const p6: Photo = {
    ...readyPhoto(6, WEDDING, 1, '/Volumes/EOS_R5/DCIM/100EOSR5/IMG_0006.CR3', T + 8 * MINUTE, EOS_R5),
    ...unprocessed('failed'),
    error: 'Cannot read IMG_0006.CR3: no embedded JPEG preview (file may be truncated)',
  };
  const p7 = readyPhoto(7, RACE, 3, '/Users/ana/Pictures/Tethered/10k/FIN_0007.JPG', T + 2 * HOUR, Z6II);
  const photos = [p1, p2, p3, p4, p5, p6, p7];
  for (const p of photos) insertPhoto(db, p);

  const duplicates: Expected['duplicates'] = [
    {
      identity: { eventId: WEDDING, path: '/Volumes/EOS_R5/DCIM/100EOSR5/IMG_0001 copy.JPG', sizeBytes: p1.sizeBytes!, mtimeMs: T + HOUR },
      known: { kind: 'duplicate', photoId: p1.id },
    },
    { identity: { eventId: WEDDING, path: p2.path, sizeBytes: p2.sizeBytes!, mtimeMs: p2.mtimeMs! }, known: { kind: 'photo', photo: p2 } },
  ];
  for (const [i, d] of duplicates.entries()) {
    const photoId = d.known.kind === 'photo' ? d.known.photo.id : d.known.photoId;
    insert(db, 'duplicates', {
      ...d.identity,
      photoId,
      sha256: sha256(photos[photoId - 1]!.path),
      kind: i === 0 ? 'copy' : 'rename',
      seenAt: d.identity.mtimeMs + SECOND,
    });
  }

  const jobs: Job[] = [
    doneJob(1, p1),
    doneJob(2, p2),
    {
      ...doneJob(3, p3),
      state: 'queued',
      attempts: 1,
      runAfter: T + 15 * MINUTE,
      lastError: 'EBUSY: resource busy or locked, open DSC_0003.JPG',
    },
    { ...doneJob(4, p5), state: 'leased', attempts: 1, leaseOwner: 'engine-4242/worker-2', leaseExpiresAt: T + 8 * MINUTE },
    {
      ...doneJob(5, p6),
      state: 'failed',
      attempts: 3,
      lastError: 'Cannot read IMG_0006.CR3: no embedded JPEG preview (file may be truncated)',
    },
    // A frame shot during the event jumps the backlog.
    doneJob(6, p7, 'photo.previews', 10),
    // Scene-search back-fill for a photo processed before the CLIP model was installed.
    { ...doneJob(7, p2, 'photo.scene'), state: 'queued', attempts: 0, runAfter: T + HOUR },
  ];
  for (const j of jobs) insertJob(db, j);

  const outbox: OutboxRow[] = [
    readyOutbox(1, p1, 2, { sentAt: p1.readyAt! + 30 * SECOND, attempts: 1, lastError: null }),
    readyOutbox(2, p2, 1, { sentAt: null, attempts: 2, lastError: 'connect ECONNREFUSED 203.0.113.7:443' }),
    readyOutbox(3, p7, 1, { sentAt: null, attempts: 0, lastError: null }),
  ];
  for (const o of outbox) insert(db, 'outbox', { ...o });

  // Persons get face_count and cover_face_id only in version 2 (DEFAULT 0 / NULL, not computed):
  // until the next clustering refreshes them, persons of a version-1 database list no faces.
  const people = [
    { id: 1, eventId: WEDDING, name: 'Anna Smith' },
    { id: 2, eventId: WEDDING, name: null },
    { id: 3, eventId: RACE, name: null },
  ];
  for (const p of people) insert(db, 'persons', { ...p, createdAt: T + HOUR, updatedAt: T + HOUR });

  const faces = [
    insertFace(db, { id: 1, photo: p1, personId: 1, box: [3120, 1410, 620, 780], score: 0.998, quality: 0.91, withLandmarks: true }, false),
    insertFace(db, { id: 2, photo: p1, personId: 2, box: [4810, 1530, 540, 690], score: 0.972, quality: 0.64, withLandmarks: true }, false),
    insertFace(db, { id: 3, photo: p2, personId: 1, box: [3180, 1395, 610, 790], score: 0.995, quality: 0.88, withLandmarks: true }, false),
    insertFace(db, { id: 4, photo: p7, personId: 3, box: [2210, 980, 300, 380], score: 0.941, quality: 0.57, withLandmarks: false }, false),
  ];
  const clip = [insertClip(db, p1), insertClip(db, p7)];

  const session: KioskSession = {
    id: '5f0c8e2a-6b7d-4d7e-9a51-1c2b3d4e5f60',
    eventId: WEDDING,
    kioskId: null,
    state: 'ended',
    notifyOptIn: true,
    contact: 'guest@example.com',
    selfieEmbedding: null,
    matchedPhotoIds: [],
    createdAt: T + 3 * HOUR,
    expiresAt: T + 3 * HOUR + 10 * MINUTE,
    endedAt: T + 3 * HOUR + 4 * MINUTE,
    followUntil: null,
  };
  insert(db, 'kiosk_sessions', {
    id: session.id,
    eventId: session.eventId,
    state: session.state,
    notifyOptIn: 1,
    contact: session.contact,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    endedAt: session.endedAt,
  });
  const deliveries: Delivery[] = [
    delivery({
      id: 1,
      eventId: WEDDING,
      kioskSessionId: session.id,
      channel: 'email',
      address: 'guest@example.com',
      state: 'sent',
      photoIds: [1, 2],
      createdAt: T + 3 * HOUR + 3 * MINUTE,
      sentAt: T + 3 * HOUR + 5 * MINUTE,
    }),
    delivery({
      id: 2,
      eventId: WEDDING,
      kioskSessionId: null,
      channel: 'sms',
      address: '+44 7700 900123',
      state: 'failed',
      photoIds: [1],
      error: 'The SMS gateway refused +44 7700 900123: number not reachable',
      createdAt: T + 4 * HOUR,
    }),
  ];
  for (const d of deliveries) insertDelivery(db, d);

  return {
    ...earlier,
    events: [...earlier.events, ...events],
    sources: [...earlier.sources, ...sources],
    photos: [...earlier.photos, ...photos],
    photoFaceCounts: new Map([...earlier.photoFaceCounts, ...photos.map((p) => [p.id, null] as const)]),
    duplicates: [...earlier.duplicates, ...duplicates],
    jobs: [...earlier.jobs, ...jobs],
    outbox: [...earlier.outbox, ...outbox],
    faces: [...earlier.faces, ...faces],
    // Named persons read as confirmed: 0005 confirms them, and from version 5 naming did.
    persons: [
      ...earlier.persons,
      ...people.map((p) => ({
        eventId: p.eventId,
        confirmed: p.name !== null,
        summary: summaryOf(p.id, p.name, faces, { faceCount: 0, coverFaceId: null }),
      })),
    ],
    clip: [...earlier.clip, ...clip],
    sessions: [...earlier.sessions, session],
    deliveries: [...earlier.deliveries, ...deliveries],
  };
};

/** Version 2: face quality detail, photo face counts, binary face codes, person counts and covers, runtime facts. */
const fillVersion2: Fill = (db, earlier) => {
  const p8 = readyPhoto(8, WEDDING, 1, '/Volumes/EOS_R5/DCIM/100EOSR5/IMG_0008.JPG', T + 20 * MINUTE, EOS_R5);
  insertPhoto(db, p8);
  db.prepare('UPDATE photos SET face_count = 2 WHERE id = ?').run(p8.id);
  const job = doneJob(8, p8);
  insertJob(db, job);
  const outbox = readyOutbox(4, p8, 2, { sentAt: p8.readyAt! + 10 * SECOND, attempts: 1, lastError: null });
  insert(db, 'outbox', { ...outbox });

  const people = [
    { id: 4, eventId: WEDDING, name: 'Rose Jones', faceCount: 1, coverFaceId: 5 },
    { id: 5, eventId: WEDDING, name: null, faceCount: 1, coverFaceId: 6 },
  ];
  for (const p of people) insert(db, 'persons', { ...p, createdAt: T + HOUR, updatedAt: T + HOUR });
  const faces = [
    insertFace(
      db,
      {
        id: 5,
        photo: p8,
        personId: 4,
        box: [2900, 1200, 700, 880],
        score: 0.999,
        quality: 0.93,
        withLandmarks: true,
        detail: { sharpness: 0.87, frontal: 0.95, sizePx: 780 },
      },
      true,
    ),
    insertFace(
      db,
      {
        id: 6,
        photo: p8,
        personId: 5,
        box: [5200, 1700, 380, 470],
        score: 0.913,
        quality: 0.41,
        withLandmarks: true,
        detail: { sharpness: 0.35, frontal: 0.62, sizePx: 420 },
      },
      true,
    ),
  ];
  const runtime = {
    key: 'faces.provider',
    value: { active: 'cpu', fallbackReason: 'CUDA provider not available', detector: 'scrfd_500m' },
    updatedAt: T + 30 * MINUTE,
  };
  insert(db, 'runtime_info', { key: runtime.key, value: JSON.stringify(runtime.value), updatedAt: runtime.updatedAt });

  return {
    ...earlier,
    photos: [...earlier.photos, p8],
    photoFaceCounts: new Map([...earlier.photoFaceCounts, [p8.id, 2]]),
    jobs: [...earlier.jobs, job],
    outbox: [...earlier.outbox, outbox],
    faces: [...earlier.faces, ...faces],
    persons: [
      ...earlier.persons,
      ...people.map((p) => ({ eventId: p.eventId, confirmed: p.name !== null, summary: summaryOf(p.id, p.name, faces, p) })),
    ],
    runtime: [...earlier.runtime, runtime],
  };
};

/** Version 3: a burst of the two first frames of the wedding (same body, a second apart). */
const fillVersion3: Fill = (db, earlier) => {
  const [p1, p2] = [earlier.photos[0]!, earlier.photos[1]!];
  insert(db, 'bursts', {
    id: 1,
    eventId: WEDDING,
    bestPhotoId: p1.id,
    photoCount: 2,
    startedAt: p1.capturedAt,
    endedAt: p2.capturedAt,
    updatedAt: T + HOUR,
  });
  db.prepare('UPDATE photos SET burst_id = 1 WHERE id IN (?, ?)').run(p1.id, p2.id);
  const burst: StoredBurst = {
    id: 1,
    eventId: WEDDING,
    bestPhotoId: p1.id,
    startedAt: p1.capturedAt!,
    endedAt: p2.capturedAt!,
    photos: [p1, p2].map((p) => ({ photoId: p.id, path: p.path, capturedAt: p.capturedAt })),
  };
  return { ...earlier, bursts: [...earlier.bursts, burst] };
};

/** Version 4: paired kiosks, pairing codes, sessions with a selfie match and a follow-up, gallery links. */
const fillVersion4: Fill = (db, earlier) => {
  const devices = [
    {
      device: { id: 1, eventId: WEDDING, name: 'Kiosk by the bar', pairedAt: T + 2 * HOUR, lastSeenAt: T + 6 * HOUR },
      tokenHash: sha256('kiosk-token-bar'),
      revoked: false,
    },
    {
      device: { id: 2, eventId: WEDDING, name: 'Lobby kiosk', pairedAt: T + 2 * HOUR + MINUTE, lastSeenAt: null },
      tokenHash: sha256('kiosk-token-lobby'),
      revoked: true,
    },
  ];
  for (const d of devices) insert(db, 'kiosk_devices', { ...d.device, tokenHash: d.tokenHash, revokedAt: d.revoked ? T + 3 * HOUR : null });

  const pairingCodes = [
    { codeHash: sha256('482913'), redeemsTo: WEDDING, createdAt: READ_AT - MINUTE, expiresAt: READ_AT + 9 * MINUTE, usedAt: null },
    {
      codeHash: sha256('118204'),
      redeemsTo: undefined,
      createdAt: T + 2 * HOUR - MINUTE,
      expiresAt: T + 2 * HOUR + 9 * MINUTE,
      usedAt: T + 2 * HOUR,
    },
  ];
  for (const { redeemsTo: _, ...c } of pairingCodes) insert(db, 'pairing_codes', { ...c, eventId: WEDDING });

  const followed: KioskSession = {
    id: 'c8a4a3e0-2f4b-4b87-8d0e-7f1a2b3c4d5e',
    eventId: WEDDING,
    kioskId: 1,
    state: 'ended',
    notifyOptIn: true,
    contact: '+44 7700 900456',
    selfieEmbedding: vector(128, 9001),
    matchedPhotoIds: [1, 8],
    createdAt: T + 5 * HOUR,
    expiresAt: T + 5 * HOUR + 10 * MINUTE,
    endedAt: T + 5 * HOUR + 3 * MINUTE,
    followUntil: T + 30 * DAY,
  };
  const running: KioskSession = {
    ...followed,
    id: '0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a',
    state: 'matched',
    notifyOptIn: false,
    contact: null,
    selfieEmbedding: vector(128, 9002),
    matchedPhotoIds: [2],
    createdAt: READ_AT - MINUTE,
    expiresAt: READ_AT + 9 * MINUTE,
    endedAt: null,
    followUntil: null,
  };
  for (const s of [followed, running]) {
    const { selfieEmbedding, matchedPhotoIds, notifyOptIn, ...columns } = s;
    insert(db, 'kiosk_sessions', {
      ...columns,
      notifyOptIn: notifyOptIn ? 1 : 0,
      selfieEmbedding: selfieEmbedding ? blob(selfieEmbedding) : null,
      matchedPhotoIdsJson: JSON.stringify(matchedPhotoIds),
    });
  }

  const galleryLinks = [
    {
      tokenHash: sha256('gallery-token-c8a4'),
      link: { eventId: WEDDING, kioskSessionId: followed.id, photoIds: [1, 8], createdAt: followed.endedAt!, expiresAt: T + 30 * DAY },
    },
    {
      tokenHash: sha256('gallery-token-operator'),
      link: { eventId: WEDDING, kioskSessionId: null, photoIds: [2], createdAt: T + 6 * HOUR, expiresAt: T + 7 * DAY },
    },
  ];
  for (const g of galleryLinks) {
    const { photoIds, ...columns } = g.link;
    insert(db, 'gallery_links', { tokenHash: g.tokenHash, ...columns, photoIdsJson: JSON.stringify(photoIds) });
  }
  // Waiting while the attendee is followed: new photos of them join it.
  const waiting = delivery({
    id: 3,
    eventId: WEDDING,
    kioskSessionId: followed.id,
    channel: 'sms',
    address: '+44 7700 900456',
    state: 'waiting',
    photoIds: [1, 8],
    createdAt: followed.endedAt!,
    followsNewPhotos: true,
  });
  insertDelivery(db, waiting);

  return {
    ...earlier,
    devices: [...earlier.devices, ...devices],
    pairingCodes: [...earlier.pairingCodes, ...pairingCodes.map(({ codeHash, redeemsTo }) => ({ codeHash, redeemsTo }))],
    sessions: [...earlier.sessions, followed, running],
    galleryLinks: [...earlier.galleryLinks, ...galleryLinks],
    deliveries: [...earlier.deliveries, waiting],
  };
};

/** Version 5: the organiser's edits — named persons confirmed, a split person with pinned faces. */
const fillVersion5: Fill = (db, earlier) => {
  // What renaming did from version 5 on (and what 0005 did to older names).
  db.prepare('UPDATE persons SET confirmed = 1 WHERE name IS NOT NULL').run();

  const p9 = readyPhoto(9, WEDDING, 1, '/Volumes/EOS_R5/DCIM/100EOSR5/IMG_0009.JPG', T + 40 * MINUTE, EOS_R5);
  insertPhoto(db, p9);
  db.prepare('UPDATE photos SET face_count = 2 WHERE id = ?').run(p9.id);
  const job = doneJob(9, p9);
  insertJob(db, job);
  const outbox = readyOutbox(5, p9, 2, { sentAt: null, attempts: 0, lastError: null });
  insert(db, 'outbox', { ...outbox });

  // Split off by the organiser: unnamed but confirmed, its faces pinned to it.
  insert(db, 'persons', {
    id: 6,
    eventId: WEDDING,
    name: null,
    faceCount: 2,
    coverFaceId: 7,
    confirmed: 1,
    createdAt: T + 6 * HOUR,
    updatedAt: T + 6 * HOUR,
  });
  const faces = [
    insertFace(
      db,
      {
        id: 7,
        photo: p9,
        personId: 6,
        box: [2500, 1300, 640, 800],
        score: 0.996,
        quality: 0.89,
        withLandmarks: true,
        detail: { sharpness: 0.81, frontal: 0.9, sizePx: 800 },
        pinned: true,
      },
      true,
    ),
    insertFace(
      db,
      {
        id: 8,
        photo: p9,
        personId: 6,
        box: [4300, 1350, 500, 640],
        score: 0.981,
        quality: 0.71,
        withLandmarks: false,
        detail: { sharpness: 0.66, frontal: 0.58, sizePx: 640 },
        pinned: true,
      },
      true,
    ),
  ];
  return {
    ...earlier,
    photos: [...earlier.photos, p9],
    photoFaceCounts: new Map([...earlier.photoFaceCounts, [p9.id, 2]]),
    jobs: [...earlier.jobs, job],
    outbox: [...earlier.outbox, outbox],
    faces: [...earlier.faces, ...faces],
    persons: [
      ...earlier.persons,
      { eventId: WEDDING, confirmed: true, summary: summaryOf(6, null, faces, { faceCount: 2, coverFaceId: 7 }) },
    ],
  };
};

/** Version 6 (faces by person): a runner found again in a later photo, their person refreshed. */
const fillVersion6: Fill = (db, earlier) => {
  const p10 = readyPhoto(10, RACE, 3, '/Users/ana/Pictures/Tethered/10k/FIN_0010.JPG', T + 2 * HOUR + 4 * MINUTE, Z6II);
  insertPhoto(db, p10);
  db.prepare('UPDATE photos SET face_count = 1 WHERE id = ?').run(p10.id);
  const job = doneJob(10, p10, 'photo.previews', 10);
  insertJob(db, job);
  const face = insertFace(
    db,
    {
      id: 9,
      photo: p10,
      personId: 3,
      box: [2000, 900, 420, 520],
      score: 0.987,
      quality: 0.83,
      withLandmarks: true,
      detail: { sharpness: 0.74, frontal: 0.88, sizePx: 520 },
    },
    true,
  );
  // What refreshPersons writes after the assignment: both faces counted, the better one the cover.
  db.prepare('UPDATE persons SET face_count = 2, cover_face_id = 9, updated_at = ? WHERE id = 3').run(T + 2 * HOUR + 5 * MINUTE);
  const faces = [...earlier.faces, face];
  return {
    ...earlier,
    photos: [...earlier.photos, p10],
    photoFaceCounts: new Map([...earlier.photoFaceCounts, [p10.id, 1]]),
    jobs: [...earlier.jobs, job],
    faces,
    persons: earlier.persons.map((p) =>
      p.summary.id === 3 ? { ...p, summary: summaryOf(3, null, faces, { faceCount: 2, coverFaceId: 9 }) } : p,
    ),
  };
};

/** Version 7 (one job kind per stage): stage jobs of their own, one skipped with a note, re-runs waiting and running. */
const fillVersion7: Fill = (db, earlier) => {
  const photo = (id: number) => earlier.photos.find((p) => p.id === id)!;
  const jobs: Job[] = [
    {
      ...doneJob(11, photo(8), 'photo.faces'),
      note: 'Skipped: face analysis is switched off (faces.enabled in settings.json); turn it on and run `shutterfind reprocess --stage faces`',
    },
    // `reprocess --stage faces` after a model change, behind new photos.
    { ...doneJob(12, photo(8), 'photo.faces', -5), state: 'queued', attempts: 0, runAfter: T + 7 * HOUR },
    {
      ...doneJob(13, photo(9), 'photo.scene', -5),
      state: 'leased',
      attempts: 1,
      runAfter: T + 7 * HOUR,
      leaseOwner: 'laptop:5151',
      leaseExpiresAt: T + 7 * HOUR + 5 * MINUTE,
    },
  ];
  for (const j of jobs) insertJob(db, j);
  return { ...earlier, jobs: [...earlier.jobs, ...jobs] };
};

/** Version 8 (the files of one capture): the RAW beside the JPEG of the race's photo 10. */
const fillVersion8: Fill = (db, earlier) => {
  const jpeg = earlier.photos.find((p) => p.id === 10)!;
  const raw: PhotoFile = {
    id: 1,
    eventId: jpeg.eventId,
    photoId: jpeg.id,
    sourceId: jpeg.sourceId,
    path: jpeg.path.replace(/\.JPG$/, '.NEF'),
    fileName: jpeg.fileName.replace(/\.JPG$/, '.NEF'),
    format: 'raw-tiff',
    sha256: sha256('FIN_0010.NEF'),
    sizeBytes: 27_300_112,
    mtimeMs: jpeg.mtimeMs! - 400,
    role: 'raw',
    pairedBy: 'name',
    addedAt: T + 2 * HOUR + 4 * MINUTE,
  };
  insert(db, 'photo_files', { ...raw });
  return { ...earlier, photoFiles: [...earlier.photoFiles, raw] };
};

/** Version 9 (do not publish): the organiser marked a guest, revoked an old mark, and an attendee opted out at the kiosk. */
const fillVersion9: Fill = (db, earlier) => {
  const attendee = earlier.sessions.find((s) => s.eventId === WEDDING && s.selfieEmbedding !== null)!;
  const optOuts: PublishOptOut[] = [
    {
      id: 1,
      eventId: WEDDING,
      personId: 6,
      personName: null,
      faceEmbedding: null,
      source: 'organiser',
      kioskSessionId: null,
      note: 'Asked by email before the ceremony',
      createdAt: T + 6 * HOUR,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    },
    {
      id: 2,
      eventId: WEDDING,
      personId: 1,
      personName: 'Anna Smith',
      faceEmbedding: null,
      source: 'organiser',
      kioskSessionId: null,
      note: null,
      createdAt: T + 6 * HOUR + MINUTE,
      revokedAt: T + 6 * HOUR + 2 * MINUTE,
      revokedBy: 'organiser',
      revokeReason: 'marked the wrong person',
    },
    {
      id: 3,
      eventId: WEDDING,
      personId: null,
      personName: null,
      faceEmbedding: vector(128, 909),
      source: 'kiosk',
      kioskSessionId: attendee.id,
      note: null,
      createdAt: T + 6 * HOUR + 5 * MINUTE,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    },
  ];
  for (const o of optOuts) insert(db, 'publish_opt_outs', { ...o, faceEmbedding: o.faceEmbedding ? blob(o.faceEmbedding) : null });
  return { ...earlier, optOuts: [...earlier.optOuts, ...optOuts] };
};

/** Version 10 (opt-outs follow faces): a trigger, no rows of its own. */
const fillVersion10: Fill = (_db, earlier) => earlier;

/** An enrolment row as the sync repository stores it (flags as 0/1, the clock in two columns). */
function insertEnrolment(db: Database, e: SyncEnrolment, o: { withDeviceId: boolean }): void {
  const { hlc, uploadOriginals, cloudFaceSearch, paused, deviceId, ...rest } = e;
  insert(db, 'sync_enrolments', {
    ...rest,
    ...(o.withDeviceId ? { deviceId } : {}),
    uploadOriginals: uploadOriginals ? 1 : 0,
    cloudFaceSearch: cloudFaceSearch ? 1 : 0,
    paused: paused ? 1 : 0,
    hlcWall: hlc.wall,
    hlcCounter: hlc.counter,
  });
}

/** Version 11 (sync): the device id, an enrolment half-way through a sync, its log and an upload in progress. */
const fillVersion11: Fill = (db, earlier) => {
  const deviceId = 'Hx3kP9qLm2Vb8sT4wZ6y1A';
  insert(db, 'sync_device', { id: 1, deviceId, createdAt: T + 8 * HOUR });
  const enrolment: SyncEnrolment = {
    eventId: WEDDING,
    // Enrolled before each event had its own device id: the laptop's (version 14 reads NULL as that).
    deviceId: null,
    endpoint: 'https://cloud.example.org',
    cloudEventId: 'c1oudEvent000001',
    cloudEventName: 'Wedding',
    publicBaseUrl: 'https://photos.example.org',
    deviceName: 'Laptop A',
    uploadOriginals: false,
    cloudFaceSearch: true,
    nextSeq: 43,
    ackedSeq: 40,
    hlc: { wall: T + 8 * HOUR + 5 * SECOND, counter: 2 },
    paused: false,
    bandwidthCap: 2_000_000,
    state: 'offline',
    lastError: 'the endpoint could not be reached',
    lastSyncedAt: T + 8 * HOUR,
    bytesSent: 123_456,
    enrolledAt: T + 8 * HOUR - MINUTE,
  };
  // Version 11 has no device_id column: the enrolment reads it as NULL (the laptop's id).
  insertEnrolment(db, enrolment, { withDeviceId: false });
  const ops = [41, 42].map((seq) => ({
    eventId: WEDDING,
    seq,
    kind: 'person.put',
    json: JSON.stringify({
      seq,
      hlc: `00${T + 8 * HOUR}-00000${seq - 41}-${deviceId}`,
      kind: 'person.put',
      personId: 1,
      name: 'Ana',
      doNotPublish: false,
    }),
  }));
  for (const o of ops) insert(db, 'sync_ops', { eventId: o.eventId, seq: o.seq, kind: o.kind, opJson: o.json, createdAt: T + 8 * HOUR });
  insert(db, 'sync_sent_state', { eventId: WEDDING, entityKind: 'person', entityKey: '1', digest: 'd'.repeat(32) });
  insert(db, 'sync_blobs', {
    eventId: WEDDING,
    sha256: sha256('thumb 1'),
    kind: 'thumb',
    size: 30_000,
    path: '/data/media/thumbs/1.webp',
    contentType: 'image/webp',
    uploadId: 'upload-1',
    partSize: 8_388_608,
    partCount: 1,
    addedAt: T + 8 * HOUR,
  });
  insert(db, 'sync_blob_parts', { eventId: WEDDING, sha256: sha256('thumb 1'), uploadId: 'upload-1', partNumber: 1, etag: '"abc"' });
  insert(db, 'media_hashes', { path: '/data/media/thumbs/1.webp', size: 30_000, mtimeMs: T, sha256: sha256('thumb 1') });
  return { ...earlier, sync: { deviceId, enrolments: [enrolment], ops } };
};

/** Version 12 (waited-for blobs): a column with a default on the rows of version 11, no rows of its own. */
const fillVersion12: Fill = (_db, earlier) => earlier;

/**
 * Version 13 (the camera's UTC offset): a wedding photo from a body set to +02:00, re-read after
 * the upgrade, and a new one from a body set to -05:30 (a row written with the column).
 */
const fillVersion13: Fill = (db, earlier) => {
  const reread = earlier.photos.find((p) => p.eventId === WEDDING && p.status === 'ready')!;
  db.prepare('UPDATE photos SET captured_offset_minutes = 120 WHERE id = ?').run(reread.id);
  const id = Math.max(...earlier.photos.map((p) => p.id)) + 1;
  const fresh = {
    ...readyPhoto(id, WEDDING, null, `/import/second-shooter/DSC_${id}.JPG`, T + 9 * HOUR, Z6II),
    capturedOffsetMinutes: -330,
  };
  insertPhoto(db, fresh);
  return {
    ...earlier,
    photos: [...earlier.photos.map((p) => (p.id === reread.id ? { ...p, capturedOffsetMinutes: 120 } : p)), fresh],
    photoFaceCounts: new Map([...earlier.photoFaceCounts, [id, null]]),
  };
};

/**
 * Version 14 (a device per event): the race enrolled into the same cloud event as the wedding, as
 * a device of its own; the wedding's enrolment keeps reading as the laptop's device.
 */
const fillVersion14: Fill = (db, earlier) => {
  const wedding = earlier.sync.enrolments.find((e) => e.eventId === WEDDING)!;
  const race: SyncEnrolment = {
    ...wedding,
    eventId: RACE,
    deviceId: `${earlier.sync.deviceId!}-e${RACE}`,
    nextSeq: 1,
    ackedSeq: 0,
    hlc: { wall: T + 10 * HOUR, counter: 0 },
    bandwidthCap: null,
    state: 'idle',
    lastError: null,
    lastSyncedAt: null,
    bytesSent: 0,
    enrolledAt: T + 10 * HOUR,
  };
  insertEnrolment(db, race, { withDeviceId: true });
  return { ...earlier, sync: { ...earlier.sync, enrolments: [...earlier.sync.enrolments, race] } };
};

/**
 * Version 15 (which network described an event's faces): the migration recorded both events as
 * described by dlib's net; the race is then described again by the faceplugin network.
 */
const fillVersion15: Fill = (db, earlier) => {
  db.prepare('INSERT OR REPLACE INTO event_face_descriptors (event_id, model, recorded_at) VALUES (?, ?, ?)').run(
    RACE,
    'faceplugin-fr-feature-512d-pca128',
    T + 11 * HOUR,
  );
  // The wedding was created at this version and no engine has opened it: nothing recorded yet.
  return { ...earlier, faceDescriptors: { [WEDDING]: null, [RACE]: 'faceplugin-fr-feature-512d-pca128' } };
};

/**
 * Version 16 (followers' faces noted before their event is described by another network): the
 * wedding's follower, one of her two faces already found again.
 */
const fillVersion16: Fill = (db, earlier) => {
  const followed = earlier.sessions.find((x) => x.followUntil !== null && x.selfieEmbedding !== null)!;
  const anchors: FollowerAnchor[] = [
    { photoId: followed.matchedPhotoIds[0]!, box: [120, 80, 64, 72], faceId: 1 },
    { photoId: followed.matchedPhotoIds[1]!, box: [410.5, 96, 58, 66.25], faceId: null },
  ];
  db.prepare('UPDATE kiosk_sessions SET follow_anchors_json = ? WHERE id = ?').run(JSON.stringify(anchors), followed.id);
  return { ...earlier, followerAnchors: { [followed.id]: anchors } };
};

/** Version 17 (faces in "Maybe you?" photos a follower took home): the wedding's follower chose one. */
const fillVersion17: Fill = (db, earlier) => {
  const followed = earlier.sessions.find((x) => x.followUntil !== null && x.selfieEmbedding !== null)!;
  const chosen: ChosenFace[] = [{ photoId: followed.matchedPhotoIds[1]!, box: [410.5, 96, 58, 66.25] }];
  db.prepare('UPDATE kiosk_sessions SET chosen_faces_json = ? WHERE id = ?').run(JSON.stringify(chosen), followed.id);
  return { ...earlier, chosenFaces: { [followed.id]: chosen } };
};

/** Version 18 (what a running session showed, kept in the database): the running session showed one "Maybe you?" photo. */
const fillVersion18: Fill = (db, earlier) => {
  const running = earlier.sessions.find((x) => x.state !== 'ended' && x.matchedPhotoIds.length)!;
  const shown: ShownFace[] = [{ photoId: running.matchedPhotoIds[0]!, faceId: 3, maybe: true }];
  db.prepare('UPDATE kiosk_sessions SET shown_faces_json = ? WHERE id = ?').run(JSON.stringify(shown), running.id);
  return { ...earlier, shownFaces: { [running.id]: shown } };
};

/** Keyed by schema version; `adds` names the rows in the test titles. */
const FILLS: Record<number, { adds: string[]; fill: Fill }> = {
  1: {
    adds: ['photos', 'jobs', 'outbox rows', 'duplicates', 'faces', 'persons', 'scene vectors', 'kiosk sessions', 'deliveries'],
    fill: fillVersion1,
  },
  2: { adds: ['face codes', 'runtime facts'], fill: fillVersion2 },
  3: { adds: ['bursts'], fill: fillVersion3 },
  4: { adds: ['kiosks', 'pairing codes', 'selfie matches', 'gallery links'], fill: fillVersion4 },
  5: { adds: ['pinned faces'], fill: fillVersion5 },
  6: { adds: ['a person seen again'], fill: fillVersion6 },
  7: { adds: ['stage jobs with notes and re-runs'], fill: fillVersion7 },
  8: { adds: ['a RAW beside its JPEG'], fill: fillVersion8 },
  9: { adds: ['do-not-publish records'], fill: fillVersion9 },
  10: { adds: ['(no rows: opt-outs follow moved faces)'], fill: fillVersion10 },
  11: { adds: ['a sync enrolment with its log and an upload half done'], fill: fillVersion11 },
  12: { adds: ['(no rows: files an attendee waits for go first)'], fill: fillVersion12 },
  13: { adds: ["capture times with the camera's UTC offset"], fill: fillVersion13 },
  14: { adds: ['a second event enrolled as a device of its own'], fill: fillVersion14 },
  15: { adds: ['an event described again by a newer face network'], fill: fillVersion15 },
  16: { adds: ["a follower's faces noted before a change of face network"], fill: fillVersion16 },
  17: { adds: ['a face in a "Maybe you?" photo a follower took home'], fill: fillVersion17 },
  18: { adds: ['the faces a running kiosk session showed'], fill: fillVersion18 },
};

function fillUpTo(db: Database, version: number): Expected {
  let expected = NOTHING;
  for (let v = 1; v <= version; v++) {
    const step = FILLS[v];
    if (!step) throw new Error(`No FILLS[${v}]: write the rows migration ${v} added before testing migrations from it`);
    expected = step.fill(db, expected);
  }
  return expected;
}

function filledWith(version: number): string {
  const rows = Array.from({ length: version }, (_, i) => FILLS[i + 1]?.adds ?? [`(nothing yet for version ${i + 1})`]).flat();
  return rows.length > 1 ? `${rows.slice(0, -1).join(', ')} and ${rows.at(-1)}` : rows.join('');
}

// ---------------------------------------------------------------------------------------------
// Reading everything back

const byId = <T extends { id: number }>(a: T, b: T) => a.id - b.id;

function expectSameBytes(actual: Float32Array | null | undefined, expected: Float32Array, what: string): void {
  expect(actual, what).toBeInstanceOf(Float32Array);
  expect(Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength).equals(blob(expected)), `${what} byte-equal`).toBe(true);
}

/** Rows per table (vec0 tables and their shadow tables included). */
function rowCounts(db: Database): Map<string, number> {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all();
  return new Map(tables.map(({ name }) => [name, db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${name}"`).get()!.n]));
}

function expectNoTableLostRows(before: Map<string, number>, after: Map<string, number>): void {
  const lost = [...before]
    .filter(([table, n]) => (after.get(table) ?? 0) < n)
    .map(([table, n]) => `${table}: ${n} -> ${after.get(table) ?? 'gone'}`);
  expect(lost).toEqual([]);
}

function expectEverythingReadable(db: Database, repos: Repositories, x: Expected): void {
  const eventIds = x.events.map((e) => e.event.id);

  expect(repos.events.listEvents()).toEqual(x.events.map((e) => e.event));
  for (const e of x.events) expect(repos.events.eventSettings(e.event.id)).toEqual(e.settings);
  // Each event keeps the record of the network that described its faces: dlib's for every event
  // older than version 15 (recorded by its migration), and as written after it.
  for (const e of x.events)
    expect(repos.events.faceDescriptorOf(e.event.id)).toBe(
      x.faceDescriptors ? (x.faceDescriptors[e.event.id] ?? null) : 'face-api-resnet34-128d',
    );

  for (const id of eventIds) {
    expect(repos.sources.listSources(id)).toEqual(x.sources.filter((s) => s.eventId === id && s.state !== 'removed').sort(byId));

    const photos = x.photos.filter((p) => p.eventId === id).sort(byId);
    expect(repos.photos.listPhotos(id, { limit: 1000 })).toEqual(photos);
    const counts = {
      total: photos.length,
      pending: 0,
      processing: 0,
      ready: 0,
      failed: 0,
      duplicates: x.duplicates.filter((d) => d.identity.eventId === id).length,
    };
    for (const p of photos) counts[p.status] += 1;
    expect(repos.photos.countPhotos(id)).toEqual(counts);
  }
  for (const p of x.photos) expect(repos.photos.getPhoto(p.id)).toEqual(p);
  const faceCounts = db.prepare<[], { id: number; face_count: number | null }>('SELECT id, face_count FROM photos ORDER BY id').all();
  expect(new Map(faceCounts.map((r) => [r.id, r.face_count]))).toEqual(x.photoFaceCounts);
  for (const d of x.duplicates) expect(repos.photos.findKnownFile(d.identity)).toEqual(d.known);

  // Jobs written before 0007 read as carriedOverBy0007 says (leaveFilledAt applies it).
  for (const j of x.jobs) expect(repos.jobs.getJob(j.id), `job ${j.id}`).toEqual(j);
  for (const id of eventIds) {
    expect(repos.jobs.listFailedJobs(id)).toEqual(x.jobs.filter((j) => j.eventId === id && j.state === 'failed'));
  }

  // No repository reads the outbox yet (it is written with each ready photo), so SQL it is.
  const outbox = db.prepare<[], Record<string, unknown>>('SELECT * FROM outbox ORDER BY id').all();
  expect(
    outbox.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]))),
  ).toEqual(x.outbox);

  for (const p of x.photos) {
    expect(repos.faces.facesOfPhoto(p.id), `faces of photo ${p.id}`).toEqual(
      x.faces
        .filter((f) => f.face.photoId === p.id)
        .map((f) => f.face)
        .sort(byId),
    );
  }
  const vectors = repos.faceVectors.vectorsOf(x.faces.map((f) => f.face.id));
  x.faces.forEach((f, i) => expectSameBytes(vectors[i], f.embedding, `vector of face ${f.face.id}`));
  for (const f of x.faces) {
    expect(repos.faceVectors.nearestFaces(f.face.eventId, f.embedding, 1, 'exact')[0]?.faceId, `exact search for face ${f.face.id}`).toBe(
      f.face.id,
    );
    // The hamming pre-selection only sees faces with a binary code.
    if (f.binaryCode)
      expect(
        repos.faceVectors.nearestFaces(f.face.eventId, f.embedding, 1, 'binary-rerank')[0]?.faceId,
        `binary search for face ${f.face.id}`,
      ).toBe(f.face.id);
  }
  for (const id of eventIds) {
    expect(repos.faces.countFaces(id)).toBe(x.faces.filter((f) => f.face.eventId === id).length);
    const placements = repos.persons.eventFacePlacements(id).sort((a, b) => a.faceId - b.faceId);
    expect(placements).toEqual(
      x.faces
        .filter((f) => f.face.eventId === id)
        .map((f) => ({ faceId: f.face.id, photoId: f.face.photoId, personId: f.face.personId, pinned: f.pinned }))
        .sort((a, b) => a.faceId - b.faceId),
    );
  }

  for (const id of eventIds) {
    const persons = x.persons.filter((p) => p.eventId === id);
    expect(repos.persons.listPersons(id).sort(byId)).toEqual(persons.map((p) => p.summary).sort(byId));
    for (const p of persons) {
      const faces = x.faces.filter((f) => f.face.personId === p.summary.id);
      expect(repos.faces.photoIdsOfPerson(id, p.summary.id)).toEqual([...new Set(faces.map((f) => f.face.photoId))].sort((a, b) => a - b));
      expect(repos.persons.describeNeighbours(faces.map((f) => ({ faceId: f.face.id, distance: 0 })))).toEqual(
        faces.map((f) => ({
          faceId: f.face.id,
          photoId: f.face.photoId,
          personId: p.summary.id,
          personFaceCount: p.summary.faceCount,
          personConfirmed: p.confirmed,
          distance: 0,
        })),
      );
    }
  }

  for (const p of x.photos) {
    const clip = x.clip.find((c) => c.photoId === p.id);
    if (!clip) {
      expect(repos.clipVectors.embeddingOf(p.id), `scene vector of photo ${p.id}`).toBeUndefined();
      continue;
    }
    expectSameBytes(repos.clipVectors.embeddingOf(p.id), clip.embedding, `scene vector of photo ${p.id}`);
    expect(repos.clipVectors.nearest(clip.eventId, clip.embedding, 1)[0]?.photoId).toBe(p.id);
  }

  // Landmarks (a BLOB no other read returns) come back through burst grouping's candidates.
  for (const id of eventIds) {
    const candidates = repos.bursts.loadCandidates(id);
    const ready = x.photos.filter((p) => p.eventId === id && p.status === 'ready' && p.phash !== null && p.capturedAt !== null);
    expect(candidates.map((c) => c.photoId).sort((a, b) => a - b)).toEqual(ready.map((p) => p.id).sort((a, b) => a - b));
    for (const c of candidates) {
      const largest = x.faces
        .filter((f) => f.face.photoId === c.photoId && f.landmarks)
        .sort((a, b) => b.face.box[2] * b.face.box[3] - a.face.box[2] * a.face.box[3])[0];
      if (largest) expectSameBytes(c.mainFaceLandmarks, largest.landmarks!, `landmarks of photo ${c.photoId}`);
      else expect(c.mainFaceLandmarks).toBeNull();
      const clip = x.clip.find((v) => v.photoId === c.photoId);
      if (clip) expectSameBytes(c.clip, clip.embedding, `scene vector of candidate ${c.photoId}`);
      else expect(c.clip).toBeNull();
    }
  }

  for (const r of x.runtime) expect(repos.runtime.get(r.key)).toEqual({ value: r.value, updatedAt: r.updatedAt });

  for (const id of eventIds) expect(repos.bursts.listBursts(id)).toEqual(x.bursts.filter((b) => b.eventId === id));
  for (const b of x.bursts) for (const m of b.photos) expect(repos.bursts.burstOf(m.photoId)).toEqual(b);

  for (const id of eventIds)
    expect(repos.kiosks.listDevices(id)).toEqual(x.devices.filter((d) => d.device.eventId === id && !d.revoked).map((d) => d.device));
  for (const d of x.devices) expect(repos.kiosks.deviceByTokenHash(d.tokenHash)).toEqual(d.revoked ? undefined : d.device);

  for (const s of x.sessions) {
    const read = repos.kiosks.getSession(s.id);
    expect(read).toEqual(s);
    if (s.selfieEmbedding) expectSameBytes(read?.selfieEmbedding, s.selfieEmbedding, `selfie embedding of session ${s.id}`);
    expect(repos.kiosks.shownFacesOf(s.id)).toEqual(x.shownFaces?.[s.id] ?? []);
  }
  for (const id of eventIds) {
    const following = x.sessions.filter((s) => s.eventId === id && s.followUntil !== null && s.followUntil > READ_AT && s.selfieEmbedding);
    expect(repos.kiosks.followingSessions(id, READ_AT)).toEqual(
      following.map((s) => ({
        id: s.id,
        embedding: s.selfieEmbedding,
        matchedPhotoIds: s.matchedPhotoIds,
        anchors: x.followerAnchors?.[s.id] ?? null,
        chosenFaces: x.chosenFaces?.[s.id] ?? [],
      })),
    );
  }

  for (const g of x.galleryLinks) expect(repos.galleries.linkByTokenHash(g.tokenHash)).toEqual(g.link);
  for (const id of eventIds)
    expect(repos.galleries.listDeliveries(id).sort(byId)).toEqual(x.deliveries.filter((d) => d.eventId === id).sort(byId));
  for (const d of x.deliveries) expect(repos.galleries.getDelivery(d.id)).toEqual(d);

  for (const f of x.photoFiles) {
    expect(repos.pairs.filesOfPhoto(f.photoId)).toEqual(x.photoFiles.filter((g) => g.photoId === f.photoId));
    expect(repos.pairs.findFileBySha(f.eventId, f.sha256)).toEqual(f);
    expect(repos.pairs.findKnownFile(f.eventId, f.path, f.sizeBytes, f.mtimeMs)).toEqual(f);
  }

  for (const id of eventIds) {
    const optOuts = x.optOuts.filter((o) => o.eventId === id);
    const read = repos.optOuts.listOptOuts(id);
    expect(read).toEqual(optOuts);
    optOuts.forEach((o, i) => o.faceEmbedding && expectSameBytes(read[i]?.faceEmbedding, o.faceEmbedding, `opt-out face ${o.id}`));
    expect(repos.optOuts.activeOptOuts(id)).toEqual(optOuts.filter((o) => o.revokedAt === null));
  }

  expect(repos.sync.enrolments()).toEqual(x.sync.enrolments);
  if (x.sync.deviceId) expect(repos.sync.deviceId(() => 'a-new-id-that-must-not-be-made', READ_AT)).toBe(x.sync.deviceId);
  for (const e of x.sync.enrolments) {
    expect(repos.sync.opsFrom(e.eventId, e.ackedSeq + 1, 100)).toEqual(
      x.sync.ops.filter((o) => o.eventId === e.eventId).map((o) => ({ seq: o.seq, kind: o.kind, json: o.json })),
    );
    // The upload in progress is the wedding's (version 11); the race has sent nothing yet.
    if (e.eventId !== WEDDING) continue;
    const [upload] = repos.sync.pendingBlobs(e.eventId, 10);
    expect(upload).toMatchObject({ sha256: sha256('thumb 1'), kind: 'thumb', uploadId: 'upload-1', partCount: 1 });
    expect(repos.sync.partsDone(e.eventId, sha256('thumb 1'), 'upload-1')).toEqual([{ partNumber: 1, etag: '"abc"' }]);
    expect(repos.sync.cachedHashes(['/data/media/thumbs/1.webp']).get('/data/media/thumbs/1.webp')).toEqual({
      size: 30_000,
      mtimeMs: T,
      sha256: sha256('thumb 1'),
    });
  }

  // Last: redeeming uses a code up.
  for (const c of x.pairingCodes) expect(repos.kiosks.redeemPairingCode(c.codeHash, READ_AT)).toBe(c.redeemsTo);
}

// ---------------------------------------------------------------------------------------------

let dir: string;
let path: string;
let db: Database | undefined;

beforeEach(async () => {
  dir = await makeTempDir();
  path = join(dir, 'shutterfind.db');
});
afterEach(async () => {
  if (db?.open) db.close();
  db = undefined;
  await removeDir(dir);
});

/** A database at `version` holding the fills 1..version, closed; its expectation and row counts. */
function leaveFilledAt(version: number): { expected: Expected; rows: Map<string, number> } {
  const old = openDatabase(path, { migrateUpTo: version });
  try {
    expect(currentSchemaVersion(old)).toBe(version);
    const filled = old.transaction(() => fillUpTo(old, version))();
    const expected = version < 7 ? carriedOverBy0007(filled) : filled;
    return { expected, rows: rowCounts(old) };
  } finally {
    old.close();
  }
}

describe('a database migrated with rows in it', () => {
  it('has a fill for every schema version, so each new migration meets the rows of every older one', () => {
    const versions = Object.keys(FILLS)
      .map(Number)
      .sort((a, b) => a - b);
    expect(versions, 'a new migration N needs FILLS[N] with the rows it adds').toEqual(Array.from({ length: LATEST }, (_, i) => i + 1));
  });

  for (let version = 1; version < LATEST; version++) {
    it(`a database left at version ${version}, filled with ${filledWith(version)}, keeps every row readable after migrating to the latest`, () => {
      const { expected, rows } = leaveFilledAt(version);
      db = openDatabase(path);
      expect(currentSchemaVersion(db)).toBe(LATEST);
      expectNoTableLostRows(rows, rowCounts(db));
      expectEverythingReadable(db, createRepositories(db), expected);
    });
  }

  // Checks the fills and the reading above against the schema they are read with, untouched.
  it(`a database at the latest version, filled with ${filledWith(LATEST)}, reads back the same after it is opened again`, () => {
    const { expected, rows } = leaveFilledAt(LATEST);
    db = openDatabase(path);
    expect(currentSchemaVersion(db)).toBe(LATEST);
    expect(rowCounts(db)).toEqual(rows);
    expectEverythingReadable(db, createRepositories(db), expected);
  });
});

describe('a migration that fails part-way', () => {
  // migrate() runs each migration in its own transaction. An index made by hand under the name
  // 0002 gives its last statement makes 0002 fail after it has altered three tables and created
  // a vec0 table (with its shadow tables): none of that may stay, and the rows must.
  it('leaves the database at its old version with every row, and a later open migrates it', () => {
    const { expected, rows } = leaveFilledAt(1);
    const tampered = openDatabase(path, { skipMigrations: true });
    tampered.exec('CREATE INDEX persons_event ON persons(name)');
    tampered.close();

    expect(() => openDatabase(path)).toThrow(/persons_event already exists/);

    const after = openDatabase(path, { readonly: true });
    try {
      expect(currentSchemaVersion(after)).toBe(1);
      const columns = (table: string) =>
        after
          .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
          .all()
          .map((c) => c.name);
      expect(columns('faces')).not.toContain('sharpness');
      expect(columns('photos')).not.toContain('face_count');
      expect(columns('persons')).not.toContain('cover_face_id');
      expect(
        after.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'face_embeddings_bits%' OR name = 'runtime_info'").all(),
      ).toEqual([]);
      expect(rowCounts(after)).toEqual(rows);
    } finally {
      after.close();
    }

    const repaired = openDatabase(path, { skipMigrations: true });
    repaired.exec('DROP INDEX persons_event');
    repaired.close();
    db = openDatabase(path);
    expect(currentSchemaVersion(db)).toBe(LATEST);
    expectEverythingReadable(db, createRepositories(db), expected);
  });
});
