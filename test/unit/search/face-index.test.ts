import { describe, expect, it } from 'vitest';
import { FaceIndex, FACE_INDEX_DIMS, type FaceIndexOptions, type FaceIndexRow } from '../../../src/search/face-index.js';
import { seededRandom as seeded, gaussian, unitVector as unit } from '../../support/random-vectors.js';

/** Faces of `identities` people: a random unit centre each, faces = centre + noise, renormalised. */
function clusteredFaces(count: number, identities: number, seed: number, noise = 0.05): FaceIndexRow[] {
  const random = seeded(seed);
  const centres = Array.from({ length: identities }, () => unit(Float32Array.from({ length: FACE_INDEX_DIMS }, () => gaussian(random))));
  return Array.from({ length: count }, (_, i) => {
    const centre = centres[Math.floor(random() * identities)]!;
    return { faceId: i + 1, embedding: unit(centre.map((x) => x + noise * gaussian(random))) };
  });
}

function bruteForce(rows: readonly FaceIndexRow[], query: Float32Array, k: number): { faceId: number; distance: number }[] {
  return rows
    .map((r) => ({ faceId: r.faceId, distance: 1 - r.embedding.reduce((s, x, d) => s + x * query[d]!, 0) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);
}

function recall(exact: readonly { faceId: number }[], found: readonly { faceId: number }[]): number {
  const ids = new Set(found.map((f) => f.faceId));
  return exact.filter((f) => ids.has(f.faceId)).length / exact.length;
}

const faces = clusteredFaces(6000, 60, 7);
const queries = clusteredFaces(20, 60, 7, 0.08).map((r) => r.embedding);
const storedById = new Map(faces.map((r) => [r.faceId, r.embedding]));

// Each search path of the index, forced at a few thousand faces.
const paths: [string, FaceIndexOptions][] = [
  ['exact float scan', {}],
  ['hamming pool re-ranked in float', { exactScanUpTo: 0, minPool: 1500 }],
  [
    'hamming pool re-ranked in int8, exact distances fetched',
    { exactScanUpTo: 0, minPool: 1500, keepFloatsUpTo: 0, exactVectorsOf: (ids) => ids.map((id) => storedById.get(id)) },
  ],
];

describe.each(paths)('FaceIndex search by %s', (_name, options) => {
  const index = FaceIndex.build(faces, options);

  it('finds the exact top 100 of a clustered set with exact distances, best first', () => {
    for (const query of queries) {
      const exact = bruteForce(faces, query, 100);
      const found = index.nearest(query, 100);
      expect(found).toHaveLength(100);
      expect(recall(exact, found)).toBeGreaterThanOrEqual(0.99);
      for (const f of found) expect(f.distance).toBeCloseTo(1 - storedById.get(f.faceId)!.reduce((s, x, d) => s + x * query[d]!, 0), 5);
      const distances = found.map((f) => f.distance);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
    }
  });

  it('leaves out faces beyond maxDistance, and only those', () => {
    for (const query of queries.slice(0, 5)) {
      const exact = bruteForce(faces, query, 100);
      // Half-way between the 41st and 42nd face, so summation order cannot move a face across.
      const maxDistance = (exact[40]!.distance + exact[41]!.distance) / 2;
      const expected = exact.slice(0, 41).map((f) => f.faceId);
      expect(index.nearest(query, 100, { maxDistance }).map((f) => f.faceId)).toEqual(expected);
    }
  });

  it('returns every face when k exceeds the index size', () => {
    const small = FaceIndex.build(faces.slice(0, 50), options);
    expect(
      small
        .nearest(queries[0]!, 100)
        .map((f) => f.faceId)
        .sort((a, b) => a - b),
    ).toEqual(faces.slice(0, 50).map((f) => f.faceId));
  });
});

describe('FaceIndex contents', () => {
  it('finds a face as soon as it is added and never after it is removed', () => {
    const index = FaceIndex.build(faces.slice(0, 1000));
    const newcomer = { faceId: 90_001, embedding: queries[3]! };
    index.add([newcomer]);
    expect(index.size).toBe(1001);
    expect(index.nearest(queries[3]!, 1)).toEqual([{ faceId: 90_001, distance: expect.closeTo(0, 6) }]);
    index.remove([90_001, 5, 6]);
    expect(index.size).toBe(998);
    const ids = index.nearest(queries[3]!, 2000).map((f) => f.faceId);
    expect(ids).toHaveLength(998);
    expect(ids.filter((id) => id === 90_001 || id === 5 || id === 6)).toEqual([]);
  });

  it('replaces a face added again under the same id', () => {
    const index = FaceIndex.build(faces.slice(0, 100));
    index.add([{ faceId: 7, embedding: queries[0]! }]);
    expect(index.size).toBe(100);
    expect(index.nearest(queries[0]!, 1)).toEqual([{ faceId: 7, distance: expect.closeTo(0, 6) }]);
  });

  it('answers nothing when empty, and indexes faces added to an empty index', () => {
    const index = FaceIndex.build([]);
    expect(index.size).toBe(0);
    expect(index.nearest(queries[0]!, 10)).toEqual([]);
    index.add(faces.slice(0, 3));
    expect(index.nearest(faces[1]!.embedding, 1)).toEqual([{ faceId: 2, distance: expect.closeTo(0, 6) }]);
  });

  it('keeps no float copy above keepFloatsUpTo when exact vectors can be fetched', () => {
    const withFloats = FaceIndex.build(faces.slice(0, 1000));
    const withoutFloats = FaceIndex.build(faces.slice(0, 1000), {
      keepFloatsUpTo: 0,
      exactVectorsOf: (ids) => ids.map((id) => storedById.get(id)),
    });
    // Per face: 8 bytes of id, 16 of sign bits, 128 of int8, and 512 of floats when kept.
    expect(withFloats.memoryBytes).toBe(1000 * (8 + 16 + 128 + 512));
    expect(withoutFloats.memoryBytes).toBe(1000 * (8 + 16 + 128));
  });

  it('rejects an embedding of the wrong length, naming the lengths', () => {
    expect(() => FaceIndex.build([{ faceId: 1, embedding: new Float32Array(64) }])).toThrow('A face embedding has 128 dimensions, got 64');
  });
});
