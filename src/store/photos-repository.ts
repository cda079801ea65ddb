import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ClipVectorsRepository } from './clip-vectors-repository.js';
import type { FacesReplaced, FacesRepository, NewFace } from './faces-repository.js';
import type { JobsRepository } from './jobs-repository.js';
import type { PersonsRepository } from './persons-repository.js';
import type { MediaFileHash, SyncRepository } from './sync-repository.js';
import type { DuplicateKind, Photo, PhotoCounts, PhotoError, PhotoStatus, CameraMetadata } from './types.js';

interface PhotoRow {
  id: number;
  event_id: number;
  source_id: number | null;
  path: string;
  file_name: string;
  format: string | null;
  sha256: string | null;
  size_bytes: number | null;
  mtime_ms: number | null;
  status: PhotoStatus;
  error: string | null;
  landed_at: number;
  admitted_at: number | null;
  ready_at: number | null;
  width: number | null;
  height: number | null;
  captured_at: number | null;
  captured_offset_minutes: number | null;
  camera_make: string | null;
  camera_model: string | null;
  camera_serial: string | null;
  lens: string | null;
  orientation: number | null;
  phash: string | null;
  preview_path: string | null;
  thumbnail_path: string | null;
}

const toPhoto = (r: PhotoRow): Photo => ({
  id: r.id,
  eventId: r.event_id,
  sourceId: r.source_id,
  path: r.path,
  fileName: r.file_name,
  format: r.format,
  sha256: r.sha256,
  sizeBytes: r.size_bytes,
  mtimeMs: r.mtime_ms,
  status: r.status,
  error: r.error,
  landedAt: r.landed_at,
  admittedAt: r.admitted_at,
  readyAt: r.ready_at,
  width: r.width,
  height: r.height,
  capturedAt: r.captured_at,
  capturedOffsetMinutes: r.captured_offset_minutes,
  cameraMake: r.camera_make,
  cameraModel: r.camera_model,
  cameraSerial: r.camera_serial,
  lens: r.lens,
  orientation: r.orientation,
  phash: r.phash,
  previewPath: r.preview_path,
  thumbnailPath: r.thumbnail_path,
});

