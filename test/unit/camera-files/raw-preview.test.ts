import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { RawPreviewError, extractEmbeddedJpeg } from '../../../src/camera-files/index.js';
import { makeCr3, makeFlatJpeg, makeRaf, makeTiffRaw } from '../../fixtures/raw-files.js';

const SAMPLE = 'node_modules/@vladmandic/face-api/demo/sample3.jpg';
const PREVIEW_WIDTH = 800;

let preview: Buffer;
let previewHeight: number;

beforeAll(async () => {
  preview = await sharp(SAMPLE).resize(PREVIEW_WIDTH).jpeg({ quality: 85 }).toBuffer();
  previewHeight = (await sharp(preview).metadata()).height;
});

type Container = { name: string; build: (jpeg: Buffer) => Buffer };

const containers: Container[] = [
  { name: 'IMG_0001.CR2', build: (j) => makeTiffRaw(j, { byteOrder: 'II', variant: 'cr2' }) },
  { name: 'DSC_0001.NEF', build: (j) => makeTiffRaw(j, { byteOrder: 'MM', variant: 'nef' }) },
  { name: 'DSC_0002.NEF', build: (j) => makeTiffRaw(j, { byteOrder: 'II', variant: 'nef' }) },
  { name: 'DSC01234.ARW', build: (j) => makeTiffRaw(j, { byteOrder: 'II', variant: 'arw' }) },
  { name: 'L1000001.DNG', build: (j) => makeTiffRaw(j, { byteOrder: 'II', variant: 'dng' }) },
  { name: 'L1000002.DNG', build: (j) => makeTiffRaw(j, { byteOrder: 'MM', variant: 'dng' }) },
  { name: 'P1010001.ORF', build: (j) => makeTiffRaw(j, { byteOrder: 'II', variant: 'orf' }) },
  { name: 'P1010002.ORF', build: (j) => makeTiffRaw(j, { byteOrder: 'MM', variant: 'orf' }) },
  { name: 'IMG_0042.CR3', build: (j) => makeCr3(j) },
  { name: 'DSCF0001.RAF', build: (j) => makeRaf(j) },
];

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('extractEmbeddedJpeg', () => {
  describe.each(containers)('from $name', ({ name, build }) => {
    it('returns exactly the full-size preview, which sharp decodes at full size', async () => {
      const raw = build(preview);
      const extracted = extractEmbeddedJpeg(raw, name);
      expect(Buffer.compare(extracted, preview)).toBe(0);
      const { info } = await sharp(extracted, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([PREVIEW_WIDTH, previewHeight]);
    });

    it('returns a view into the file, not a copy', () => {
      const raw = build(preview);
      const extracted = extractEmbeddedJpeg(raw, name);
      expect(extracted.buffer).toBe(raw.buffer);
      expect(extracted.byteOffset - raw.byteOffset).toBe(raw.indexOf(preview));
    });

    it('throws a RawPreviewError naming the file when the preview is cut off', () => {
      const raw = build(preview);
      const cut = raw.subarray(0, raw.indexOf(preview) + (preview.length >> 1));
      const error = caught(() => extractEmbeddedJpeg(cut, `/Volumes/CARD/DCIM/${name}`));
      expect(error).toBeInstanceOf(RawPreviewError);
      expect(error).toMatchObject({
        fileName: name,
        failure: 'preview-cut-off',
        message: `Cannot read ${name}: its embedded JPEG preview is cut off (file is truncated or still being written)`,
      });
    });

    it('still finds the preview when only the sensor data after it is cut off', () => {
      const raw = build(preview);
      const extracted = extractEmbeddedJpeg(raw.subarray(0, raw.length - 1000), name);
      expect(Buffer.compare(extracted, preview)).toBe(0);
    });
  });

  it('accepts a plain Uint8Array and returns a Uint8Array view of it', () => {
    const raw = new Uint8Array(makeCr3(preview));
    const extracted = extractEmbeddedJpeg(raw, 'IMG_0042.CR3');
    expect(extracted.buffer).toBe(raw.buffer);
    expect(Buffer.compare(extracted, preview)).toBe(0);
  });

  it('says there is no preview when the file holds no JPEG at all', () => {
    const sensorOnly = makeTiffRaw(preview, { byteOrder: 'II', variant: 'cr2' });
    sensorOnly.fill(0, 0, sensorOnly.indexOf(preview) + preview.length);
    const error = caught(() => extractEmbeddedJpeg(sensorOnly, 'IMG_0042.CR3'));
    expect(error).toBeInstanceOf(RawPreviewError);
    expect(error).toMatchObject({
      failure: 'no-preview',
      message: 'Cannot read IMG_0042.CR3: no embedded JPEG preview (file may be truncated)',
    });
    expect(() => extractEmbeddedJpeg(Buffer.alloc(0), 'empty.nef')).toThrow(
      'Cannot read empty.nef: no embedded JPEG preview (file may be truncated)',
    );
  });

  it('picks the largest JPEG whatever order the file stores them in', () => {
    const small = makeFlatJpeg(160, 120);
    const medium = makeFlatJpeg(320, 240);
    const file = Buffer.concat([small, Buffer.alloc(10), preview, Buffer.alloc(10), medium]);
    expect(Buffer.compare(extractEmbeddedJpeg(file, 'x.raw'), preview)).toBe(0);
  });

  it('returns the preview whole, not the EXIF thumbnail nested in its APP1 segment', () => {
    const thumbnail = makeFlatJpeg(160, 120);
    const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), thumbnail]);
    const app1 = Buffer.alloc(4);
    app1.writeUInt16BE(0xffe1, 0);
    app1.writeUInt16BE(exif.length + 2, 2);
    const withThumbnail = Buffer.concat([preview.subarray(0, 2), app1, exif, preview.subarray(2)]);
    const file = Buffer.concat([Buffer.alloc(100), withThumbnail, Buffer.alloc(100)]);
    expect(Buffer.compare(extractEmbeddedJpeg(file, 'x.raw'), withThumbnail)).toBe(0);
  });

  it('follows a progressive preview through the tables between its scans', async () => {
    const progressive = await sharp(SAMPLE).resize(PREVIEW_WIDTH).jpeg({ progressive: true }).toBuffer();
    const raw = makeTiffRaw(progressive, { byteOrder: 'MM', variant: 'nef' });
    expect(Buffer.compare(extractEmbeddedJpeg(raw, 'DSC_0001.NEF'), progressive)).toBe(0);
  });

  it('ignores lossless JPEG sensor data even though it is bigger than the preview', () => {
    // CR2 and DNG store the sensor data as lossless JPEG (SOF3); sharp cannot decode it.
    const lossless = makeFlatJpeg(6000, 4000);
    lossless[lossless.indexOf(Buffer.from([0xff, 0xc0])) + 1] = 0xc3;
    const file = Buffer.concat([makeTiffRaw(preview, { byteOrder: 'II', variant: 'cr2' }), lossless]);
    expect(Buffer.compare(extractEmbeddedJpeg(file, 'IMG_0001.CR2'), preview)).toBe(0);
  });

  it('ignores stray FF D8 FF bytes in sensor data', () => {
    const raw = makeTiffRaw(preview, { byteOrder: 'II', variant: 'arw', sensorBytes: 64 * 1024 });
    const sensorStart = raw.indexOf(preview) + preview.length;
    for (let at = sensorStart + 100; at < raw.length - 64; at += 4096) {
      // SOI followed by an APP1 header and then sensor noise.
      Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x10]).copy(raw, at);
    }
    expect(Buffer.compare(extractEmbeddedJpeg(raw, 'DSC01234.ARW'), preview)).toBe(0);
  });

  it('handles a 40 MB file', () => {
    const raw = makeTiffRaw(preview, { byteOrder: 'II', variant: 'cr2', sensorBytes: 40 * 1024 * 1024 });
    expect(Buffer.compare(extractEmbeddedJpeg(raw, 'IMG_0001.CR2'), preview)).toBe(0);
  });
});
