import { describe, expect, it } from 'vitest';
import {
  cosineDistance,
  decodeDescriptor,
  encodeDescriptor,
  meanDescriptor,
  suggestPersonLinks,
  type PersonMean,
} from '../../../src/cloud/merge/index.js';

const v = (...xs: number[]) => Float32Array.from(xs);
const person = (personId: number, devicePk: number, ...mean: number[]): PersonMean => ({ personId, devicePk, mean: v(...mean) });

describe('suggestPersonLinks', () => {
  it.each([
    {
      case: 'the same face direction on two laptops is suggested',
      persons: [person(1, 1, 1, 0), person(2, 2, 1, 0.1)],
      existing: [],
      pairs: [[1, 2]],
    },
    { case: 'two persons of one laptop are never suggested', persons: [person(1, 1, 1, 0), person(2, 1, 1, 0)], existing: [], pairs: [] },
    { case: 'persons far apart are not suggested', persons: [person(1, 1, 1, 0), person(2, 2, 0, 1)], existing: [], pairs: [] },
    {
      case: 'a pair with a link already (rejected or not) is not suggested again',
      persons: [person(1, 1, 1, 0), person(2, 2, 1, 0)],
      existing: [[2, 1] as const],
      pairs: [],
    },
    {
      case: 'pairs come smaller id first, closest first',
      persons: [person(9, 1, 1, 0), person(4, 2, 1, 0.3), person(5, 3, 1, 0.01)],
      existing: [],
      pairs: [
        [5, 9],
        [4, 5],
        [4, 9],
      ],
    },
    { case: 'a zero mean is never close to anything', persons: [person(1, 1, 0, 0), person(2, 2, 0, 0)], existing: [], pairs: [] },
  ])('$case', ({ persons, existing, pairs }) => {
    expect(suggestPersonLinks(persons, existing).map((s) => [s.a, s.b])).toEqual(pairs);
  });

  it('suggests exactly at the threshold distance and not beyond it', () => {
    const at = [person(1, 1, 1, 0), person(2, 2, Math.cos(Math.acos(0.65)), Math.sin(Math.acos(0.65)))];
    expect(suggestPersonLinks(at, [], 0.35 + 1e-6)).toHaveLength(1);
    expect(suggestPersonLinks(at, [], 0.35 - 1e-3)).toHaveLength(0);
  });
});

describe('descriptors', () => {
  it('round-trip little-endian float32s', () => {
    expect(Array.from(decodeDescriptor(encodeDescriptor([0.5, -1.25, 3])))).toEqual([0.5, -1.25, 3]);
  });

  it('average descriptors of one length, ignoring another model’s', () => {
    expect(Array.from(meanDescriptor([v(1, 3), v(3, 5), v(1, 2, 3)])!)).toEqual([2, 4]);
    expect(meanDescriptor([])).toBeNull();
  });

  it('measure cosine distance: 0 for one direction, 1 for orthogonal, 2 for opposite', () => {
    expect(cosineDistance(v(1, 1), v(2, 2))).toBeCloseTo(0);
    expect(cosineDistance(v(1, 0), v(0, 1))).toBeCloseTo(1);
    expect(cosineDistance(v(1, 0), v(-1, 0))).toBeCloseTo(2);
  });
});