export interface FileIdentity {
  eventId: number;
  sourceId: number | null;
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

export interface NewPhoto extends FileIdentity {
  sha256: string;
  format: string;
  landedAt: number;
}

export interface FailedFile {
  eventId: number;
  sourceId: number | null;
  path: string;
  error: string;
  format: string | null;
  sizeBytes: number | null;
  mtimeMs: number | null;
  landedAt: number;
}

/** What the previews stage learned about a photo: its size, camera metadata and rendered files. */
export interface RenderedPhoto extends CameraMetadata {
  width: number;
  height: number;
  phash: string;
  previewPath: string;
  thumbnailPath: string;
  /**
   * The preview's and thumbnail's content hashes, taken by the worker from the bytes it wrote, so
   * the sync differ finds them hashed instead of reading every file again on the main thread.
   */
  fileHashes: readonly MediaFileHash[];
}

/** What one worker task found, stage by stage; a stage that did not run is absent. */
export interface ProcessedPhoto {
  /** Absent when the previews stage did not run (a faces re-run leaves the previews as they are). */
  rendered?: RenderedPhoto;
  /** Faces found by the faces stage; absent when it did not run (or face analysis is switched off). */
  faces?: NewFace[];
  /** CLIP image embedding; absent when the scene stage did not run (or no CLIP model is installed). */
  clipEmbedding?: Float32Array;
}

/** A job a worker task carried, done; `note` says why it did nothing (its stage is switched off). */
export interface JobCompletion {
  jobId: number;
  note?: string | null;
}

/** What the store already knows about a path, so a rescan skips it without hashing. */
export type KnownFile = { kind: 'photo'; photo: Photo } | { kind: 'duplicate'; photoId: number };

export interface PhotoListQuery {
  status?: PhotoStatus;
  limit: number;
  offset?: number;
}

export function createPhotosRepository(
  db: Database,
  jobs: JobsRepository,
  faces: FacesRepository,
  clip: ClipVectorsRepository,
  persons: PersonsRepository,
  mediaHashes: Pick<SyncRepository, 'saveHashes'>,
) {
  const byId = db.prepare<[number], PhotoRow>('SELECT * FROM photos WHERE id = ?');
  const bySha = db.prepare<[number, string], PhotoRow>('SELECT * FROM photos WHERE event_id = ? AND sha256 = ?');
  const knownPhoto = db.prepare<[number, string, number, number], PhotoRow>(
    'SELECT * FROM photos WHERE event_id = ? AND path = ? AND size_bytes = ? AND mtime_ms = ? ORDER BY id DESC LIMIT 1',
  );
  const knownDuplicate = db.prepare<[number, string, number, number], { photo_id: number }>(
    'SELECT photo_id FROM duplicates WHERE event_id = ? AND path = ? AND size_bytes = ? AND mtime_ms = ? LIMIT 1',
  );
  const insertPhoto = db.prepare(
    `INSERT INTO photos (event_id, source_id, path, file_name, format, sha256, size_bytes, mtime_ms, status,
       landed_at, admitted_at, updated_at)
     VALUES (@eventId, @sourceId, @path, @fileName, @format, @sha256, @sizeBytes, @mtimeMs, 'pending',
       @landedAt, @now, @now)`,
  );
  const deleteUnhashedAtPath = db.prepare('DELETE FROM photos WHERE event_id = ? AND path = ? AND sha256 IS NULL');
  const upsertFailed = db.prepare(
    `INSERT INTO photos (event_id, source_id, path, file_name, format, size_bytes, mtime_ms, status, error,
       landed_at, updated_at)
     VALUES (@eventId, @sourceId, @path, @fileName, @format, @sizeBytes, @mtimeMs, 'failed', @error, @landedAt, @now)
     ON CONFLICT (event_id, path) WHERE sha256 IS NULL DO UPDATE SET
       error = excluded.error, format = excluded.format, size_bytes = excluded.size_bytes,
       mtime_ms = excluded.mtime_ms, status = 'failed', updated_at = excluded.updated_at`,
  );
  const insertDuplicate = db.prepare(
    `INSERT INTO duplicates (event_id, photo_id, path, sha256, size_bytes, mtime_ms, kind, seen_at)
     VALUES (@eventId, @photoId, @path, @sha256, @sizeBytes, @mtimeMs, @kind, @now)
     ON CONFLICT (event_id, path, sha256) DO UPDATE SET size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms`,
  );
  const movePhoto = db.prepare('UPDATE photos SET path = ?, file_name = ?, mtime_ms = ?, updated_at = ? WHERE id = ?');
  // A stage re-run on a ready photo keeps it ready (the kiosk keeps finding it): only a photo that
  // is not ready yet shows it is being processed, waits or fails.
  const setStatusUnlessReady = db.prepare(`UPDATE photos SET status = ?, updated_at = ? WHERE id = ? AND status <> 'ready'`);
  const setReady = db.prepare(
    `UPDATE photos SET status = 'ready', error = NULL, updated_at = @now,
       ready_at = CASE WHEN status = 'ready' AND ready_at IS NOT NULL THEN ready_at ELSE @now END,
       width = @width, height = @height, captured_at = @capturedAt,
       captured_offset_minutes = @capturedOffsetMinutes, camera_make = @cameraMake,
       camera_model = @cameraModel, camera_serial = @cameraSerial, lens = @lens, orientation = @orientation,
       phash = @phash, preview_path = @previewPath, thumbnail_path = @thumbnailPath
     WHERE id = @id`,
  );
  const setFailed = db.prepare(`UPDATE photos SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status <> 'ready'`);
  const setPendingAgain = db.prepare(
    `UPDATE photos SET status = 'pending', error = NULL, updated_at = ? WHERE id = ? AND status = 'failed'`,
  );
  const insertOutbox = db.prepare('INSERT INTO outbox (event_id, topic, entity_id, payload_json, created_at) VALUES (?, ?, ?, ?, ?)');
  const counts = db.prepare<[number], { status: PhotoStatus; n: number }>(
    'SELECT status, COUNT(*) AS n FROM photos WHERE event_id = ? GROUP BY status',
  );
  const duplicateCount = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM duplicates WHERE event_id = ?');
  const errors = db.prepare<[number, number], { id: number; path: string; error: string; updated_at: number }>(
    `SELECT id, path, error, updated_at FROM photos WHERE event_id = ? AND status = 'failed'
     ORDER BY updated_at DESC, id DESC LIMIT ?`,
  );
  const listAll = db.prepare<[number, number, number], PhotoRow>('SELECT * FROM photos WHERE event_id = ? ORDER BY id LIMIT ? OFFSET ?');
  const listByStatus = db.prepare<[number, PhotoStatus, number, number], PhotoRow>(
    'SELECT * FROM photos WHERE event_id = ? AND status = ? ORDER BY id LIMIT ? OFFSET ?',
  );
  const readySince = db.prepare<[number, number], { n: number }>(
    `SELECT COUNT(*) AS n FROM photos WHERE event_id = ? AND status = 'ready' AND ready_at >= ?`,
  );
  const unhashedFailures = db.prepare<[number], PhotoRow>(
    `SELECT * FROM photos WHERE event_id = ? AND status = 'failed' AND sha256 IS NULL`,
  );
  const deleteById = db.prepare('DELETE FROM photos WHERE id = ? AND sha256 IS NULL');
  const newestFirst = db.prepare<[number, number, number], PhotoRow>(
    'SELECT * FROM photos WHERE event_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  const newestFirstByStatus = db.prepare<[number, PhotoStatus, number, number], PhotoRow>(
    'SELECT * FROM photos WHERE event_id = ? AND status = ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  const cameraCounts = db.prepare<[number], { make: string | null; model: string | null; serial: string | null; n: number }>(
    `SELECT camera_make AS make, camera_model AS model, camera_serial AS serial, COUNT(*) AS n FROM photos
     WHERE event_id = ? AND status = 'ready' GROUP BY camera_make, camera_model, camera_serial ORDER BY n DESC`,
  );
  const sourceCounts = db.prepare<[number], { source_id: number; n: number }>(
    'SELECT source_id, COUNT(*) AS n FROM photos WHERE event_id = ? AND source_id IS NOT NULL GROUP BY source_id',
  );

  return {
    getPhoto(id: number): Photo | undefined {
      const row = byId.get(id);
      return row ? toPhoto(row) : undefined;
    },
    findPhotoBySha(eventId: number, sha256: string): Photo | undefined {
      const row = bySha.get(eventId, sha256);
      return row ? toPhoto(row) : undefined;
    },
    /** A path with the same size and mtime as last time has not changed: no need to hash it again. */
    findKnownFile(f: Omit<FileIdentity, 'sourceId'>): KnownFile | undefined {
      const photo = knownPhoto.get(f.eventId, f.path, f.sizeBytes, f.mtimeMs);
      if (photo) return { kind: 'photo', photo: toPhoto(photo) };
      const dup = knownDuplicate.get(f.eventId, f.path, f.sizeBytes, f.mtimeMs);
      return dup ? { kind: 'duplicate', photoId: dup.photo_id } : undefined;
    },
    /**
     * Records a new photo with its previews and faces jobs together, so a crash never leaves one
     * without the others. (Scene search joins the previews task by itself when a model is installed.)
     */
    addPhotoWithJob(p: NewPhoto, maxAttempts: number, now: number, priority = 0, runAfter = now): number {
      return db.transaction(() => {
        // The file was recorded as failed before (still being written, unreadable): it is good now.
        deleteUnhashedAtPath.run(p.eventId, p.path);
        const id = Number(insertPhoto.run({ ...p, fileName: basename(p.path), now }).lastInsertRowid);
        for (const kind of ['photo.previews', 'photo.faces'] as const) {
          jobs.enqueueJob({ kind, eventId: p.eventId, photoId: id, maxAttempts, runAfter, priority }, now);
        }
        return id;
      })();
    },
    /**
     * Another file with bytes the event already has. A rename also moves the photo to the
     * new path, so previews and exports can still find the original.
     */
    recordDuplicate(f: FileIdentity & { sha256: string; photoId: number; kind: DuplicateKind }, now: number): void {
      db.transaction(() => {
        insertDuplicate.run({ ...f, now });
        if (f.kind === 'rename') movePhoto.run(f.path, basename(f.path), f.mtimeMs, now, f.photoId);
      })();
    },
    recordFailedFile(f: FailedFile, now: number): void {
      upsertFailed.run({ ...f, fileName: basename(f.path), now });
    },
    /** A worker task on the photo began; a ready photo stays ready. */
    markProcessing(id: number, now: number): void {
      setStatusUnlessReady.run('processing', now, id);
    },
    /**
     * One worker task's results, the completion of every job it carried and the sync outbox row
     * land in one transaction. A photo becomes ready with its previews; faces found again replace
     * the earlier ones (a new face in an old one's place keeps its person).
     */
    completePhotoWork(photoId: number, done: readonly JobCompletion[], result: ProcessedPhoto, now: number): FacesReplaced {
      return db.transaction(() => {
        const { rendered, faces: found, clipEmbedding } = result;
        const wasReady = byId.get(photoId)?.status === 'ready';
        if (rendered) {
          const { fileHashes, ...columns } = rendered;
          setReady.run({ ...columns, id: photoId, now });
          // Kept whether or not the event is enrolled for sync: an event is often enrolled after it
          // was shot, and its first differ run then reads none of its files again (535 MB for
          // 2,000 photos in bench:sync, on the main thread). A row measured about 400 bytes (its path is stored twice,
          // in the row and in the key), 1.6 MB for those 2,000 photos; in this transaction it costs
          // no commit of its own. A re-render writes the same path: its row is replaced.
          mediaHashes.saveHashes(fileHashes);
        }
        for (const job of done) jobs.completeJob(job.jobId, now, job.note ?? null);
        const photo = byId.get(photoId);
        if (!photo) return { faceIds: [], replacedFaceIds: [], personIds: [] };
        const summary = { sha256: photo.sha256, fileName: photo.file_name, capturedAt: photo.captured_at, faces: found?.length ?? null };
        if (rendered && !wasReady) insertOutbox.run(photo.event_id, 'photo.ready', photoId, JSON.stringify(summary), now);
        // A faces re-run on a photo that was synced already: its face count changed.
        else if (found && wasReady) insertOutbox.run(photo.event_id, 'photo.faces', photoId, JSON.stringify(summary), now);
        if (clipEmbedding) clip.replace(photoId, photo.event_id, clipEmbedding);
        if (!found) return { faceIds: [], replacedFaceIds: [], personIds: [] };
        const replaced = faces.replaceFacesOfPhoto(photoId, photo.event_id, found, now);
        if (replaced.personIds.length) {
          // Counts and covers of the persons that lost (or kept) a face; an unnamed one left with
          // none goes, as after any other loss of faces.
          persons.refreshPersons(replaced.personIds, now);
          const affected = new Set(replaced.personIds);
          for (const id of persons.emptyUnnamedPersonIds(photo.event_id)) if (affected.has(id)) persons.deletePerson(id);
        }
        return replaced;
      })();
    },
    /** The task failed for good: its jobs fail, and so does the photo unless it is ready (a re-run failed). */
    failPhotoWork(photoId: number, jobIds: readonly number[], error: string, now: number): void {
      db.transaction(() => {
        setFailed.run(error, now, photoId);
        for (const id of jobIds) jobs.failJob(id, error, now);
      })();
    },
    /** The jobs will be tried again later; a photo not ready yet waits as pending, the last error kept on the jobs. */
    requeuePhotoWork(photoId: number, jobIds: readonly number[], error: string, runAfter: number, now: number): void {
      db.transaction(() => {
        setStatusUnlessReady.run('pending', now, photoId);
        for (const id of jobIds) jobs.requeueJob(id, error, runAfter, now);
      })();
    },
    /** Failed jobs of photos whose file was read go back to the queue; returns for how many photos. */
    retryFailedPhotoJobs(eventId: number, now: number, onlyPhotoIds?: readonly number[]): number {
      const only = onlyPhotoIds ? new Set(onlyPhotoIds) : null;
      return db.transaction(() => {
        const photos = new Set<number>();
        for (const job of jobs.listFailedJobs(eventId)) {
          if (only && (job.photoId === null || !only.has(job.photoId))) continue;
          if (!jobs.retryJob(job.id, now)) continue;
          if (job.photoId !== null) {
            setPendingAgain.run(now, job.photoId);
            photos.add(job.photoId);
          }
        }
        return photos.size;
      })();
    },
    /** Failures that happened before the file could be read; a retry re-examines the file. */
    listUnreadFailures(eventId: number): Photo[] {
      return unhashedFailures.all(eventId).map(toPhoto);
    },
    forgetUnreadFailure(id: number): void {
      deleteById.run(id);
    },
    countPhotos(eventId: number): PhotoCounts {
      const c: PhotoCounts = { total: 0, pending: 0, processing: 0, ready: 0, failed: 0, duplicates: 0 };
      for (const row of counts.all(eventId)) {
        c[row.status] = row.n;
        c.total += row.n;
      }
      c.duplicates = duplicateCount.get(eventId)?.n ?? 0;
      return c;
    },
    countReadySince(eventId: number, since: number): number {
      return readySince.get(eventId, since)?.n ?? 0;
    },
    recentErrors(eventId: number, limit: number): PhotoError[] {
      return errors.all(eventId, limit).map((r) => ({ photoId: r.id, path: r.path, error: r.error, at: r.updated_at }));
    },
    /** Newest first, below photo id `before` (a cursor that stays stable while photos land). */
    listNewestPhotos(eventId: number, q: { limit: number; before?: number | undefined; status?: PhotoStatus | undefined }): Photo[] {
      const before = q.before ?? Number.MAX_SAFE_INTEGER;
      const rows = q.status ? newestFirstByStatus.all(eventId, q.status, before, q.limit) : newestFirst.all(eventId, before, q.limit);
      return rows.map(toPhoto);
    },
    /** Ready photos per camera body (make, model, serial), most photos first. */
    countByCamera(eventId: number): { make: string | null; model: string | null; serial: string | null; photos: number }[] {
      return cameraCounts.all(eventId).map((r) => ({ make: r.make, model: r.model, serial: r.serial, photos: r.n }));
    },
    countBySource(eventId: number): Map<number, number> {
      return new Map(sourceCounts.all(eventId).map((r) => [r.source_id, r.n]));
    },
    listPhotos(eventId: number, q: PhotoListQuery): Photo[] {
      const rows = q.status ? listByStatus.all(eventId, q.status, q.limit, q.offset ?? 0) : listAll.all(eventId, q.limit, q.offset ?? 0);
      return rows.map(toPhoto);
    },
  };
}

export type PhotosRepository = ReturnType<typeof createPhotosRepository>;
