import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeHeif, HeifDecodeError, isMissingHeifCodec, readPhotoMetadata } from '../../../src/camera-files/index.js';
import { rotateHeic } from '../../fixtures/rotated-heic.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/camera-files/${name}`, import.meta.url));

/** Share of sampled pixels that are neither black nor white: a blank or failed decode has none. */
function paintedShare(rgba: Buffer): number {
  let painted = 0;
  let sampled = 0;
  for (let i = 0; i < rgba.length; i += 4 * 997) {
    const [r, g, b] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
    sampled += 1;
    if (Math.max(r, g, b) > 8 && Math.min(r, g, b) < 247) painted += 1;
  }
  return painted / sampled;
}

describe('decoding HEIC/HEIF files with libheif-js', () => {
  it.each(['heic-single.heic', 'heic-iphone7.heic', 'heic-collection.heic'])(
    'decodes %s to the size its primary image declares, with real pixels',
    async (name) => {
      const bytes = readFileSync(fixture(name));
      // sharp reads a HEIC's header (the primary image's size) even where it cannot decode it.
      const declared = await sharp(bytes).metadata();
      const { rgba, width, height } = decodeHeif(bytes, name);
      expect({ width, height }).toEqual({ width: declared.width, height: declared.height });
      expect(rgba.length).toBe(width * height * 4);
      expect(paintedShare(rgba)).toBeGreaterThan(0.5);
    },
  );

  it('refuses a HEIC over the pixel limit from its header, as sharp does, before decoding it', () => {
    const bytes = readFileSync(fixture('heic-single.heic'));
    // 1440 x 960 = 1,382,400 pixels: one under the limit passes, the limit one under refuses.
    expect(decodeHeif(bytes, 'IMG_0001.HEIC', { maxPixels: 1440 * 960 }).width).toBe(1440);
    expect(() => decodeHeif(bytes, 'IMG_0001.HEIC', { maxPixels: 1440 * 960 - 1 })).toThrow(
      /IMG_0001\.HEIC: image dimensions are too large \(1440x960, over the pixel limit/,
    );
  });

  it('decodes one picture, the primary image, from a collection of several', async () => {
    const bytes = readFileSync(fixture('heic-collection.heic'));
    expect((await sharp(bytes).metadata()).pages).toBeGreaterThan(1);
    const { width, height } = decodeHeif(bytes, 'heic-collection.heic');
    expect({ width, height }).toEqual({ width: 1440, height: 960 });
  });

  it('reads capture time, camera and orientation from an iPhone HEIC with the EXIF reader', async () => {
    const m = await readPhotoMetadata(fixture('heic-iphone7.heic'));
    expect(m).toMatchObject({ cameraMake: 'Apple', cameraModel: 'iPhone 7', orientation: 1 });
    expect(m.capturedAt).not.toBeNull();
  });

  it.each([
    [1, 270],
    [3, 90],
  ] as const)(
    'turns a HEIC stored sideways upright, as its container says (irot %i quarter turns anticlockwise)',
    async (turns, clockwise) => {
      const original = readFileSync(fixture('heic-single.heic'));
      const upright = decodeHeif(original, 'heic-single.heic');
      const rotated = decodeHeif(rotateHeic(original, turns), 'IMG_0042.HEIC');
      expect({ width: rotated.width, height: rotated.height }).toEqual({ width: upright.height, height: upright.width });
      // The same pixels, turned: compare with the unrotated decode turned by sharp.
      const expected = await sharp(upright.rgba, { raw: { width: upright.width, height: upright.height, channels: 4 } })
        .rotate(clockwise)
        .raw()
        .toBuffer();
      let differing = 0;
      for (let i = 0; i < expected.length; i += 4 * 101) if (Math.abs(expected[i]! - rotated.rgba[i]!) > 2) differing += 1;
      expect(differing / (expected.length / (4 * 101))).toBeLessThan(0.01);
    },
  );

  it('refuses a HEIC cut inside its header with an error that names the file', () => {
    const bytes = readFileSync(fixture('heic-iphone7.heic')).subarray(0, 5000);
    expect(() => decodeHeif(bytes, 'IMG_0042.HEIC')).toThrow(HeifDecodeError);
    expect(() => decodeHeif(bytes, 'IMG_0042.HEIC')).toThrow(/^Cannot read IMG_0042\.HEIC: not a readable HEIC/);
  });

  it('refuses bytes that are not HEIF at all, and still decodes the next file', () => {
    expect(() => decodeHeif(Buffer.from('not a photo'), 'notes.heic')).toThrow(/Cannot read notes\.heic/);
    expect(decodeHeif(readFileSync(fixture('heic-single.heic')), 'heic-single.heic').width).toBe(1440);
  });

  it.each([
    ['heif: Error while loading plugin: Support for this compression format has not been built in: HEVC (11.6003)', true],
    ['Input file has corrupt header: heif: Invalid input: No ftyp box (2.102)', false],
    ['Input file contains unsupported image format', false],
  ])('recognises sharp missing an HEVC decoder in "%s": %s', (message, missing) => {
    expect(isMissingHeifCodec(message)).toBe(missing);
  });
});
