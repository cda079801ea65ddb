// Bursts of near-identical frames: what grouping needs to read, the groups it keeps, and the
// one-photo-per-burst view kiosk results and exports are shown through.
import type { Database } from 'better-sqlite3';
import type { CameraMetadata } from './types.js';

/** A ready photo as burst grouping sees it. */
export interface BurstCandidate {
  photoId: number;
  path: string;
  capturedAt: number;
  cameraSerial: CameraMetadata['cameraSerial'];
  cameraMake: CameraMetadata['cameraMake'];
  cameraModel: CameraMetadata['cameraModel'];
  sourceId: number | null;
  phash: string;
  /** Relative to the data dir. */
  thumbnailPath: string | null;
  /** Mean sharpness (0..1) of the photo's faces; null when it has none. */
  faceSharpness: number | null;
  /** 68 (x, y) landmarks of the largest face, in original pixels; null when it has none. */
  mainFaceLandmarks: Float32Array | null;
  /** CLIP image embedding when one has been computed. */
  clip: Float32Array | null;
}

export interface NewBurst {
  photoIds: number[];
  bestPhotoId: number;
  startedAt: number;
  endedAt: number;
}

export interface BurstPhoto {
  photoId: number;
  path: string;
  capturedAt: number | null;
}

export interface StoredBurst {
  id: number;
  eventId: number;
  bestPhotoId: number;
  startedAt: number;
  endedAt: number;
  /** In capture order. */
  photos: BurstPhoto[];
}

interface CandidateRow {
  id: number;
  path: string;
  captured_at: number;
  camera_serial: string | null;
  camera_make: string | null;
  camera_model: string | null;
  source_id: number | null;
  phash: string;
  thumbnail_path: string | null;
  face_sharpness: number | null;
  landmarks: Buffer | null;
}

interface BurstRow {
  id: number;
  event_id: number;
  best_photo_id: number;
  started_at: number;
  ended_at: number;
}

interface MemberRow {
  burst_id: number;
  id: number;
  path: string;
  captured_at: number | null;
}

// Copied out of the row's buffer: SQLite reuses it, and a Float32Array needs 4-byte alignment.
const floats = (blob: Buffer): Float32Array => {
  const copy = new Float32Array(blob.byteLength / 4);
  new Uint8Array(copy.buffer).set(blob);
  return copy;
};

