import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { hammingDistance, perceptualHash, PHASH_INPUT_SIZE } from '../../../src/photo/index.js';

const sample = (n: number): string => new URL(`../../../node_modules/@vladmandic/face-api/demo/sample${n}.jpg`, import.meta.url).pathname;

async function hashOf(image: Sharp): Promise<string> {
  const grey = await image.resize(PHASH_INPUT_SIZE, PHASH_INPUT_SIZE, { fit: 'fill' }).greyscale().raw().toBuffer();
  return perceptualHash(grey);
}

describe('perceptual hash of a photo', () => {
  it('is 16 hex digits and the same for the same pixels', async () => {
    const h = await hashOf(sharp(sample(1)));
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(await hashOf(sharp(sample(1)))).toBe(h);
  });

  it('barely changes for the next frame of a burst: a little brighter, slightly reframed, recompressed', async () => {
    const original = await hashOf(sharp(sample(2)));
    const meta = await sharp(sample(2)).metadata();
    const nextFrame = await sharp(sample(2))
      .extract({ left: 12, top: 8, width: meta.width - 24, height: meta.height - 16 })
      .modulate({ brightness: 1.06 })
      .jpeg({ quality: 70 })
      .toBuffer();
    expect(hammingDistance(original, await hashOf(sharp(nextFrame)))).toBeLessThanOrEqual(8);
  });

  it('differs a lot between different photos', async () => {
    const hashes = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => hashOf(sharp(sample(n)))));
    for (let i = 0; i < hashes.length; i++) {
      for (let j = i + 1; j < hashes.length; j++) expect(hammingDistance(hashes[i]!, hashes[j]!)).toBeGreaterThan(16);
    }
  });

  it('rejects input of the wrong size', () => {
    expect(() => perceptualHash(new Uint8Array(10))).toThrow(/32x32/);
  });
});
