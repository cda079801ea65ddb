import { describe, expect, it } from 'vitest';
import { facesToAdd, vouchedPersons } from '../../../src/search/person-expansion.js';

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
