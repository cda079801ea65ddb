// Faces found in photos: boxes, landmarks, quality and crop paths, with their vectors kept in
// step through the face vectors repository. Reprocessing a photo replaces its faces.
import type { Database } from 'better-sqlite3';
import type { FaceVectorsRepository } from './face-vectors-repository.js';
import { pairReplacedFaces } from './replaced-faces.js';

export interface NewFace {
  /** [x, y, width, height] in pixels of the original (oriented) photo. */
  box: [number, number, number, number];
  /** 68 (x, y) pairs in original pixels. */
  landmarks: Float32Array;
  score: number;
  quality: number;
  sharpness: number;
  frontal: number;
  sizePx: number;
  cropPath: string | null;
  embedding: Float32Array;
}

export interface FacesReplaced {
  faceIds: number[];
  /** Faces of an earlier run on the same photo, now deleted. */
  replacedFaceIds: number[];
  /**
   * Persons that held a replaced face: their counts and covers need a refresh. A new face in the
   * place of an old one already holds that face's person (and pin); the rest hold none yet.
   */
  personIds: number[];
}

export interface StoredFace {
  id: number;
  photoId: number;
  eventId: number;
  personId: number | null;
  box: [number, number, number, number];
  score: number;
  quality: number | null;
  sharpness: number | null;
  frontal: number | null;
  sizePx: number | null;
  cropPath: string | null;
}

interface FaceRow {
  id: number;
  photo_id: number;
  event_id: number;
  person_id: number | null;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
  score: number;
  quality: number | null;
  sharpness: number | null;
  frontal: number | null;
  size_px: number | null;
  crop_path: string | null;
}

const toFace = (r: FaceRow): StoredFace => ({
  id: r.id,
  photoId: r.photo_id,
  eventId: r.event_id,
  personId: r.person_id,
  box: [r.box_x, r.box_y, r.box_w, r.box_h],
  score: r.score,
  quality: r.quality,
  sharpness: r.sharpness,
  frontal: r.frontal,
  sizePx: r.size_px,
  cropPath: r.crop_path,
});

