import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alignChip, fivePoints } from '../../../src/vision/face-alignment.js';
import {
  encodeProjectionMatrix,
  loadDescriptorProjection,
  parseDescriptorProjection,
  project,
} from '../../../src/vision/descriptor-projection.js';
import type { Point } from '../../../src/vision/face-geometry.js';

const MODELS = fileURLToPath(new URL('../../../models/face/', import.meta.url));

describe('the descriptor projection', () => {
  it('maps a vector through its rows', () => {
    const matrix = Float32Array.from([1, 0, 0, 0, 0.5, 0.5]);
    const p = parseDescriptorProjection({ network: 'n', from: 3, to: 2, matrix: encodeProjectionMatrix(matrix), method: 'test' }, 'here');
    expect(Array.from(project(p, Float32Array.from([2, 4, 6])))).toEqual([2, 5]);
    expect(() => project(p, new Float32Array(4))).toThrow(/takes 3 numbers, got 4/);
  });

  it('refuses a file whose matrix is not the size it says, naming the file and what to do', () => {
    const raw = { network: 'n', from: 3, to: 2, matrix: encodeProjectionMatrix(new Float32Array(5)), method: 'test' };
    expect(() => parseDescriptorProjection(raw, '/x/p.json')).toThrow(/\/x\/p\.json holds 20 bytes, not 3 x 2 float32: reinstall/);
    expect(() => parseDescriptorProjection({ from: 3 }, '/x/p.json')).toThrow(/not valid \(network: .*reinstall/);
  });

  it('ships 128 orthonormal axes of the joined 704-d descriptor (512 + 192), so distances inside them are kept', () => {
    const shipped = JSON.parse(readFileSync(`${MODELS}match-threshold.json`, 'utf8')) as { descriptor: { projection?: string } };
    const p = loadDescriptorProjection(MODELS, shipped.descriptor.projection!);
    expect([p.from, p.to]).toEqual([704, 128]);
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [5, 77],
      [127, 127],
    ] as const) {
      let dot = 0;
      for (let c = 0; c < 704; c++) dot += p.matrix[a * 704 + c]! * p.matrix[b * 704 + c]!;
      expect(dot).toBeCloseTo(a === b ? 1 : 0, 4);
    }
  });
});

describe('five-point alignment', () => {
  it('puts the eyes, nose tip and mouth corners where ArcFace-style networks expect them, whatever the tilt and size', () => {
    // The reference (112 px chip) placed in an image at 3x, turned by 0.3 rad about (500, 400).
    const reference = [
      [38.2946, 51.6963],
      [73.5318, 51.5014],
      [56.0252, 71.7366],
      [41.5493, 92.3655],
      [70.729, 92.2041],
    ];
    const angle = 0.3;
    const place = ([x, y]: readonly number[]): Point => {
      const dx = (x! - 56) * 3;
      const dy = (y! - 56) * 3;
      return { x: 500 + dx * Math.cos(angle) - dy * Math.sin(angle), y: 400 + dx * Math.sin(angle) + dy * Math.cos(angle) };
    };
    const landmarks: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
    for (const i of [36, 37, 38, 39, 40, 41]) landmarks[i] = place(reference[0]!);
    for (const i of [42, 43, 44, 45, 46, 47]) landmarks[i] = place(reference[1]!);
    landmarks[30] = place(reference[2]!);
    landmarks[48] = landmarks[60] = place(reference[3]!);
    landmarks[54] = landmarks[64] = place(reference[4]!);
    expect(fivePoints(landmarks)[2]).toEqual(place(reference[2]!));
    const a = alignChip(landmarks, 'five-point');
    expect(a.side).toBeCloseTo(112 * 3, 6);
    expect(a.angle).toBeCloseTo(angle, 6);
    expect(a.centre.x).toBeCloseTo(500, 6);
    expect(a.centre.y).toBeCloseTo(400, 6);
  });
});
