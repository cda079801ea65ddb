import { describe, expect, it } from 'vitest';
import { boxOverlap, pairReplacedFaces } from '../../../src/store/index.js';

describe('which new face is which old one after a faces re-run', () => {
  it.each([
    ['the same box', [0, 0, 100, 100], [0, 0, 100, 100], 1],
    ['a box shifted by half its width', [0, 0, 100, 100], [50, 0, 100, 100], 1 / 3],
    ['boxes that only touch', [0, 0, 100, 100], [100, 0, 100, 100], 0],
    ['a box inside a four times larger one', [0, 0, 100, 100], [0, 0, 200, 200], 0.25],
  ] as const)('overlap of %s', (_, a, b, expected) => {
    expect(boxOverlap(a, b)).toBeCloseTo(expected, 6);
  });

  it('pairs a face found a few pixels off with the old face in its place', () => {
    expect(
      pairReplacedFaces(
        [
          [100, 100, 200, 200],
          [900, 100, 150, 150],
        ],
        [
          [900, 104, 148, 150],
          [104, 96, 196, 206],
        ],
      ),
    ).toEqual(
      new Map([
        [0, 1],
        [1, 0],
      ]),
    );
  });

  it('leaves a newly found face and a face no longer found without a pair', () => {
    expect(pairReplacedFaces([[100, 100, 200, 200]], [[2000, 500, 120, 120]])).toEqual(new Map());
    expect(pairReplacedFaces([], [[0, 0, 10, 10]])).toEqual(new Map());
  });

  it('gives each old face to one new face only, the one that overlaps it most', () => {
    // Two detections over one old face: the closer one takes its person, the other starts afresh.
    expect(
      pairReplacedFaces(
        [[0, 0, 100, 100]],
        [
          [20, 0, 100, 100],
          [5, 0, 100, 100],
        ],
      ),
    ).toEqual(new Map([[1, 0]]));
  });
});
