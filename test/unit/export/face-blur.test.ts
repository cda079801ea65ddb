// A face blurred for "do not publish" (src/export/face-blur.ts), measured on a real photo of
// people: inside the face the fine detail (what eyes, mouth and hair edges are made of) is gone,
// outside the grown box the photo is the photo it was, and the file keeps its format and size.
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { blurFaces, type FaceBox } from '../../../src/export/index.js';
import { blurRegion, uprightBoxToStored, BLUR_MARGIN } from '../../../src/export/face-blur.js';
import { differenceOutside, faceDetail as detail } from '../../support/blur-measure.js';

const SAMPLE = fileURLToPath(new URL('../../../node_modules/@vladmandic/face-api/demo/sample1.jpg', import.meta.url));
/** The middle face of sample1.jpg (1920×1280) as the face detector boxes it. */
const FACE: FaceBox = { x: 837, y: 412, w: 190, h: 234 };

const scaled = (b: FaceBox, k: number): FaceBox => ({ x: b.x * k, y: b.y * k, w: b.w * k, h: b.h * k });

describe('blurFaces', () => {
  it('takes away nearly all the fine detail of the face it is given', async () => {
    const original = await sharp(SAMPLE).toBuffer();
    const blurred = await blurFaces(original, [FACE]);
    const before = await detail(original, FACE);
    const after = await detail(blurred, FACE);
    expect(before).toBeGreaterThan(5);
    expect(after).toBeLessThan(before * 0.1);
  });

  it('blurs the hair above the face and the jaw below it, not only the detector’s tight box', async () => {
    const original = await sharp(SAMPLE).toBuffer();
    const blurred = await blurFaces(original, [FACE]);
    const hair: FaceBox = { x: FACE.x, y: FACE.y - FACE.h * BLUR_MARGIN.above, w: FACE.w, h: FACE.h * BLUR_MARGIN.above };
    const jaw: FaceBox = { x: FACE.x, y: FACE.y + FACE.h, w: FACE.w, h: FACE.h * BLUR_MARGIN.below };
    expect(await detail(blurred, hair)).toBeLessThan((await detail(original, hair)) * 0.2);
    expect(await detail(blurred, jaw)).toBeLessThan((await detail(original, jaw)) * 0.2);
  });

  it('leaves a PNG’s pixels outside the grown box exactly as they were', async () => {
    const png = await sharp(SAMPLE).png().toBuffer();
    const blurred = await blurFaces(png, [FACE]);
    const region = blurRegion(FACE, 1, { width: 1920, height: 1280 })!;
    const diff = await differenceOutside(png, blurred, region);
    expect(diff.max).toBe(0);
  });

  it('changes a JPEG outside the grown box by no more than its re-encoding does', async () => {
    const jpeg = await sharp(SAMPLE).toBuffer();
    const blurred = await blurFaces(jpeg, [FACE]);
    const region = blurRegion(FACE, 1, { width: 1920, height: 1280 })!;
    const diff = await differenceOutside(jpeg, blurred, region);
    expect(diff.mean).toBeLessThan(1);
  });

  it('blurs a 60 px face as strongly as a 190 px one (strength follows the face size)', async () => {
    const k = 60 / FACE.w;
    const small = await sharp(SAMPLE)
      .resize(Math.round(1920 * k))
      .png()
      .toBuffer();
    const face = scaled(FACE, k);
    const before = await detail(small, face);
    const after = await detail(await blurFaces(small, [face]), face);
    expect(after).toBeLessThan(before * 0.1);
  });

  it('keeps the format and the size of what it is given', async () => {
    for (const format of ['jpeg', 'png', 'webp'] as const) {
      const input = await sharp(SAMPLE).resize(800).toFormat(format).toBuffer();
      const out = await sharp(await blurFaces(input, [scaled(FACE, 800 / 1920)])).metadata();
      expect({ format: out.format, width: out.width, height: out.height }).toEqual({ format, width: 800, height: 533 });
    }
  });

  it('finds the face in a photo stored sideways with an orientation tag, and keeps the tag', async () => {
    // Stored rotated a quarter turn anticlockwise, tagged 6 ("turn 90° clockwise to view").
    const sideways = await sharp(SAMPLE).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const blurred = await blurFaces(sideways, [FACE]);
    expect((await sharp(blurred).metadata()).orientation).toBe(6);
    const before = await detail(sideways, FACE, true);
    const after = await detail(blurred, FACE, true);
    expect(after).toBeLessThan(before * 0.1);
  });

  it('takes boxes measured on the original photo and blurs the same face in a smaller preview of it', async () => {
    const preview = await sharp(SAMPLE).resize(640).jpeg().toBuffer();
    const blurred = await blurFaces(preview, [FACE], { boxesOf: { width: 1920, height: 1280 } });
    const face = scaled(FACE, 640 / 1920);
    expect(await detail(blurred, face)).toBeLessThan((await detail(preview, face)) * 0.1);
    const region = blurRegion(face, 1, { width: 640, height: 427 })!;
    expect((await differenceOutside(preview, blurred, region)).mean).toBeLessThan(1);
  });

  it('returns the image unchanged when there is no face to blur', async () => {
    const jpeg = await sharp(SAMPLE).toBuffer();
    expect(await blurFaces(jpeg, [])).toBe(jpeg);
    expect(await blurFaces(jpeg, [{ x: 5000, y: 5000, w: 100, h: 100 }])).toBe(jpeg);
  });
});

describe('uprightBoxToStored', () => {
  const stored = { width: 400, height: 300 };
  const box: FaceBox = { x: 10, y: 20, w: 30, h: 40 };
  it.each([
    [1, { x: 10, y: 20, w: 30, h: 40 }],
    [2, { x: 360, y: 20, w: 30, h: 40 }],
    [3, { x: 360, y: 240, w: 30, h: 40 }],
    [4, { x: 10, y: 240, w: 30, h: 40 }],
    [5, { x: 20, y: 10, w: 40, h: 30 }],
    [6, { x: 20, y: 260, w: 40, h: 30 }],
    [7, { x: 340, y: 260, w: 40, h: 30 }],
    [8, { x: 340, y: 10, w: 40, h: 30 }],
  ])('maps an upright box to the stored pixels of orientation %i', (orientation, expected) => {
    expect(uprightBoxToStored(box, orientation, stored)).toEqual(expected);
  });
});
