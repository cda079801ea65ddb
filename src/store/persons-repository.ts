// Persons (face clusters) of an event: the rows, which faces belong to whom, and the face-vector
// look-ups clustering needs. vec0 wants INTEGER keys and better-sqlite3 binds JS numbers as REAL,
// so ids go into face_embeddings statements as BigInt.
import type { Database } from 'better-sqlite3';

export interface PersonSummary {
  id: number;
  name: string | null;
  faceCount: number;
  photoCount: number;
  coverFaceId: number | null;
  coverCrop: string | null;
}

export interface NearFace {
  faceId: number;
  photoId: number;
  personId: number | null;
  /** Faces the person had when asked; 0 when the face has no person. */
  personFaceCount: number;
  /** The organiser named, merged or split the person. */
  personConfirmed: boolean;
  distance: number;
}

export interface FaceVector {
  faceId: number;
  photoId: number;
  personId: number | null;
  /** Placed in its person by the organiser (a merge or split): clustering leaves it there. */
  pinned: boolean;
  embedding: Float32Array;
}

interface PersonRow {
  id: number;
  name: string | null;
  face_count: number;
  photo_count: number;
  cover_face_id: number | null;
  cover_crop: string | null;
}

interface FaceVectorRow {
  face_id: number;
  photo_id: number;
  person_id: number | null;
  pinned: number;
  embedding: Buffer;
}

const toVectorBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** Copies out of the row's Buffer: its memory may be reused and need not be 4-byte aligned. */
const fromVectorBlob = (b: Buffer): Float32Array => {
  const out = new Float32Array(b.byteLength / Float32Array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(b);
  return out;
};

const toVector = (r: FaceVectorRow): FaceVector => ({
  faceId: r.face_id,
  photoId: r.photo_id,
  personId: r.person_id,
  pinned: r.pinned === 1,
  embedding: fromVectorBlob(r.embedding),
});

export function createPersonsRepository(db: Database) {
  const countStmt = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM persons WHERE event_id = ?');
  const insertPerson = db.prepare<[number, number, number]>(
    'INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, NULL, ?, ?)',
  );
  const deletePersonStmt = db.prepare<[number]>('DELETE FROM persons WHERE id = ?');
  // Naming a person is the organiser confirming who this is; clearing the name later does not undo that.
  const rename = db.prepare<[string | null, string | null, number, number, number]>(
    'UPDATE persons SET name = ?, confirmed = CASE WHEN ? IS NOT NULL THEN 1 ELSE confirmed END, updated_at = ? WHERE id = ? AND event_id = ?',
  );
  const confirm = db.prepare<[number, number]>('UPDATE persons SET confirmed = 1, updated_at = ? WHERE id = ?');
  const pinFacesOf = db.prepare<[number]>('UPDATE faces SET pinned = 1 WHERE person_id = ?');
  const setPerson = db.prepare<[number | null, number]>('UPDATE faces SET person_id = ? WHERE id = ?');
  const moveAll = db.prepare<[number, number]>('UPDATE faces SET person_id = ? WHERE person_id = ?');
  // Cover: the best face to show for the person (quality, then detector score, then oldest).
  const refresh = db.prepare<[number, number]>(`
    UPDATE persons SET
      face_count = (SELECT COUNT(*) FROM faces WHERE person_id = persons.id),
      cover_face_id = (
        SELECT id FROM faces WHERE person_id = persons.id
        ORDER BY quality DESC NULLS LAST, score DESC, id ASC LIMIT 1
      ),
      updated_at = ?
    WHERE id = ?`);
  const personStatsQuery = `
    SELECT p.id, p.name, p.face_count, p.cover_face_id,
           (SELECT COUNT(DISTINCT f.photo_id) FROM faces f WHERE f.person_id = p.id) AS photo_count,
           c.crop_path AS cover_crop
    FROM persons p LEFT JOIN faces c ON c.id = p.cover_face_id`;
  const listStmt = db.prepare<[number], PersonRow>(`${personStatsQuery} WHERE p.event_id = ? ORDER BY p.face_count DESC, p.id ASC`);
  const getStmt = db.prepare<[number, number], PersonRow>(`${personStatsQuery} WHERE p.id = ? AND p.event_id = ?`);
  const personIdsOfEvent = db.prepare<[number], { id: number }>('SELECT id FROM persons WHERE event_id = ? ORDER BY id');
  const withoutPerson = db.prepare<[number], { id: number }>('SELECT id FROM faces WHERE event_id = ? AND person_id IS NULL ORDER BY id');
  const emptyUnnamed = db.prepare<[number], { id: number }>(
    'SELECT id FROM persons p WHERE event_id = ? AND name IS NULL AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.person_id = p.id)',
  );
  const nearest = db.prepare<
    [Buffer, bigint, bigint],
    {
      face_id: number;
      photo_id: number;
      person_id: number | null;
      person_face_count: number | null;
      person_confirmed: number | null;
      distance: number;
    }
  >(`
    WITH knn AS (
      SELECT face_id, distance FROM face_embeddings WHERE embedding MATCH ? AND event_id = ? AND k = ?
    )
    SELECT knn.face_id, f.photo_id, f.person_id, p.face_count AS person_face_count, p.confirmed AS person_confirmed, knn.distance
    FROM knn JOIN faces f ON f.id = knn.face_id LEFT JOIN persons p ON p.id = f.person_id`);
  const faceWithPerson = db.prepare<
    [number],
    { photo_id: number; person_id: number | null; person_face_count: number | null; person_confirmed: number | null }
  >(`
    SELECT f.photo_id, f.person_id, p.face_count AS person_face_count, p.confirmed AS person_confirmed
    FROM faces f LEFT JOIN persons p ON p.id = f.person_id WHERE f.id = ?`);
  const faceVector = db.prepare<[bigint], FaceVectorRow>(`
    SELECT e.face_id, f.photo_id, f.person_id, f.pinned, e.embedding
    FROM face_embeddings e JOIN faces f ON f.id = e.face_id WHERE e.face_id = ?`);
  const eventVectors = db.prepare<[bigint], FaceVectorRow>(`
    SELECT e.face_id, f.photo_id, f.person_id, f.pinned, e.embedding
    FROM face_embeddings e JOIN faces f ON f.id = e.face_id WHERE e.event_id = ? ORDER BY e.face_id`);
  const placements = db.prepare<[number], Omit<FaceVectorRow, 'embedding'>>(
    'SELECT id AS face_id, photo_id, person_id, pinned FROM faces WHERE event_id = ?',
  );
  const personsInPhotoStmt = db.prepare<[number], { person_id: number }>(
    'SELECT DISTINCT person_id FROM faces WHERE photo_id = ? AND person_id IS NOT NULL',
  );
  const sharePhotoStmt = db.prepare<[number, number], { one: number }>(
    'SELECT 1 AS one FROM faces a JOIN faces b ON b.photo_id = a.photo_id WHERE a.person_id = ? AND b.person_id = ? LIMIT 1',
  );

  const toSummary = (r: PersonRow): PersonSummary => ({
    id: r.id,
    name: r.name,
    faceCount: r.face_count,
    photoCount: r.photo_count,
    coverFaceId: r.cover_face_id,
    coverCrop: r.cover_crop,
  });

  return {
    /** Runs `fn` in one transaction (a savepoint when the caller already holds one). */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    createPerson(eventId: number, now: number): number {
      return Number(insertPerson.run(eventId, now, now).lastInsertRowid);
    },
    /** Faces of the person are left without one (ON DELETE SET NULL). */
    deletePerson(personId: number): void {
      deletePersonStmt.run(personId);
    },
    /** false when the event has no such person. */
    renamePerson(eventId: number, personId: number, name: string | null, now: number): boolean {
      return rename.run(name, name, now, personId, eventId).changes > 0;
    },
    /** The organiser vouched for these persons (a merge or split); see face-clustering. */
    confirmPersons(personIds: readonly number[], now: number): void {
      for (const id of personIds) confirm.run(now, id);
    },
    /** Every face the person has now stays with them through automatic clustering. */
    pinFacesOfPersons(personIds: readonly number[]): void {
      for (const id of personIds) pinFacesOf.run(id);
    },
    setFacePerson(faceIds: readonly number[], personId: number | null): void {
      for (const id of faceIds) setPerson.run(personId, id);
    },
    moveFaces(fromPersonId: number, toPersonId: number): void {
      moveAll.run(toPersonId, fromPersonId);
    },
    /** Recomputes face_count and cover_face_id (the highest-quality face) from the faces table. */
    refreshPersons(personIds: readonly number[], now: number): void {
      for (const id of personIds) refresh.run(now, id);
    },
    countPersons(eventId: number): number {
      return countStmt.get(eventId)!.n;
    },
    listPersons(eventId: number): PersonSummary[] {
      return listStmt.all(eventId).map(toSummary);
    },
    getPerson(eventId: number, personId: number): PersonSummary | undefined {
      const row = getStmt.get(personId, eventId);
      return row ? toSummary(row) : undefined;
    },
    personIds(eventId: number): number[] {
      return personIdsOfEvent.all(eventId).map((r) => r.id);
    },
    /** Faces no person holds (every stored face gets one; a repaired database may lose some persons). */
    facesWithoutPerson(eventId: number): number[] {
      return withoutPerson.all(eventId).map((r) => r.id);
    },
    emptyUnnamedPersonIds(eventId: number): number[] {
      return emptyUnnamed.all(eventId).map((r) => r.id);
    },
    /** The k faces of the event nearest to `embedding` (cosine distance), nearest first. */
    nearestFaces(eventId: number, embedding: Float32Array, k: number): NearFace[] {
      // Sorted here: SQLite flattens the CTE, and vec0 refuses a second ORDER BY on a KNN query.
      return nearest
        .all(toVectorBlob(embedding), BigInt(eventId), BigInt(k))
        .map((r) => ({
          faceId: r.face_id,
          photoId: r.photo_id,
          personId: r.person_id,
          personFaceCount: r.person_face_count ?? 0,
          personConfirmed: r.person_confirmed === 1,
          distance: r.distance,
        }))
        .sort((a, b) => a.distance - b.distance || a.faceId - b.faceId);
    },
    /** Neighbours found elsewhere (an in-memory index) with what clustering needs to know of them; faces gone since are left out. */
    describeNeighbours(found: readonly { faceId: number; distance: number }[]): NearFace[] {
      return found.flatMap(({ faceId, distance }) => {
        const r = faceWithPerson.get(faceId);
        if (!r) return [];
        return [
          {
            faceId,
            photoId: r.photo_id,
            personId: r.person_id,
            personFaceCount: r.person_face_count ?? 0,
            personConfirmed: r.person_confirmed === 1,
            distance,
          },
        ];
      });
    },
    faceVector(faceId: number): FaceVector | undefined {
      const row = faceVector.get(BigInt(faceId));
      return row ? toVector(row) : undefined;
    },
    /** Every face's photo, person and pin, without the vectors (what a re-cluster re-reads before writing). */
    eventFacePlacements(eventId: number): Omit<FaceVector, 'embedding'>[] {
      return placements
        .all(eventId)
        .map((r) => ({ faceId: r.face_id, photoId: r.photo_id, personId: r.person_id, pinned: r.pinned === 1 }));
    },
    eventFaceVectors(eventId: number): FaceVector[] {
      return eventVectors.all(BigInt(eventId)).map(toVector);
    },
    personsInPhoto(photoId: number): number[] {
      return personsInPhotoStmt.all(photoId).map((r) => r.person_id);
    },
    personsShareAPhoto(a: number, b: number): boolean {
      return sharePhotoStmt.get(a, b) !== undefined;
    },
  };
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>;
