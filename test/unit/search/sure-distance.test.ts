import { describe, expect, it } from 'vitest';
import { sureDistanceFor } from '../../../src/search/index.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';

describe('the sure distance of an event of a given size', () => {
  const scale = { referenceFaces: 10_000, distancePerDecade: 0.07 };

  it('is the calibrated one up to the reference size', () => {
    for (const faces of [0, 1, 500, 9_999, 10_000]) expect(sureDistanceFor(0.5, scale, faces)).toBe(0.5);
  });

  it('tightens by the distance of a decade of false-match rate for each tenfold past it', () => {
    expect(sureDistanceFor(0.5, scale, 100_000)).toBeCloseTo(0.43, 10);
    expect(sureDistanceFor(0.5, scale, 1_000_000)).toBeCloseTo(0.36, 10);
    // Between: smoothly, so a growing event never jumps.
    const at = (faces: number) => sureDistanceFor(0.5, scale, faces);
    expect(at(20_000)).toBeLessThan(0.5);
    expect(at(20_000)).toBeGreaterThan(at(50_000));
    expect(at(10_001)).toBeCloseTo(0.5, 5);
  });

  it('stays the calibrated one for a configuration without the rule (those calibrated before it)', () => {
    expect(sureDistanceFor(0.5, undefined, 1_000_000)).toBe(0.5);
  });

  it('is read from the shipped configuration: at 100k faces, half way from the sure distance towards the "maybe" one', () => {
    const shipped = loadMatchThreshold();
    expect(shipped.sureAtScale).toBeDefined();
    const at100k = sureDistanceFor(shipped.searchThreshold, shipped.sureAtScale, 100_000);
    // 100k faces is ten times the reference: one decade tighter, as far below the sure distance
    // as half the way from it to the "maybe" distance (two decades of false-match rate apart).
    expect(shipped.searchThreshold - at100k).toBeCloseTo((shipped.maybeThreshold - shipped.searchThreshold) / 2, 3);
  });
});
