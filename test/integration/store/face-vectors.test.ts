import { describe, expect, it } from 'vitest';
import { createFaceVectorsRepository, selectByHamming, type FaceVectorsRepository } from '../../../src/store/face-vectors-repository.js';
import { createRepositories } from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';
import { seededRandom as seeded } from '../../support/random-vectors.js';

const DIMS = 128;

const temp = useTempDatabase();

function normalised(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** A unit vector mostly along axis `i`, tilted towards axis `j` by `t`. */
function direction(i: number, j = (i + 1) % DIMS, t = 0): Float32Array {
  const v = new Float32Array(DIMS);
  v[i] = 1;
  v[j] = t;
  return normalised(v);
}

let photoCounter = 0;
function addPhoto(eventId: number): number {
  photoCounter++;
  return createRepositories(temp.db).photos.addPhotoWithJob(
    {
      eventId,
      sourceId: null,
      path: `/cam/IMG_${photoCounter}.JPG`,
      sha256: `sha-${photoCounter}`,
      format: 'jpeg',
      sizeBytes: 1,
      mtimeMs: 1,
      landedAt: 0,
    },
    3,
    0,
  );
}

function addFace(
  repo: FaceVectorsRepository,
  eventId: number,
  photoId: number,
  embedding: Float32Array,
  box = [0.1, 0.2, 0.3, 0.4],
): number {
  const { lastInsertRowid } = temp.db
    .prepare('INSERT INTO faces (photo_id, event_id, box_x, box_y, box_w, box_h, score, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, 0)')
    .run(photoId, eventId, ...box);
  const faceId = Number(lastInsertRowid);
  repo.insert(faceId, eventId, embedding);
  return faceId;
}

describe('the face vector store', () => {
  it('returns the nearest faces of the event best first, with cosine distances', () => {
    const repo = createFaceVectorsRepository(temp.db);
    const event = createRepositories(temp.db).events.ensureEvent('wedding', 0);
    const photo = addPhoto(event.id);
    const far = addFace(repo, event.id, photo, direction(5));
    const near = addFace(repo, event.id, photo, direction(0, 1, 0.1));
    const nearer = addFace(repo, event.id, photo, direction(0, 1, 0.01));
    for (const mode of ['exact', 'binary-rerank', 'auto'] as const) {
      const found = repo.nearestFaces(event.id, direction(0), 3, mode);
      expect(found.map((f) => f.faceId)).toEqual([nearer, near, far]);
      expect(found[0]!.distance).toBeCloseTo(1 - 1 / Math.hypot(1, 0.01), 5);
      expect(found[2]!.distance).toBeCloseTo(1, 5);
    }
  });

  it('never returns a face of another event, even the same face vector', () => {
    const repo = createFaceVectorsRepository(temp.db);
    const events = createRepositories(temp.db).events;
    const wedding = events.ensureEvent('wedding', 0);
    const gala = events.ensureEvent('gala', 0);
    const mine = addFace(repo, wedding.id, addPhoto(wedding.id), direction(3, 4, 0.5));
    addFace(repo, gala.id, addPhoto(gala.id), direction(3));
    for (const mode of ['exact', 'binary-rerank'] as const) {
      expect(repo.nearestFaces(wedding.id, direction(3), 10, mode).map((f) => f.faceId)).toEqual([mine]);
      expect(repo.nearestPhotos(wedding.id, direction(3), { limit: 10, maxDistance: 1, mode })).toHaveLength(1);
    }
  });

  it('lists a photo once, with its best face and box, and drops faces beyond the match threshold', () => {
    const repo = createFaceVectorsRepository(temp.db);
    const event = createRepositories(temp.db).events.ensureEvent('wedding', 0);
    const group = addPhoto(event.id);
    const portrait = addPhoto(event.id);
    const other = addPhoto(event.id);
    addFace(repo, event.id, group, direction(7, 8, 0.2), [1, 1, 1, 1]);
    const bestInGroup = addFace(repo, event.id, group, direction(7, 8, 0.05), [2, 3, 4, 5]);
    const inPortrait = addFace(repo, event.id, portrait, direction(7, 8, 0.1), [6, 7, 8, 9]);
    addFace(repo, event.id, other, direction(40));
    for (const mode of ['exact', 'binary-rerank'] as const) {
      const photos = repo.nearestPhotos(event.id, direction(7), { limit: 10, maxDistance: 0.1, mode });
      expect(photos.map((p) => [p.photoId, p.faceId, p.box])).toEqual([
        [group, bestInGroup, [2, 3, 4, 5]],
        [portrait, inPortrait, [6, 7, 8, 9]],
      ]);
    }
  });

  it('fills the photo limit even when many faces of the same photos crowd the top', () => {
    const repo = createFaceVectorsRepository(temp.db);
    const event = createRepositories(temp.db).events.ensureEvent('wedding', 0);
    const crowded = addPhoto(event.id);
    for (let i = 0; i < 30; i++) addFace(repo, event.id, crowded, direction(9, 10, 0.001 * i));
    const others = Array.from({ length: 5 }, (_, i) => {
      const photo = addPhoto(event.id);
      addFace(repo, event.id, photo, direction(9, 10, 0.1 + 0.01 * i));
      return photo;
    });
    const photos = repo.nearestPhotos(event.id, direction(9), { limit: 4, maxDistance: 1, mode: 'exact' });
    expect(photos.map((p) => p.photoId)).toEqual([crowded, ...others.slice(0, 3)]);
  });

  it('forgets deleted faces in both the exact and the binary index', () => {
    const repo = createFaceVectorsRepository(temp.db);
    const event = createRepositories(temp.db).events.ensureEvent('wedding', 0);
    const photo = addPhoto(event.id);
    const gone = addFace(repo, event.id, photo, direction(2));
    const kept = addFace(repo, event.id, photo, direction(2, 3, 0.3));
    repo.deleteFaces([gone]);
    for (const mode of ['exact', 'binary-rerank'] as const) {
      expect(repo.nearestFaces(event.id, direction(2), 5, mode).map((f) => f.faceId)).toEqual([kept]);
    }
  });

  it('switches to binary-rerank only once the event holds the configured number of faces', () => {
    const repo = createFaceVectorsRepository(temp.db, { binaryFromFaceCount: 3 });
    const event = createRepositories(temp.db).events.ensureEvent('wedding', 0);
    const photo = addPhoto(event.id);
    addFace(repo, event.id, photo, direction(1));
    addFace(repo, event.id, photo, direction(2));
    expect(repo.searchModeFor(event.id)).toBe('exact');
    addFace(repo, event.id, photo, direction(3));
    expect(repo.searchModeFor(event.id)).toBe('binary-rerank');
  });

  describe('on a realistic set (identities around a shared component, as face descriptors are)', () => {
    // face-api descriptors share a large common direction (their mean has norm ~0.94) and
    // cluster by person; 300 people with 20 faces each, plus a spread within each person.
    const PEOPLE = 300;
    const FACES_EACH = 20;
    function realisticSet() {
      const random = seeded(11);
      const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const common = normalised(Float32Array.from({ length: DIMS }, gauss));
      const person = Array.from({ length: PEOPLE }, () => normalised(Float32Array.from({ length: DIMS }, gauss)));
      // Norms: common 3, person 1, per-face spread about 0.5, so the mean of faces is ~0.9 x common.
      const face = (p: number) =>
        normalised(Float32Array.from({ length: DIMS }, (_, d) => 3 * common[d]! + person[p]![d]! + (0.5 * gauss()) / Math.sqrt(DIMS)));
      return { face, mean: common.map((x) => 0.9 * x) };
    }

    it('binary-rerank finds the same top faces as an exact search', () => {
      const { face, mean } = realisticSet();
      const repo = createFaceVectorsRepository(temp.db, { quantisationCentre: mean, minRerankCandidates: 1000 });
      const event = createRepositories(temp.db).events.ensureEvent('wedding', 0);
      const rows = [];
      for (let p = 0; p < PEOPLE; p++) {
        for (let f = 0; f < FACES_EACH; f++) rows.push({ faceId: p * FACES_EACH + f + 1, eventId: event.id, embedding: face(p) });
      }
      repo.insertMany(rows);
      // The person's own faces (the top 20) must come back in the same order; the tail beyond
      // them is other people at near-equal distances, where recall is the benchmark's business.
      for (let q = 0; q < 20; q++) {
        const selfie = face(q * 7);
        const exact = repo.nearestFaces(event.id, selfie, FACES_EACH, 'exact');
        const fast = repo.nearestFaces(event.id, selfie, FACES_EACH, 'binary-rerank');
        expect(fast.map((f) => f.faceId)).toEqual(exact.map((f) => f.faceId));
        // Every face found belongs to the queried person (faces are numbered person by person).
        expect(new Set(fast.map((f) => Math.ceil(f.faceId / FACES_EACH)))).toEqual(new Set([q * 7 + 1]));
      }
    });

    it('reads the binary codes exactly as sqlite-vec stores them (same pool as its own hamming search)', () => {
      const { face } = realisticSet();
      const repo = createFaceVectorsRepository(temp.db);
      const event = createRepositories(temp.db).events.ensureEvent('wedding', 0);
      // More than one 1,024-row chunk, with a hole left by a delete.
      const rows = Array.from({ length: 2500 }, (_, i) => ({ faceId: i + 1, eventId: event.id, embedding: face(i % PEOPLE) }));
      repo.insertMany(rows);
      repo.deleteFaces([5, 1500]);
      const query = face(3);
      const blob = Buffer.from(query.buffer, query.byteOffset, query.byteLength);
      const theirs = temp.db
        .prepare(
          'SELECT face_id, distance FROM face_embeddings_bits WHERE embedding MATCH vec_quantize_binary(?) AND event_id = ? AND k = 300',
        )
        .all(blob, BigInt(event.id)) as { face_id: number; distance: number }[];
      const chunks = temp.db
        .prepare(
          `SELECT c.validity, c.rowids, v.vectors FROM face_embeddings_bits_chunks c
             JOIN face_embeddings_bits_vector_chunks00 v ON v.rowid = c.chunk_id WHERE c.partition00 = ? ORDER BY c.chunk_id`,
        )
        .all(BigInt(event.id)) as { validity: Buffer; rowids: Buffer; vectors: Buffer }[];
      const code = (temp.db.prepare('SELECT vec_quantize_binary(?) AS b').get(blob) as { b: Buffer }).b;
      const ours = selectByHamming(chunks, code, 300);
      // Same set up to ties at the last hamming distance, which each side breaks its own way.
      const cutoff = theirs.at(-1)!.distance;
      const strictlyInside = theirs.filter((r) => r.distance < cutoff).map((r) => r.face_id);
      expect(ours).toHaveLength(300);
      expect(new Set(ours).size).toBe(300);
      for (const id of strictlyInside) expect(ours).toContain(id);
      expect(ours).not.toContain(5);
      expect(ours).not.toContain(1500);
    });
  });
});
