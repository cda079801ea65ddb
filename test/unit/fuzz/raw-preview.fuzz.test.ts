// Property-based fuzzing of the embedded-preview search (src/ingest/raw-preview.ts) with a
// fixed seed. The longer coverage-guided run is `npm run fuzz -- --target raw-preview`.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractEmbeddedJpeg, RawPreviewError } from '../../../src/camera-files/index.js';
import { damagedCopyArb } from '../../fuzz/arbitraries.js';
import { extractPreviewSafely } from '../../fuzz/harnesses.js';
import { seedsFor } from '../../fuzz/seeds.js';

const SEED = 0x5f1e_2024;
const RUNS = 300;

// JPEG fragments (SOI, frame, scan, EOI, fill bytes) so random files hold many JPEG beginnings.
const FRAGMENTS: readonly (readonly number[])[] = [
  [0xff, 0xd8, 0xff],
  [0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00],
  [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00],
  [0xff, 0xd9],
  [0xff, 0x00],
  [0xff, 0xff],
];

const arbitraryRaw = fc
  .array(
    fc.oneof(
      fc.constantFrom(...FRAGMENTS).map((f) => Uint8Array.from(f)),
      fc.uint8Array({ maxLength: 64 }),
    ),
    { maxLength: 64 },
  )
  .map((parts) => Buffer.concat(parts));

let seeds: Buffer[];

beforeAll(async () => {
  seeds = await seedsFor('raw-preview');
});

describe('fuzzing the embedded preview search', () => {
  it('returns a whole JPEG inside the file or throws RawPreviewError, on arbitrary bytes full of JPEG markers', () => {
    fc.assert(
      fc.property(arbitraryRaw, (bytes) => {
        extractPreviewSafely(bytes, 'IMG_0001.CR3');
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('returns a whole JPEG inside the file or throws RawPreviewError, on a damaged copy of a real RAW file', () => {
    fc.assert(
      fc.property(damagedCopyArb(seeds), (bytes) => {
        extractPreviewSafely(Buffer.from(bytes), 'IMG_0001.NEF');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('gives up on a tangle of overlapping JPEG headers in linear time instead of rescanning the file from every SOI', () => {
    // From each FF D8 the APP1 length (6) jumps over the next SOI into the following APP1, so
    // every SOI walked to the end of the file: 256 KiB took 10 s, quadratic in the size.
    const tangle = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x06, 0x00, 0x00]);
    const file = Buffer.concat([...Array.from({ length: 32_768 }, () => tangle), Buffer.alloc(16)]);
    const started = performance.now();
    expect(() => extractEmbeddedJpeg(file, 'DSC_0001.NEF')).toThrow(RawPreviewError);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('still finds the preview in a real RAW file when the rest of the file is such a tangle', () => {
    const tangle = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x06, 0x00, 0x00]);
    const raw = seeds[1] as Buffer;
    const file = Buffer.concat([raw, ...Array.from({ length: 4096 }, () => tangle), Buffer.alloc(16)]);
    const expected = Buffer.from(extractEmbeddedJpeg(raw, 'DSC_0001.NEF'));
    expect(Buffer.from(extractEmbeddedJpeg(file, 'DSC_0001.NEF')).equals(expected)).toBe(true);
  });
});
