import { describe, expect, it } from 'vitest';
import { alignFromLandmarks, alignmentBounds, alignToMeanFace, mirrorChip, warpAligned } from '../../../src/vision/face-alignment.js';
import type { Point } from '../../../src/vision/face-geometry.js';

/** A plausible 68-point face: only the points alignment uses need to be meaningful. */
function face(cx: number, cy: number, size: number, angle: number): Point[] {
  const pts: Point[] = Array.from({ length: 68 }, (_, i) => {
    const t = (i / 68) * 2 * Math.PI;
    return { x: Math.cos(t) * size * 0.45, y: Math.sin(t) * size * 0.5 };
  });
  for (const i of [36, 37, 38, 39, 40, 41]) pts[i] = { x: -size * 0.2, y: -size * 0.1 };
  for (const i of [42, 43, 44, 45, 46, 47]) pts[i] = { x: size * 0.2, y: -size * 0.1 };
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return pts.map((p) => ({ x: cx + p.x * c - p.y * s, y: cy + p.x * s + p.y * c }));
}

describe('alignFromLandmarks', () => {
  it('measures the head tilt from the eyes and keeps the crop size whatever the tilt', () => {
    const upright = alignFromLandmarks(face(300, 200, 100, 0));
    const tilted = alignFromLandmarks(face(300, 200, 100, 0.3));
    expect(upright.angle).toBeCloseTo(0);
    expect(tilted.angle).toBeCloseTo(0.3);
    expect(tilted.side).toBeCloseTo(upright.side, 3);
    // landmark box (90 x 100) plus 20%, squared on the long side
    expect(upright.side).toBeCloseTo(120, 0);
  });

  it('bounds enclose the rotated crop', () => {
    const b = alignmentBounds({ angle: Math.PI / 4, centre: { x: 100, y: 100 }, side: 100 });
    expect(b.width).toBeCloseTo(100 * Math.SQRT2);
  });
});

describe('warpAligned', () => {
  it('levels a tilted face: the left half of a tilted two-tone image comes out as the left half', () => {
    const size = 200;
    const data = new Uint8Array(size * size * 3);
    const angle = 0.4;
    // Paint pixels by which side of the tilted vertical line through the centre they fall.
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const dx = x + 0.5 - 100;
        const dy = y + 0.5 - 100;
        const along = dx * Math.cos(angle) + dy * Math.sin(angle);
        data.fill(along < 0 ? 0 : 255, (y * size + x) * 3, (y * size + x) * 3 + 3);
      }
    const out = warpAligned(
      { data, width: size, height: size, scale: 1, offsetX: 0, offsetY: 0 },
      { angle, centre: { x: 100, y: 100 }, side: 100 },
      50,
    );
    const at = (u: number, v: number) => out[(v * 50 + u) * 3]!;
    expect([at(10, 10), at(10, 40), at(40, 10), at(40, 40)]).toEqual([0, 0, 255, 255]);
  });

  it('reads from a higher-resolution region placed in image coordinates', () => {
    const region = { data: new Uint8Array(40 * 40 * 3).fill(200), width: 40, height: 40, scale: 4, offsetX: 400, offsetY: 400 };
    const out = warpAligned(region, { angle: 0, centre: { x: 105, y: 105 }, side: 8 }, 10);
    expect(Math.min(...out)).toBe(200);
  });
});

describe('alignToMeanFace', () => {
  it('follows the face: moved, scaled and turned landmarks give the chip moved, scaled and turned the same way', () => {
    const before = face(300, 200, 100, 0.1);
    const [theta, k, tx, ty] = [0.35, 2.2, 340, 180];
    const move = (p: Point): Point => ({
      x: k * (p.x * Math.cos(theta) - p.y * Math.sin(theta)) + tx,
      y: k * (p.x * Math.sin(theta) + p.y * Math.cos(theta)) + ty,
    });
    const a = alignToMeanFace(before);
    const b = alignToMeanFace(before.map(move));
    expect(b.side).toBeCloseTo(k * a.side, 6);
    expect(b.angle).toBeCloseTo(a.angle + theta, 6);
    expect(b.centre.x).toBeCloseTo(move(a.centre).x, 6);
    expect(b.centre.y).toBeCloseTo(move(a.centre).y, 6);
  });

  it("cuts dlib's chip: a face whose landmarks sit on the mean face fills the chip inside its 25% padding", () => {
    // The mean face spans 0..1 of the unpadded chip, so with padding 0.25 the chip is 1.5 times the
    // landmarks' extent and they sit inside [1/6, 5/6] of it.
    const pts = face(500, 300, 120, 0);
    const a = alignToMeanFace(pts);
    for (const p of pts.slice(17)) {
      expect(Math.abs(p.x - a.centre.x)).toBeLessThan(a.side / 2);
      expect(Math.abs(p.y - a.centre.y)).toBeLessThan(a.side / 2);
    }
  });
});

describe('mirrorChip', () => {
  it('swaps left and right and keeps every row and colour', () => {
    const chip = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // 2x2 RGB
    expect([...mirrorChip(chip, 2)]).toEqual([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]);
  });
});
