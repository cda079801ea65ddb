import { describe, expect, it } from 'vitest';
import { createFaceIndexCache, nearestPhotosInIndex } from '../../../src/search/index.js';
import { photosForEmbedding } from '../../../src/search/index.js';
import { useTempDatabase } from '../../support/database.js';
import { seededRandom as seeded, gaussian, unitVector as unit } from '../../support/random-vectors.js';

const DIMS = 128;
const FACES_PER_PHOTO = 3;

const temp = useTempDatabase();

/** Unit vectors clustered around `identities` random centres, like faces of a few dozen guests. */
function clusteredVectors(count: number, identities: number, seed: number, noise = 0.05): Float32Array[] {
  const random = seeded(seed);
  const centres = Array.from({ length: identities }, () => unit(Float32Array.from({ length: DIMS }, () => gaussian(random))));
  return Array.from({ length: count }, () => unit(centres[Math.floor(random() * identities)]!.map((x) => x + noise * gaussian(random))));
}

let photoCounter = 0;
/** Stores the vectors as faces of new photos, FACES_PER_PHOTO per photo; returns the face ids. */
function storeFaces(eventId: number, vectors: readonly Float32Array[]): number[] {
  const addFace = temp.db.prepare(
    'INSERT INTO faces (photo_id, event_id, box_x, box_y, box_w, box_h, score, created_at) VALUES (?, ?, 0.1, 0.2, 0.3, 0.4, 1, 0)',
  );
  let photoId = 0;
  return temp.db.transaction(() =>
    vectors.map((embedding, i) => {
      if (i % FACES_PER_PHOTO === 0) {
        photoCounter++;
        photoId = temp.repos.photos.addPhotoWithJob(
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
      const faceId = Number(addFace.run(photoId, eventId).lastInsertRowid);
      temp.repos.faceVectors.insert(faceId, eventId, embedding);
      return faceId;
    }),
  )();
}

const queries = clusteredVectors(8, 40, 11, 0.08);
const search = { limit: 50, maxDistance: 0.35 };
// Forces the hamming pre-selection with int8 re-rank and exact vectors read back from sqlite-vec.
const compactOptions = { exactScanUpTo: 0, keepFloatsUpTo: 0, minPool: 1500 };

describe.each([
  ['exact scan in memory', {}],
  ['compact index with vectors fetched from sqlite-vec', compactOptions],
])('face index cache (%s)', (_name, options) => {
  it('finds the same photos, faces and distances as an exact sqlite-vec search', () => {
    const wedding = temp.repos.events.ensureEvent('wedding', 0);
    const gala = temp.repos.events.ensureEvent('gala', 0);
    storeFaces(wedding.id, clusteredVectors(3000, 40, 11));
    storeFaces(gala.id, clusteredVectors(500, 40, 11));
    const cache = createFaceIndexCache(temp.repos.faceVectors, options);
    expect(cache.forEvent(wedding.id).size).toBe(3000);
    for (const query of queries) {
      const expected = temp.repos.faceVectors.nearestPhotos(wedding.id, query, { ...search, mode: 'exact' });
      expect(expected.length).toBeGreaterThan(0);
      const found = nearestPhotosInIndex(cache.forEvent(wedding.id), temp.repos.faceVectors, query, search);
      expect(found.map((p) => [p.photoId, p.faceId, p.box])).toEqual(expected.map((p) => [p.photoId, p.faceId, p.box]));
      found.forEach((p, i) => expect(p.distance).toBeCloseTo(expected[i]!.distance, 5));
    }
  });

  it('stays in step with the store as faces are added and removed', () => {
    const wedding = temp.repos.events.ensureEvent('wedding', 0);
    storeFaces(wedding.id, clusteredVectors(1500, 40, 11));
    const cache = createFaceIndexCache(temp.repos.faceVectors, options);
    cache.forEvent(wedding.id);

    const latecomers = clusteredVectors(300, 40, 12);
    const addedIds = storeFaces(wedding.id, latecomers);
    cache.facesAdded(
      wedding.id,
      addedIds.map((faceId, i) => ({ faceId, embedding: latecomers[i]! })),
    );
    const removedIds = temp.repos.faceVectors.nearestFaces(wedding.id, queries[0]!, 40, 'exact').map((f) => f.faceId);
    temp.repos.faceVectors.deleteFaces(removedIds);
    cache.facesRemoved(wedding.id, removedIds);

    expect(cache.forEvent(wedding.id).size).toBe(1800 - removedIds.length);
    for (const query of queries) {
      const expected = temp.repos.faceVectors.nearestPhotos(wedding.id, query, { ...search, mode: 'exact' });
      const found = nearestPhotosInIndex(cache.forEvent(wedding.id), temp.repos.faceVectors, query, search);
      expect(found.map((p) => p.faceId)).toEqual(expected.map((p) => p.faceId));
    }
  });
});

describe('face vectors streamed for an index', () => {
  it('yields every live vector of the event, skipping deleted ones and other events', () => {
    const wedding = temp.repos.events.ensureEvent('wedding', 0);
    const gala = temp.repos.events.ensureEvent('gala', 0);
    const vectors = clusteredVectors(2100, 10, 3);
    const ids = storeFaces(wedding.id, vectors);
    storeFaces(gala.id, clusteredVectors(50, 10, 4));
    temp.repos.faceVectors.deleteFaces([ids[0]!, ids[1500]!]);

    const streamed = [...temp.repos.faceVectors.eachVector(wedding.id)].sort((a, b) => a.faceId - b.faceId);
    const expectedIds = ids.filter((_, i) => i !== 0 && i !== 1500);
    expect(streamed.map((r) => r.faceId)).toEqual(expectedIds);
    expect(streamed.map((r) => Array.from(r.embedding))).toEqual(expectedIds.map((id) => Array.from(vectors[ids.indexOf(id)]!)));
  });
});

describe('photosForEmbedding with an index', () => {
  it('ranks the same photos with the event index as with sqlite-vec', () => {
    const wedding = temp.repos.events.ensureEvent('wedding', 0);
    storeFaces(wedding.id, clusteredVectors(600, 40, 11));
    const index = createFaceIndexCache(temp.repos.faceVectors).forEvent(wedding.id);
    const options = { threshold: 0.35, limit: 20 };
    const withIndex = photosForEmbedding(temp.repos, wedding.id, queries[1]!, { ...options, index });
    const withoutIndex = photosForEmbedding(temp.repos, wedding.id, queries[1]!, { ...options, mode: 'exact' });
    expect(withIndex.length).toBeGreaterThan(0);
    expect(withIndex.map((m) => m.path)).toEqual(withoutIndex.map((m) => m.path));
  });
});
