import { describe, expect, it } from 'vitest';
import { iou, nonMaxSuppression, overlapOfSmaller } from '../../../src/vision/face-geometry.js';

describe('overlap measures', () => {
  it('iou is 1 for the same box, 0 for disjoint boxes, 1/3 for half-shifted equal boxes', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
    expect(iou(a, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(1 / 3);
  });
  it('overlapOfSmaller sees a partial box inside a full one', () => {
    expect(overlapOfSmaller({ x: 0, y: 0, width: 100, height: 100 }, { x: 10, y: 10, width: 40, height: 80 })).toBe(1);
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the best box per face and every separate face', () => {
    const kept = nonMaxSuppression([
      { x: 0, y: 0, width: 50, height: 50, score: 0.8 },
      { x: 2, y: 1, width: 50, height: 52, score: 0.95 },
      { x: 200, y: 0, width: 50, height: 50, score: 0.6 },
      { x: 10, y: 5, width: 20, height: 30, score: 0.7 },
    ]);
    expect(kept.map((b) => b.score)).toEqual([0.95, 0.6]);
  });
});
