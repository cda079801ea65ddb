import { describe, expect, it } from 'vitest';
import {
  DETECTOR_INPUT,
  detectorPassSize,
  LEVEL_MAX_FACE,
  levelMinScore,
  MAX_ONE_PASS_SIDE,
  needsFinerLevel,
  planDetectionLevels,
  touchesInnerEdge,
} from '../../../src/vision/detection-tiles.js';

describe('planDetectionLevels', () => {
  it('sees a 2048 px photo whole, at 2x in one pass, then in overlapping 512 px tiles down to the smallest face asked for', () => {
    const levels = planDetectionLevels(2048, 1365, 40);
    expect(levels.map((l) => [l.scale, l.tiles.length, l.minFace, l.onePass])).toEqual([
      [0.25, 1, 160, false],
      [0.5, 1, 80, true],
      [1, 20, 40, false],
    ]);
  });

  it('tiles a middle level too when one pass would be larger than MAX_ONE_PASS_SIDE (a 45 MP photo analysed at 4096 px)', () => {
    const levels = planDetectionLevels(4096, 2731, 40);
    expect(levels.map((l) => [l.scale, l.onePass])).toEqual([
      [0.125, false],
      [0.25, true],
      [0.5, false],
      [1, false],
    ]);
    expect(4096 * 0.25).toBeLessThanOrEqual(MAX_ONE_PASS_SIDE);
  });

  it("sizes the whole-photo pass to the photo's aspect, one-pass levels to at least 512, and tiles to exactly 512", () => {
    const [whole, middle, fine] = planDetectionLevels(2048, 1365, 40);
    expect(detectorPassSize(whole!, { width: 512, height: 341 })).toEqual({ width: 512, height: 352 });
    expect(detectorPassSize(whole!, { width: 341, height: 512 })).toEqual({ width: 352, height: 512 });
    expect(detectorPassSize(middle!, { width: 1024, height: 683 })).toEqual({ width: 1024, height: 704 });
    expect(detectorPassSize(fine!, { width: 512, height: 512 })).toEqual({ width: 512, height: 512 });
    const panorama = planDetectionLevels(2048, 300, 160)[0]!;
    expect(detectorPassSize(panorama, { width: 512, height: 75 })).toEqual({ width: 512, height: 96 });
  });

  it('covers every pixel at every level, and every tile fits the detector input', () => {
    for (const level of planDetectionLevels(2048, 1365, 40)) {
      const covered = new Uint8Array(2048 * 1365);
      for (const t of level.tiles) {
        expect(Math.round(t.width * t.scale)).toBeLessThanOrEqual(level.onePass ? MAX_ONE_PASS_SIDE : DETECTOR_INPUT);
        for (let y = t.y; y < t.y + t.height; y += 1) covered.fill(1, y * 2048 + t.x, y * 2048 + t.x + t.width);
      }
      expect(covered.indexOf(0)).toBe(-1);
    }
  });

  it('overlaps neighbouring tiles by at least the largest face the level answers for', () => {
    const fine = planDetectionLevels(2048, 1365, 40)[2]!;
    const row = fine.tiles.filter((t) => t.y === 0).sort((a, b) => a.x - b.x);
    for (let i = 1; i < row.length; i++) {
      const overlap = row[i - 1]!.x + row[i - 1]!.width - row[i]!.x;
      expect(overlap).toBeGreaterThanOrEqual(LEVEL_MAX_FACE / fine.scale - 1);
    }
  });

  it('stops at the first level when the image is small enough for the detector to see faces of that size', () => {
    expect(planDetectionLevels(640, 480, 40).map((l) => l.tiles.length)).toEqual([1, 2]);
    // The last level is always tiled, so 640 px at full scale is two 512 px tiles.
    expect(planDetectionLevels(512, 512, 40)).toHaveLength(1);
  });
});

describe('needsFinerLevel', () => {
  const level = planDetectionLevels(2048, 1365, 40)[0]!;
  it('looks closer when nothing was found or a face is within 2x of the level limit; stops for large faces unless told to always tile', () => {
    const cases: [number[], 'adaptive' | 'always'][] = [
      [[], 'adaptive'],
      [[300, 200], 'adaptive'],
      [[600, 330], 'adaptive'],
      [[600, 700], 'adaptive'],
      [[600, 700], 'always'],
    ];
    // This level sees faces from 160 px: 200 px is near that limit, 330 px and more is not.
    expect(cases.map(([found, mode]) => needsFinerLevel(found, level, mode))).toEqual([true, true, false, false, true]);
  });

  it('gives up on the finest level after two levels without a face (decor, venue, food), unless told to always tile', () => {
    const [, second, finest] = planDetectionLevels(2048, 1365, 40);
    expect([
      needsFinerLevel([], second!, 'adaptive'),
      needsFinerLevel([], finest!, 'adaptive'),
      needsFinerLevel([], finest!, 'always'),
    ]).toEqual([true, false, true]);
  });
});

describe('levelMinScore', () => {
  it("takes faint boxes only on tiled levels, where faces are under the detector's reliable size", () => {
    const [whole, onePass, tiled] = planDetectionLevels(6000 / 2.93, 4000 / 2.93, 40);
    expect([whole!.level, onePass!.onePass, tiled!.onePass]).toEqual([0, true, false]);
    expect(levelMinScore(whole!, 0.5)).toBe(0.5);
    expect(levelMinScore(onePass!, 0.5)).toBe(0.5);
    expect(levelMinScore(tiled!, 0.5)).toBeCloseTo(0.4, 10);
    // A stricter photographer's bar moves the tiled one with it, and a loose one never reaches zero.
    expect(levelMinScore(tiled!, 0.7)).toBeCloseTo(0.6, 10);
    expect(levelMinScore(tiled!, 0.1)).toBe(0.05);
  });
});

describe('touchesInnerEdge', () => {
  const tile = { x: 500, y: 0, width: 512, height: 512 };
  it('flags boxes cut by an edge shared with a neighbouring tile, not those inside it or against the image border', () => {
    const boxes = [
      { x: 500, y: 100, width: 40, height: 40 }, // on the left edge, shared with the tile before
      { x: 980, y: 480, width: 32, height: 32 }, // in the bottom-right corner, shared with two tiles
      { x: 600, y: 0, width: 40, height: 40 }, // on the top edge, which is the image's own
      { x: 600, y: 200, width: 40, height: 40 }, // well inside
    ];
    expect(boxes.map((b) => touchesInnerEdge(b, tile, 2048, 1365))).toEqual([true, true, false, false]);
  });
});