export function createFacesRepository(db: Database, vectors: FaceVectorsRepository) {
  const placesOfPhoto = db.prepare<
    [number],
    { id: number; box_x: number; box_y: number; box_w: number; box_h: number; person_id: number | null; pinned: number }
  >('SELECT id, box_x, box_y, box_w, box_h, person_id, pinned FROM faces WHERE photo_id = ? ORDER BY id');
  const deleteOfPhoto = db.prepare('DELETE FROM faces WHERE photo_id = ?');
  const insert = db.prepare(
    `INSERT INTO faces (photo_id, event_id, person_id, pinned, box_x, box_y, box_w, box_h, landmarks, score, quality, sharpness, frontal, size_px, crop_path, created_at)
     VALUES (@photoId, @eventId, @personId, @pinned, @x, @y, @w, @h, @landmarks, @score, @quality, @sharpness, @frontal, @sizePx, @cropPath, @now)`,
  );
  const setCount = db.prepare('UPDATE photos SET face_count = ? WHERE id = ?');
  const ofPhoto = db.prepare<[number], FaceRow>('SELECT * FROM faces WHERE photo_id = ? ORDER BY id');
  const ofEvent = db.prepare<[number], FaceRow>('SELECT * FROM faces WHERE event_id = ? ORDER BY photo_id, id');
  const byId = db.prepare<[number], FaceRow>('SELECT * FROM faces WHERE id = ?');
  const unassigned = db.prepare<[number], { id: number }>('SELECT id FROM faces WHERE event_id = ? AND person_id IS NULL ORDER BY id');
  const photosOfPerson = db.prepare<[number, number], { photo_id: number }>(
    'SELECT DISTINCT photo_id FROM faces WHERE event_id = ? AND person_id = ? ORDER BY photo_id',
  );
  const personOf = db.prepare<[string], { id: number; person_id: number | null }>(
    'SELECT id, person_id FROM faces WHERE id IN (SELECT value FROM json_each(?))',
  );
  const ofPersons = db.prepare<[number, string], FaceRow>(
    'SELECT * FROM faces WHERE event_id = ? AND person_id IN (SELECT value FROM json_each(?)) ORDER BY id',
  );
  const countOfEvent = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM faces WHERE event_id = ?');
  // Best faces of each person, the cover first, chosen in SQL: the people list used to load every
  // face of the event (300 ms of the main thread at 50k faces) to keep eight per person.
  const samples = db.prepare<
    { eventId: number; personId: number | null; max: number },
    { person_id: number; id: number; photo_id: number }
  >(`
    SELECT person_id, id, photo_id FROM (
      SELECT f.person_id, f.id, f.photo_id,
             row_number() OVER (PARTITION BY f.person_id
                                ORDER BY coalesce(f.id = p.cover_face_id, 0) DESC, coalesce(f.quality, 0) DESC, f.id) AS rank
      FROM faces f JOIN persons p ON p.id = f.person_id
      WHERE f.event_id = @eventId AND f.crop_path IS NOT NULL AND (@personId IS NULL OR f.person_id = @personId))
    WHERE rank <= @max ORDER BY person_id, rank`);

  return {
    /**
     * Replaces a photo's faces and vectors; a new face in the place of an old one keeps its person
     * and pin. Joins the caller's transaction.
     */
    replaceFacesOfPhoto: db.transaction((photoId: number, eventId: number, faces: readonly NewFace[], now: number): FacesReplaced => {
      const old = placesOfPhoto.all(photoId);
      const replaced = old.map((r) => r.id);
      const sameFace = pairReplacedFaces(
        old.map((r) => [r.box_x, r.box_y, r.box_w, r.box_h] as const),
        faces.map((f) => f.box),
      );
      vectors.deleteFaces(replaced);
      deleteOfPhoto.run(photoId);
      const ids = faces.map((f, i) => {
        const was = old[sameFace.get(i) ?? -1];
        const id = Number(
          insert.run({
            photoId,
            eventId,
            personId: was?.person_id ?? null,
            pinned: was?.pinned ?? 0,
            x: f.box[0],
            y: f.box[1],
            w: f.box[2],
            h: f.box[3],
            landmarks: Buffer.from(f.landmarks.buffer, f.landmarks.byteOffset, f.landmarks.byteLength),
            score: f.score,
            quality: f.quality,
            sharpness: f.sharpness,
            frontal: f.frontal,
            sizePx: f.sizePx,
            cropPath: f.cropPath,
            now,
          }).lastInsertRowid,
        );
        vectors.insert(id, eventId, f.embedding);
        return id;
      });
      setCount.run(faces.length, photoId);
      const personIds = [...new Set(old.flatMap((r) => (r.person_id === null ? [] : [r.person_id])))];
      return { faceIds: ids, replacedFaceIds: replaced, personIds };
    }),
    getFace(faceId: number): StoredFace | undefined {
      const row = byId.get(faceId);
      return row ? toFace(row) : undefined;
    },
    facesOfPhoto(photoId: number): StoredFace[] {
      return ofPhoto.all(photoId).map(toFace);
    },
    /** Every face of the event by photo, in one read (an export asked photo by photo: 2,000 queries, ~0.1 s). */
    facesOfEventByPhoto(eventId: number): Map<number, StoredFace[]> {
      const byPhoto = new Map<number, StoredFace[]>();
      for (const row of ofEvent.iterate(eventId)) {
        const face = toFace(row);
        const list = byPhoto.get(face.photoId);
        if (list) list.push(face);
        else byPhoto.set(face.photoId, [face]);
      }
      return byPhoto;
    },
    /** Faces not yet given a person (the engine stopped between saving them and clustering). */
    unassignedFaceIds(eventId: number): number[] {
      return unassigned.all(eventId).map((r) => r.id);
    },
    personsOfFaces(faceIds: readonly number[]): Map<number, number | null> {
      return new Map(personOf.all(JSON.stringify(faceIds)).map((r) => [r.id, r.person_id]));
    },
    facesOfPersons(eventId: number, personIds: readonly number[]): StoredFace[] {
      return personIds.length ? ofPersons.all(eventId, JSON.stringify(personIds)).map(toFace) : [];
    },
    photoIdsOfPerson(eventId: number, personId: number): number[] {
      return photosOfPerson.all(eventId, personId).map((r) => r.photo_id);
    },
    /** Up to `max` faces per person (with a crop), the cover first, then by quality: for people lists. */
    sampleFacesOfPersons(eventId: number, max: number, personId: number | null = null): Map<number, { faceId: number; photoId: number }[]> {
      const out = new Map<number, { faceId: number; photoId: number }[]>();
      for (const r of samples.iterate({ eventId, personId, max })) {
        let list = out.get(r.person_id);
        if (!list) out.set(r.person_id, (list = []));
        list.push({ faceId: r.id, photoId: r.photo_id });
      }
      return out;
    },
    countFaces(eventId: number): number {
      return countOfEvent.get(eventId)!.n;
    },
  };
}

export type FacesRepository = ReturnType<typeof createFacesRepository>;
