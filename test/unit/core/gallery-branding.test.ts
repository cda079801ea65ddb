// Which uploads may become the offline gallery's logo (src/core/gallery-branding.ts): decided
// from the size and what sharp read in the header, before anything is kept.
import { describe, expect, it } from 'vitest';
import { logoProblem } from '../../../src/core/gallery-branding.js';

const MB = 1024 * 1024;

describe('logoProblem', () => {
  it.each([
    ['a 320×96 PNG', { bytes: 12_000, format: 'png', width: 320, height: 96 }],
    ['a JPEG of exactly 2 MB', { bytes: 2 * MB, format: 'jpeg', width: 1200, height: 800 }],
    ['a WebP 4096 px wide', { bytes: 300_000, format: 'webp', width: 4096, height: 1024 }],
  ])('accepts %s', (_what, upload) => {
    expect(logoProblem(upload)).toBeNull();
  });

  it.each([
    ['a PNG one byte over 2 MB', { bytes: 2 * MB + 1, format: 'png', width: 800, height: 800 }, 'too-large', /2\.0 MB.*at most 2 MB/],
    ['an SVG, which can carry scripts', { bytes: 900, format: 'svg', width: 100, height: 100 }, 'unsupported', /SVG.*scripts/],
    ['a GIF', { bytes: 900, format: 'gif', width: 100, height: 100 }, 'unsupported', /gif image cannot be the gallery's logo/],
    ['a TIFF', { bytes: 900, format: 'tiff', width: 100, height: 100 }, 'unsupported', /PNG, JPEG or WebP/],
    ['an image with no size', { bytes: 900, format: 'png', width: undefined, height: undefined }, 'not-an-image', /no size/],
    [
      'a 20000 px tall PNG (a decompression bomb)',
      { bytes: 60_000, format: 'png', width: 200, height: 20_000 },
      'too-large',
      /200×20000 px/,
    ],
  ])('refuses %s, saying what to send', (_what, upload, problem, message) => {
    const refusal = logoProblem(upload);
    expect(refusal?.problem).toBe(problem);
    expect(refusal?.message).toMatch(message);
    expect(refusal?.message).toMatch(/Send a PNG, JPEG or WebP image of at most 2 MB and 4096 px a side\.$/);
  });
});
