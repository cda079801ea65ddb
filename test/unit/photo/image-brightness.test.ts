import { describe, expect, it } from 'vitest';
import { meanLuma } from '../../../src/photo/index.js';

/** `count` pixels of one colour, RGB. */
const plain = (rgb: [number, number, number], count = 640 * 480): Uint8Array => {
  const out = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) out.set(rgb, i * 3);
  return out;
};

describe('how bright a selfie is', () => {
  it('reads grey as its own level', () => {
    expect(meanLuma(plain([128, 128, 128]))).toBeCloseTo(128, 5);
    expect(meanLuma(plain([0, 0, 0]))).toBe(0);
  });

  it('weighs the colours as the eye does: a saturated red is dim, a green bright', () => {
    expect(meanLuma(plain([255, 0, 0]))).toBeCloseTo(76.2, 1);
    expect(meanLuma(plain([0, 255, 0]))).toBeCloseTo(149.7, 1);
    // A face in dim, warm light: the red channel alone (64) would read as bright enough.
    expect(meanLuma(plain([64, 24, 16]))).toBeLessThan(40);
  });

  it('averages the whole picture, half dark and half bright, when it reads only a sample of a large one', () => {
    const count = 4000 * 3000;
    const half = new Uint8Array(count * 3);
    half.fill(255, 0, (count / 2) * 3);
    expect(meanLuma(half)).toBeGreaterThan(125);
    expect(meanLuma(half)).toBeLessThan(130);
  });

  it('skips an alpha channel when there is one', () => {
    const rgba = new Uint8Array(100 * 4);
    for (let i = 0; i < 100; i++) rgba.set([200, 200, 200, 0], i * 4);
    expect(meanLuma(rgba, 4)).toBeCloseTo(200, 5);
  });
});
