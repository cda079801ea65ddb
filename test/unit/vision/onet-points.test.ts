// How O-Net's crops are made and its output read (onet-points.ts): the network reads transposed
// crops and answers in fractions of the square it was shown; a mistake in either puts the
// descriptor's chip on the wrong part of the face.
import { describe, expect, it } from 'vitest';
import { alignFivePoints, fivePoints, type PlacedImage } from '../../../src/vision/face-alignment.js';
import type { Point } from '../../../src/vision/face-geometry.js';
import { firstOnetSquare, onetAlignment, onetCrop, onetInput, readOnetLook } from '../../../src/vision/onet-points.js';

const SIZE = 48;

/** A 68-point face: eyes, nose and mouth where alignment reads them, the rest on an oval. */
function landmarks(cx: number, cy: number, size: number): Point[] {
  const pts: Point[] = Array.from({ length: 68 }, (_, i) => {
    const t = (i / 68) * 2 * Math.PI;
    return { x: cx + Math.cos(t) * size * 0.45, y: cy + Math.sin(t) * size * 0.5 };
  });
  for (let i = 36; i <= 41; i++) pts[i] = { x: cx - size * 0.2, y: cy - size * 0.1 };
  for (let i = 42; i <= 47; i++) pts[i] = { x: cx + size * 0.2, y: cy - size * 0.1 };
  pts[30] = { x: cx, y: cy + size * 0.05 };
  pts[48] = pts[60] = { x: cx - size * 0.15, y: cy + size * 0.25 };
  pts[54] = pts[64] = { x: cx + size * 0.15, y: cy + size * 0.25 };
  return pts;
}

describe("O-Net's input", () => {
  it('is transposed: a pixel at column x, row y of the crop is row x, column y of each channel', () => {
    const crop = new Uint8Array(SIZE * SIZE * 3).fill(127);
    const at = (10 * SIZE + 5) * 3; // row 10, column 5
    crop[at] = 255;
    crop[at + 1] = 0;
    crop[at + 2] = 200;
    const input = onetInput([crop, crop]);
    const plane = SIZE * SIZE;
    for (const b of [0, 1]) {
      expect(input[(b * 3 + 0) * plane + 5 * SIZE + 10]).toBeCloseTo((255 - 127.5) / 128);
      expect(input[(b * 3 + 1) * plane + 5 * SIZE + 10]).toBeCloseTo((0 - 127.5) / 128);
      expect(input[(b * 3 + 2) * plane + 5 * SIZE + 10]).toBeCloseTo((200 - 127.5) / 128);
      // Not at row 10, column 5 of the plane.
      expect(input[(b * 3 + 0) * plane + 10 * SIZE + 5]).toBeCloseTo((127 - 127.5) / 128);
    }
  });

  it('averages a large face down rather than sampling every fourth pixel', () => {
    // A 192 px square of fine stripes (one pixel black, one white): sampled point-wise it would
    // come out all black or all white; averaged it is grey.
    const width = 400;
    const data = new Uint8Array(width * width * 3);
    for (let y = 0; y < width; y++)
      for (let x = 0; x < width; x++) data.fill(x % 2 ? 255 : 0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const source: PlacedImage = { data, width, height: width, scale: 1, offsetX: 0, offsetY: 0 };
    const crop = onetCrop(source, { angle: 0, centre: { x: 200, y: 200 }, side: 192 });
    expect(crop.length).toBe(SIZE * SIZE * 3);
    const mean = crop.reduce((s, v) => s + v, 0) / crop.length;
    expect(mean).toBeGreaterThan(100);
    expect(mean).toBeLessThan(155);
    expect(Math.max(...crop) - Math.min(...crop)).toBeLessThan(40);
  });
});

describe("reading O-Net's answer", () => {
  const square = { angle: 0, centre: { x: 150, y: 120 }, side: 100 }; // corners 100..200, 70..170
  const score = Float32Array.of(0.9, 0.1, 0.02, 0.98);
  const box = Float32Array.of(0, 0, 0, 0, 0.1, -0.1, 0.1, 0.1);
  const points = Float32Array.of(...[0, 0, 0, 0, 0, 0, 0, 0, 0, 0], ...[0.3, 0.7, 0.5, 0.35, 0.65, 0.4, 0.4, 0.6, 0.8, 0.8]);

  it('places the points (five x, then five y) in the square it was shown', () => {
    const look = readOnetLook(square, 1, score, box, points);
    expect(look.score).toBeCloseTo(0.98);
    const expected = [
      { x: 130, y: 110 },
      { x: 170, y: 110 },
      { x: 150, y: 130 },
      { x: 135, y: 150 },
      { x: 165, y: 150 },
    ];
    expect(look.points).toHaveLength(5);
    look.points.forEach((p, k) => {
      expect(p.x).toBeCloseTo(expected[k]!.x, 3);
      expect(p.y).toBeCloseTo(expected[k]!.y, 3);
    });
  });

  it('moves the square as O-Net asks (x1 y1 x2 y2 in fractions of its side), squared again', () => {
    const look = readOnetLook(square, 1, score, box, points);
    // Corners 110..210 and 60..180: 100 wide, 120 tall, so a 120 px square around (160, 120).
    expect(look.next.centre.x).toBeCloseTo(160);
    expect(look.next.centre.y).toBeCloseTo(120);
    expect(look.next.side).toBeCloseTo(120);
    expect(look.next.angle).toBe(0);
  });

  it("keeps the 68 landmarks' five points for a crop O-Net does not take for a face", () => {
    const face = landmarks(150, 120, 100);
    const notAFace = readOnetLook(square, 0, score, box, points);
    expect(notAFace.score).toBeCloseTo(0.1);
    expect(onetAlignment(notAFace, face)).toEqual(alignFivePoints(fivePoints(face)));
    const aFace = readOnetLook(square, 1, score, box, points);
    expect(onetAlignment(aFace, face)).toEqual(alignFivePoints(aFace.points));
  });

  it('first looks at the square around the 68 landmarks', () => {
    const first = firstOnetSquare(landmarks(150, 120, 100));
    expect(first.centre.x).toBeCloseTo(150, 0);
    expect(first.centre.y).toBeCloseTo(120, 0);
    expect(first.side).toBeCloseTo(100, 0);
  });
});
