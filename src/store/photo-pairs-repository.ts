// The files of one capture (RAW+JPEG): a photo's other file, found by the bytes or the path, and the
// two writes that make a pair one photo: taking a partner file in (swapping which file the photo
// is processed from) and merging two photos that turned out to be one capture.
import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { FacesRepository } from './faces-repository.js';
import type { JobsRepository } from './jobs-repository.js';
import type { ChosenFace } from './kiosks-repository.js';
import type { PersonsRepository } from './persons-repository.js';
import { pairReplacedFaces } from './replaced-faces.js';

export type PhotoFileRole = 'raw' | 'rendered';
export type PairedBy = 'name' | 'capture' | 'repair';

/** A capture's file that is not the one the photo is processed from (usually its RAW). */
export interface PhotoFile {
  id: number;
  eventId: number;
  photoId: number;
  sourceId: number | null;
  path: string;
  fileName: string;
  format: string;
  sha256: string;
  sizeBytes: number;
  mtimeMs: number;
  role: PhotoFileRole;
  pairedBy: PairedBy;
  addedAt: number;
}

/** A file's identity as admission knows it. */
export interface CaptureFile {
  sourceId: number | null;
  path: string;
  format: string;
  sha256: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** What pairing reads of a stored photo (see camera-files' PairCandidate). */
export interface StoredPairCandidate {
  id: number;
  path: string;
  format: string | null;
  status: string;
  companionRole: PhotoFileRole | null;
  capturedAt: number | null;
  cameraSerial: string | null;
}

export interface PartnerTaken {
  /** The photo will be rendered again from its new file (it had been processed from the RAW already). */
  renderedAgain: boolean;
}

export interface CaptureMerged {
  keptPhotoId: number;
  droppedPhotoId: number;
  /** Persons that lost or gained a face: their counts and covers were refreshed. */
  personIds: number[];
  /** The dropped photo's faces, gone from the event. */
  removedFaceIds: number[];
}

interface PhotoFileRow {
  id: number;
  event_id: number;
  photo_id: number;
  source_id: number | null;
  path: string;
  file_name: string;
  format: string;
  sha256: string;
  size_bytes: number;
  mtime_ms: number;
  role: PhotoFileRole;
  paired_by: PairedBy;
  added_at: number;
}

const toPhotoFile = (r: PhotoFileRow): PhotoFile => ({
  id: r.id,
  eventId: r.event_id,
  photoId: r.photo_id,
  sourceId: r.source_id,
  path: r.path,
  fileName: r.file_name,
  format: r.format,
  sha256: r.sha256,
  sizeBytes: r.size_bytes,
  mtimeMs: r.mtime_ms,
  role: r.role,
  pairedBy: r.paired_by,
  addedAt: r.added_at,
});

interface CandidateRow {
  id: number;
  path: string;
  format: string | null;
  status: string;
  companion_role: PhotoFileRole | null;
  captured_at: number | null;
  camera_serial: string | null;
}

const toCandidate = (r: CandidateRow): StoredPairCandidate => ({
  id: r.id,
  path: r.path,
  format: r.format,
  status: r.status,
  companionRole: r.companion_role,
  capturedAt: r.captured_at,
  cameraSerial: r.camera_serial,
});

const CANDIDATE_COLUMNS = `p.id, p.path, p.format, p.status, p.captured_at, p.camera_serial,
  (SELECT f.role FROM photo_files f WHERE f.photo_id = p.id LIMIT 1) AS companion_role`;

/** Rewrites a JSON array of photo ids, the dropped photo becoming the kept one (once). */
const remapIds = (table: string, column: string) => `
  UPDATE ${table} SET ${column} = (
    SELECT json_group_array(v) FROM (
      SELECT CASE WHEN value = @drop THEN @keep ELSE value END AS v, MIN(key) AS k FROM json_each(${table}.${column})
       GROUP BY v ORDER BY k))
  WHERE EXISTS (SELECT 1 FROM json_each(${table}.${column}) WHERE value = @drop)`;

export function createPhotoPairsRepository(db: Database, jobs: JobsRepository, faces: FacesRepository, persons: PersonsRepository) {
  const ofPhoto = db.prepare<[number], PhotoFileRow>('SELECT * FROM photo_files WHERE photo_id = ? ORDER BY id');
  const ofEvent = db.prepare<[number], PhotoFileRow>('SELECT * FROM photo_files WHERE event_id = ? ORDER BY photo_id, id');
  const bySha = db.prepare<[number, string], PhotoFileRow>('SELECT * FROM photo_files WHERE event_id = ? AND sha256 = ?');
  const known = db.prepare<[number, string, number, number], PhotoFileRow>(
    'SELECT * FROM photo_files WHERE event_id = ? AND path = ? AND size_bytes = ? AND mtime_ms = ? LIMIT 1',
  );
  const count = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM photo_files WHERE event_id = ?');
  const insert = db.prepare(
    `INSERT INTO photo_files (event_id, photo_id, source_id, path, file_name, format, sha256, size_bytes, mtime_ms, role, paired_by, added_at)
     VALUES (@eventId, @photoId, @sourceId, @path, @fileName, @format, @sha256, @sizeBytes, @mtimeMs, @role, @pairedBy, @now)`,
  );
  const move = db.prepare('UPDATE photo_files SET path = ?, file_name = ?, mtime_ms = ? WHERE id = ?');
  // Photos whose path starts with "<folder><stem>.": a range on photos(event_id, path).
  const byNamePrefix = db.prepare<[number, string, string], CandidateRow>(
    `SELECT ${CANDIDATE_COLUMNS} FROM photos p WHERE p.event_id = ? AND p.path >= ? AND p.path < ? AND p.sha256 IS NOT NULL`,
  );
  const byCapture = db.prepare<[number, number], CandidateRow>(
    `SELECT ${CANDIDATE_COLUMNS} FROM photos p WHERE p.event_id = ? AND p.captured_at = ? AND p.sha256 IS NOT NULL`,
  );
  const ofEventAll = db.prepare<[number], CandidateRow>(
    `SELECT ${CANDIDATE_COLUMNS} FROM photos p WHERE p.event_id = ? AND p.sha256 IS NOT NULL ORDER BY p.id`,
  );
  const photoRow = db.prepare<
    [number],
    {
      id: number;
      event_id: number;
      source_id: number | null;
      path: string;
      format: string | null;
      sha256: string | null;
      size_bytes: number | null;
      mtime_ms: number | null;
      status: string;
      width: number | null;
    }
  >('SELECT id, event_id, source_id, path, format, sha256, size_bytes, mtime_ms, status, width FROM photos WHERE id = ?');
  const setPrimary = db.prepare(
    `UPDATE photos SET source_id = @sourceId, path = @path, file_name = @fileName, format = @format, sha256 = @sha256,
       size_bytes = @sizeBytes, mtime_ms = @mtimeMs, updated_at = @now WHERE id = @id`,
  );
  const openJobs = db.prepare<[number], { id: number; kind: string; state: string }>(
    `SELECT id, kind, state FROM jobs WHERE photo_id = ? AND state IN ('queued', 'leased')`,
  );
  const runNow = db.prepare(
    `UPDATE jobs SET run_after = MIN(run_after, @now), priority = MAX(priority, @priority), updated_at = @now
      WHERE photo_id = @photoId AND state = 'queued'`,
  );
  const pendingAgain = db.prepare(`UPDATE photos SET status = 'pending', error = NULL, updated_at = ? WHERE id = ? AND status = 'failed'`);
  const facePlaces = db.prepare<
    [number],
    { id: number; box_x: number; box_y: number; box_w: number; box_h: number; person_id: number | null; pinned: number }
  >('SELECT id, box_x, box_y, box_w, box_h, person_id, pinned FROM faces WHERE photo_id = ? ORDER BY id');
  // A person the organiser named, or one who asked not to be published (publish_opt_outs, 0009):
  // their mark must reach the kept photo's face, or the guest would be published from the JPEG.
  const chosenPerson = db.prepare<[number], { chosen: number }>(
    `SELECT name IS NOT NULL OR EXISTS (SELECT 1 FROM publish_opt_outs o WHERE o.person_id = persons.id AND o.revoked_at IS NULL) AS chosen
       FROM persons WHERE id = ?`,
  );
  const setFace = db.prepare('UPDATE faces SET person_id = ?, pinned = MAX(pinned, ?) WHERE id = ?');
  const dropClip = db.prepare('DELETE FROM clip_embeddings WHERE photo_id = ?');
  const keepBursts = db.prepare('UPDATE bursts SET best_photo_id = @keep WHERE best_photo_id = @drop');
  const keepBurstOf = db.prepare(
    'UPDATE photos SET burst_id = (SELECT burst_id FROM photos WHERE id = @drop) WHERE id = @keep AND burst_id IS NULL',
  );
  const remapSessions = db.prepare(remapIds('kiosk_sessions', 'matched_photo_ids_json'));
  const remapLinks = db.prepare(remapIds('gallery_links', 'photo_ids_json'));
  const remapDeliveries = db.prepare(remapIds('deliveries', 'photo_ids_json'));
  const choosingDropped = db.prepare<[number], { id: string; chosen_faces_json: string }>(
    `SELECT id, chosen_faces_json FROM kiosk_sessions
      WHERE EXISTS (SELECT 1 FROM json_each(kiosk_sessions.chosen_faces_json) WHERE json_extract(value, '$.photoId') = ?)`,
  );
  const setChosenFaces = db.prepare('UPDATE kiosk_sessions SET chosen_faces_json = ? WHERE id = ?');
  const moveDuplicates = db.prepare('UPDATE duplicates SET photo_id = @keep WHERE photo_id = @drop');
  const moveFiles = db.prepare('UPDATE photo_files SET photo_id = @keep WHERE photo_id = @drop');
  const deletePhoto = db.prepare('DELETE FROM photos WHERE id = ?');
  const insertOutbox = db.prepare('INSERT INTO outbox (event_id, topic, entity_id, payload_json, created_at) VALUES (?, ?, ?, ?, ?)');

  const attach = (eventId: number, photoId: number, file: CaptureFile, role: PhotoFileRole, pairedBy: PairedBy, now: number): void => {
    insert.run({ ...file, eventId, photoId, fileName: basename(file.path), role, pairedBy, now });
  };

  /**
   * Her face in a "Maybe you?" photo an attendee took home, when that photo is the dropped one:
   * moved to the kept photo, in its pixels, so that her new photos are still matched by it
   * (follower-matching.ts finds it there by place). A face she chose in both keeps the kept one's.
   */
  const moveChosenFaces = (dropId: number, keepId: number, scale: number): void => {
    for (const row of choosingDropped.all(dropId)) {
      const faces = JSON.parse(row.chosen_faces_json) as ChosenFace[];
      const inKept = faces.some((f) => f.photoId === keepId);
      const moved = faces.flatMap((f): ChosenFace[] => {
        if (f.photoId !== dropId) return [f];
        return inKept ? [] : [{ photoId: keepId, box: f.box.map((v) => v * scale) as ChosenFace['box'] }];
      });
      setChosenFaces.run(JSON.stringify(moved), row.id);
    }
  };

  /**
   * Faces of the dropped photo that the organiser named or pinned, or whose person asked not to be
   * published, keep their person on the kept photo's face in the same place (the JPEG and the RAW's preview show the same frame; boxes are
   * scaled when the two were rendered at different sizes).
   */
  const carryPersons = (dropId: number, keepId: number, scale: number): number[] => {
    const old = facePlaces.all(dropId);
    const kept = facePlaces.all(keepId);
    const touched: number[] = [];
    const sameFace = pairReplacedFaces(
      old.map((r) => [r.box_x * scale, r.box_y * scale, r.box_w * scale, r.box_h * scale] as const),
      kept.map((r) => [r.box_x, r.box_y, r.box_w, r.box_h] as const),
    );
    kept.forEach((face, i) => {
      const was = old[sameFace.get(i) ?? -1];
      if (!was || was.person_id === null || was.person_id === face.person_id) return;
      const chosen = was.pinned === 1 || chosenPerson.get(was.person_id)?.chosen === 1;
      if (face.person_id !== null && !chosen) return;
      setFace.run(was.person_id, was.pinned, face.id);
      touched.push(was.person_id);
      if (face.person_id !== null) touched.push(face.person_id);
    });
    return touched;
  };

  return {
    filesOfPhoto(photoId: number): PhotoFile[] {
      return ofPhoto.all(photoId).map(toPhotoFile);
    },
    /** Every attached file of an event, for lists and exports. */
    filesOfEvent(eventId: number): PhotoFile[] {
      return ofEvent.all(eventId).map(toPhotoFile);
    },
    findFileBySha(eventId: number, sha256: string): PhotoFile | undefined {
      const row = bySha.get(eventId, sha256);
      return row ? toPhotoFile(row) : undefined;
    },
    /** A path with the same size and mtime as when it was attached: no need to hash it again. */
    findKnownFile(eventId: number, path: string, sizeBytes: number, mtimeMs: number): PhotoFile | undefined {
      const row = known.get(eventId, path, sizeBytes, mtimeMs);
      return row ? toPhotoFile(row) : undefined;
    },
    /** The tether tool renamed an attached file: follow it, so exports still find the RAW. */
    moveFile(id: number, path: string, mtimeMs: number): void {
      move.run(path, basename(path), mtimeMs, id);
    },
    countFiles(eventId: number): number {
      return count.get(eventId)?.n ?? 0;
    },
    /** Photos in `folder` whose name starts with `stem` and a dot, in the stem's case, upper and lower case. */
    nameCandidates(eventId: number, folder: string, stem: string): StoredPairCandidate[] {
      const seen = new Map<number, StoredPairCandidate>();
      for (const s of new Set([stem, stem.toUpperCase(), stem.toLowerCase()])) {
        const from = `${folder}${s}.`;
        for (const r of byNamePrefix.all(eventId, from, `${from}\uffff`)) seen.set(r.id, toCandidate(r));
      }
      return [...seen.values()];
    },
    /** Every hashed photo of the event, for repair's search for pairs stored as two photos. */
    eventCandidates(eventId: number): StoredPairCandidate[] {
      return ofEventAll.all(eventId).map(toCandidate);
    },
    captureCandidates(eventId: number, capturedAt: number): StoredPairCandidate[] {
      return byCapture.all(eventId, capturedAt).map(toCandidate);
    },
    /** The capture's other file joins the photo as it is (a RAW beside the JPEG the photo is made from). */
    attachFile(eventId: number, photoId: number, file: CaptureFile, role: PhotoFileRole, pairedBy: PairedBy, now: number): void {
      attach(eventId, photoId, file, role, pairedBy, now);
    },
    /**
     * The JPEG of a photo that so far had only its RAW: the JPEG becomes the file the photo is made
     * from (the camera's own rendering, and faster to decode), the RAW is kept beside it. A photo
     * still waiting in the queue simply runs from the JPEG now; one already rendered from the RAW is
     * rendered again (its faces keep their persons, as after any faces re-run). One whose RAW render
     * is running right now keeps that render: the next one could only start after it.
     */
    takePartnerFile: db.transaction(
      (
        photoId: number,
        file: CaptureFile,
        pairedBy: PairedBy,
        o: { now: number; priority: number; maxAttempts: number },
        /** What the photo's own file becomes: its RAW (the JPEG arrived), or its JPEG when that JPEG could not be read. */
        oldFileRole: PhotoFileRole = 'raw',
      ): PartnerTaken => {
        const photo = photoRow.get(photoId);
        if (!photo || photo.sha256 === null || photo.format === null) throw new Error(`Photo ${photoId} has no file to pair with`);
        attach(
          photo.event_id,
          photoId,
          {
            sourceId: photo.source_id,
            path: photo.path,
            format: photo.format,
            sha256: photo.sha256,
            sizeBytes: photo.size_bytes ?? 0,
            mtimeMs: photo.mtime_ms ?? 0,
          },
          oldFileRole,
          pairedBy,
          o.now,
        );
        setPrimary.run({ ...file, id: photoId, fileName: basename(file.path), now: o.now });
        const open = openJobs.all(photoId);
        if (open.some((j) => j.kind === 'photo.previews')) {
          runNow.run({ now: o.now, priority: o.priority, photoId });
          return { renderedAgain: false };
        }
        pendingAgain.run(o.now, photoId);
        // A photo that failed on its first file runs again from the new one: its failed jobs go back
        // to the queue rather than staying listed as failures beside a photo that is fine.
        for (const job of jobs.listFailedJobs(photo.event_id)) if (job.photoId === photoId) jobs.retryJob(job.id, o.now);
        for (const kind of ['photo.previews', 'photo.faces'] as const) {
          jobs.enqueueJob(
            { kind, eventId: photo.event_id, photoId, maxAttempts: o.maxAttempts, runAfter: o.now, priority: o.priority },
            o.now,
          );
        }
        return { renderedAgain: true };
      },
    ),
    /**
     * Two photos that are one capture become one: the kept photo (made from the JPEG) takes the
     * dropped one's file (its RAW), its kiosk matches (and the faces attendees chose in it), gallery
     * links, deliveries and duplicates; the dropped photo's faces go, their organiser-given names
     * carried to the kept photo's faces.
     */
    mergeCapture: db.transaction((keepId: number, dropId: number, pairedBy: PairedBy, now: number): CaptureMerged => {
      const keep = photoRow.get(keepId);
      const drop = photoRow.get(dropId);
      if (!keep || !drop || keep.event_id !== drop.event_id) throw new Error(`Photos ${keepId} and ${dropId} are not of one event`);
      if (drop.sha256 === null || drop.format === null) throw new Error(`Photo ${dropId} has no file to attach`);
      const scale = keep.width && drop.width ? keep.width / drop.width : 1;
      const touched = carryPersons(dropId, keepId, scale);
      const removed = faces.replaceFacesOfPhoto(dropId, drop.event_id, [], now);
      dropClip.run(BigInt(dropId));
      const ids = { keep: keepId, drop: dropId };
      keepBurstOf.run(ids);
      keepBursts.run(ids);
      remapSessions.run(ids);
      moveChosenFaces(dropId, keepId, scale);
      remapLinks.run(ids);
      remapDeliveries.run(ids);
      moveDuplicates.run(ids);
      moveFiles.run(ids);
      deletePhoto.run(dropId);
      attach(
        drop.event_id,
        keepId,
        {
          sourceId: drop.source_id,
          path: drop.path,
          format: drop.format,
          sha256: drop.sha256,
          sizeBytes: drop.size_bytes ?? 0,
          mtimeMs: drop.mtime_ms ?? 0,
        },
        'raw',
        pairedBy,
        now,
      );
      insertOutbox.run(drop.event_id, 'photo.merged', keepId, JSON.stringify({ keptPhotoId: keepId, droppedPhotoId: dropId }), now);
      const personIds = [...new Set([...touched, ...removed.personIds])];
      if (personIds.length) {
        persons.refreshPersons(personIds, now);
        const affected = new Set(personIds);
        for (const id of persons.emptyUnnamedPersonIds(drop.event_id)) if (affected.has(id)) persons.deletePerson(id);
      }
      return { keptPhotoId: keepId, droppedPhotoId: dropId, personIds, removedFaceIds: removed.replacedFaceIds };
    }),
  };
}

export type PhotoPairsRepository = ReturnType<typeof createPhotoPairsRepository>;
