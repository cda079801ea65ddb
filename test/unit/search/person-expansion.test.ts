import { describe, expect, it } from 'vitest';
import { facesToAdd, personCentre, personsNearQuery, regroupFaces, vouchedPersons } from '../../../src/search/person-expansion.js';
import { cosineDistance } from '../../../src/vision/index.js';

const T = 0.04;

describe('vouchedPersons', () => {
  it('trusts only persons with a strong direct match (within 75% of the threshold)', () => {
    const direct = [
      { faceId: 1, personId: 7, distance: 0.02 },
      { faceId: 2, personId: 8, distance: 0.035 },
      { faceId: 3, personId: null, distance: 0.01 },
    ];
    expect([...vouchedPersons(direct, T)]).toEqual([7]);
  });
});

describe('facesToAdd', () => {
  it("adds a vouched person's other photos within 1.6x the threshold, best face per photo, nearest first", () => {
    const candidates = [
      { faceId: 10, photoId: 100, personId: 7, distance: 0.01 }, // already found directly
      { faceId: 11, photoId: 101, personId: 7, distance: 0.055 },
      { faceId: 12, photoId: 101, personId: 7, distance: 0.05 }, // same photo, closer face
      { faceId: 13, photoId: 102, personId: 7, distance: 0.08 }, // too far even for its person
      { faceId: 14, photoId: 103, personId: 8, distance: 0.045 }, // a person nobody vouched for
      { faceId: 15, photoId: 104, personId: 7, distance: 0.042 },
    ];
    const added = facesToAdd(candidates, new Set([7]), new Set([100]), T);
    expect(added.map((c) => [c.photoId, c.faceId])).toEqual([
      [104, 15],
      [101, 12],
    ]);
  });
});

describe('personsNearQuery', () => {
  const unit = (...xs: number[]) => {
    const v = Float32Array.from(xs);
    const n = Math.hypot(...xs);
    return v.map((x) => x / n);
  };

  it('keeps a person whose faces centre on the query though each face is far from it, and not one with a single face near it', () => {
    const query = unit(1, 0, 0, 0);
    // Hers: spread around the query on both sides. His: one face near the query, the others leaning his way.
    const hers = [unit(1, 0.6, 0, 0), unit(1, -0.6, 0, 0), unit(1, 0, 0.6, 0)];
    const his = [unit(1, 0, 0, 0.2), unit(1, 0, 0, 0.9), unit(1, 0, 0, 1)];
    expect(Math.min(...hers.map((v) => cosineDistance(v, query)))).toBeGreaterThan(Math.min(...his.map((v) => cosineDistance(v, query))));
    const near = personsNearQuery(
      new Map([
        [1, hers],
        [2, his],
      ]),
      query,
      0.05,
    );
    expect([...near]).toEqual([1]);
  });

  it('weighs every face alike, however long its descriptor', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float32Array.from([0, 1]);
    expect(cosineDistance(personCentre([a, b])!, Float32Array.from([1, 1]))).toBeCloseTo(0, 6);
    expect(personCentre([])).toBeNull();
  });
});

describe('regrouping the persons a search read', () => {
  const unit = (...xs: number[]) => {
    const v = new Float32Array(8);
    xs.forEach((x, i) => (v[i] = x));
    const n = Math.hypot(...xs);
    return v.map((x) => x / n);
  };
  // Two people the live grouping put into one person (7), and a second piece of the first (8).
  const faces = [
    { faceId: 1, photoId: 1, personId: 7, vector: unit(1, 0.1, 0) },
    { faceId: 2, photoId: 2, personId: 7, vector: unit(1, 0.15, 0) },
    { faceId: 3, photoId: 3, personId: 7, vector: unit(0, 0.1, 1) },
    { faceId: 4, photoId: 4, personId: 7, vector: unit(0, 0.15, 1) },
    { faceId: 5, photoId: 5, personId: 8, vector: unit(1, 0.2, 0) },
  ];

  it("splits a person of two people and joins a person's pieces, by the re-cluster's average distance", () => {
    expect(regroupFaces(faces, 0.3)).toEqual([
      [1, 2, 5],
      [3, 4],
    ]);
  });

  it('keeps two faces of one photo apart, as the re-cluster does', () => {
    const samePhoto = faces.map((f) => (f.faceId === 5 ? { ...f, photoId: 1 } : f));
    const groups = regroupFaces(samePhoto, 0.3);
    expect(groups.find((g) => g.includes(1))).not.toContain(5);
    expect(groups).toContainEqual([3, 4]);
  });

  it('takes the persons as they are past the most faces it groups', () => {
    expect(regroupFaces(faces, 0.3, 4)).toEqual([[1, 2, 3, 4], [5]]);
  });
});