export function createBurstsRepository(db: Database) {
  const candidates = db.prepare<[number], CandidateRow>(
    `SELECT p.id, p.path, p.captured_at, p.camera_serial, p.camera_make, p.camera_model, p.source_id, p.phash, p.thumbnail_path,
            (SELECT AVG(f.sharpness) FROM faces f WHERE f.photo_id = p.id) AS face_sharpness,
            (SELECT f.landmarks FROM faces f WHERE f.photo_id = p.id AND f.landmarks IS NOT NULL
              ORDER BY f.box_w * f.box_h DESC LIMIT 1) AS landmarks
       FROM photos p
      WHERE p.event_id = ? AND p.status = 'ready' AND p.phash IS NOT NULL AND p.captured_at IS NOT NULL
      ORDER BY p.captured_at, p.id`,
  );
  // vec0 keys must be bound as INTEGER; better-sqlite3 binds JS numbers as REAL, hence BigInt.
  const clipVectors = db.prepare<[bigint], { photo_id: number; embedding: Buffer }>(
    'SELECT photo_id, embedding FROM clip_embeddings WHERE event_id = ?',
  );
  const clearMembers = db.prepare<[number]>('UPDATE photos SET burst_id = NULL WHERE event_id = ? AND burst_id IS NOT NULL');
  const clearBursts = db.prepare<[number]>('DELETE FROM bursts WHERE event_id = ?');
  const insertBurst = db.prepare<[number, number, number, number, number, number]>(
    `INSERT INTO bursts (event_id, best_photo_id, photo_count, started_at, ended_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const setMembers = db.prepare<[number, string, number]>(
    'UPDATE photos SET burst_id = ? WHERE id IN (SELECT value FROM json_each(?)) AND event_id = ?',
  );
  const burstsOfEvent = db.prepare<[number], BurstRow>(
    'SELECT id, event_id, best_photo_id, started_at, ended_at FROM bursts WHERE event_id = ? ORDER BY started_at, id',
  );
  const membersOfEvent = db.prepare<[number], MemberRow>(
    `SELECT p.burst_id, p.id, p.path, p.captured_at FROM photos p
      WHERE p.event_id = ? AND p.burst_id IS NOT NULL ORDER BY p.captured_at, p.id`,
  );
  const burstOfPhoto = db.prepare<[number], BurstRow>(
    `SELECT b.id, b.event_id, b.best_photo_id, b.started_at, b.ended_at FROM bursts b JOIN photos p ON p.burst_id = b.id WHERE p.id = ?`,
  );
  const membersOfBurst = db.prepare<[number], MemberRow>(
    'SELECT burst_id, id, path, captured_at FROM photos WHERE burst_id = ? ORDER BY captured_at, id',
  );
  const bestOf = db.prepare<[string], { id: number; best: number | null }>(
    `SELECT p.id, b.best_photo_id AS best FROM photos p LEFT JOIN bursts b ON b.id = p.burst_id
      WHERE p.id IN (SELECT value FROM json_each(?))`,
  );

  const toBurst = (r: BurstRow, members: MemberRow[]): StoredBurst => ({
    id: r.id,
    eventId: r.event_id,
    bestPhotoId: r.best_photo_id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    photos: members.map((m) => ({ photoId: m.id, path: m.path, capturedAt: m.captured_at })),
  });

  return {
    /** Ready photos with a pHash and a capture time, in capture order, with their CLIP vectors when present. */
    loadCandidates(eventId: number): BurstCandidate[] {
      const clip = new Map<number, Float32Array>();
      for (const r of clipVectors.iterate(BigInt(eventId))) clip.set(Number(r.photo_id), floats(r.embedding));
      return candidates.all(eventId).map((r) => ({
        photoId: r.id,
        path: r.path,
        capturedAt: r.captured_at,
        cameraSerial: r.camera_serial,
        cameraMake: r.camera_make,
        cameraModel: r.camera_model,
        sourceId: r.source_id,
        phash: r.phash,
        thumbnailPath: r.thumbnail_path,
        faceSharpness: r.face_sharpness,
        mainFaceLandmarks: r.landmarks ? floats(r.landmarks) : null,
        clip: clip.get(r.id) ?? null,
      }));
    },

    /**
     * Replaces all of an event's bursts in one transaction, so a reader never sees a photo in
     * two bursts or a half-regrouped event. Burst ids are not kept across regroups.
     */
    replaceBursts(eventId: number, bursts: readonly NewBurst[], now: number): number[] {
      return db.transaction(() => {
        clearMembers.run(eventId);
        clearBursts.run(eventId);
        const ids: number[] = [];
        for (const b of bursts) {
          if (b.photoIds.length < 2) continue;
          const id = Number(insertBurst.run(eventId, b.bestPhotoId, b.photoIds.length, b.startedAt, b.endedAt, now).lastInsertRowid);
          setMembers.run(id, JSON.stringify(b.photoIds), eventId);
          ids.push(id);
        }
        return ids;
      })();
    },

    listBursts(eventId: number): StoredBurst[] {
      const members = new Map<number, MemberRow[]>();
      for (const m of membersOfEvent.all(eventId)) {
        const list = members.get(m.burst_id);
        if (list) list.push(m);
        else members.set(m.burst_id, [m]);
      }
      return burstsOfEvent.all(eventId).map((r) => toBurst(r, members.get(r.id) ?? []));
    },

    /** The burst a photo belongs to, with all its frames: the "one tap away" view. */
    burstOf(photoId: number): StoredBurst | null {
      const r = burstOfPhoto.get(photoId);
      return r ? toBurst(r, membersOfBurst.all(r.id)) : null;
    },

    /**
     * One photo per burst, in input order: the first frame of a burst in the list is replaced by
     * the burst's best frame and later frames of it are dropped. Photos in no burst (or unknown
     * ids) pass through unchanged.
     */
    collapseToBestFrames(photoIds: readonly number[]): number[] {
      if (photoIds.length === 0) return [];
      const best = new Map<number, number>();
      for (const r of bestOf.all(JSON.stringify(photoIds))) if (r.best != null) best.set(r.id, r.best);
      const seen = new Set<number>();
      const out: number[] = [];
      for (const id of photoIds) {
        const shown = best.get(id) ?? id;
        if (seen.has(shown)) continue;
        seen.add(shown);
        out.push(shown);
      }
      return out;
    },
  };
}

export type BurstsRepository = ReturnType<typeof createBurstsRepository>;
