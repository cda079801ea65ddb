import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/config/index.js';
import { createPhotoWorkerPool } from '../../../src/pipeline/index.js';
import { type PhotoTask } from '../../../src/photo/index.js';
import { fitInside, judgeJpegWarning, namesAJpegWarning, renderPhoto } from '../../../src/photo/render-photo.js';
import { writeBadFiles } from '../../fixtures/bad-files.js';
import { makeCameraJpeg, makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeCr3, makeTiffRaw } from '../../fixtures/raw-files.js';
import { rotateHeic } from '../../fixtures/rotated-heic.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let dir: string;
const media = defaultSettings().media;

function task(path: string, format: PhotoTask['format'], sha256: string): PhotoTask {
  return { photoId: 1, jobId: 1, path, format, sha256, dataDir: join(dir, 'data'), media, previews: true, faces: null };
}

beforeAll(async () => {
  dir = await makeTempDir();
});

/** The JPEG with `length` bytes of its entropy-coded scan data, from `offset` after the SOS segment, set to `fill`. */
function overwriteScan(jpeg: Buffer, offset: number, length: number, fill: number): Buffer {
  const damaged = Buffer.from(jpeg);
  // Walk the segments: a camera JPEG's EXIF thumbnail has SOS bytes of its own.
  let at = 2;
  while (at + 4 <= damaged.length && !(damaged[at] === 0xff && damaged[at + 1] === 0xda)) at += 2 + damaged.readUInt16BE(at + 2);
  if (at + 4 > damaged.length) throw new Error('overwriteScan: the JPEG has no SOS marker');
  const scanStart = at + 2 + damaged.readUInt16BE(at + 2);
  // Never over the end marker: the file must still look complete to ingest.
  const end = Math.min(scanStart + offset + length, damaged.length - 2);
  if (scanStart + offset >= end) throw new Error('overwriteScan: the JPEG is smaller than the run to overwrite');
  damaged.fill(fill, scanStart + offset, end);
  return damaged;
}
afterAll(async () => {
  await removeDir(dir);
});

describe('processing one photo in a worker', () => {
  it('turns a 24 MP camera JPEG into a 2048 px JPEG preview, a 400 px WebP thumbnail and a perceptual hash', async () => {
    const path = join(dir, 'IMG_0001.JPG');
    await writeFile(path, await makeCameraJpeg(samplePhotoPaths()[0]!, { seed: 3 }));
    const result = await renderPhoto(task(path, 'jpeg', 'a'.repeat(64)), []);
    if (!result.ok) throw new Error(result.error);
    expect(result.photo.rendered).toMatchObject({ width: 6000, height: 4000 });
    expect(result.photo.rendered!.phash).toMatch(/^[0-9a-f]{16}$/);
    const preview = await sharp(join(dir, 'data', result.photo.rendered!.previewPath)).metadata();
    expect(preview).toMatchObject({ format: 'jpeg', width: 2048, height: 1365 });
    const thumb = await sharp(join(dir, 'data', result.photo.rendered!.thumbnailPath)).metadata();
    expect(thumb).toMatchObject({ format: 'webp', width: 400, height: 267 });
    // Camera metadata an organiser sorts by, as the fixture's camera wrote it.
    expect(result.photo.rendered!.cameraMake).toBe('Canon');
    expect(result.photo.rendered!.cameraModel).toMatch(/EOS/);
    expect(result.photo.rendered!.cameraSerial).toBeTruthy();
    expect(result.photo.rendered!.lens).toBeTruthy();
    expect(new Date(result.photo.rendered!.capturedAt!).getUTCFullYear()).toBe(2024);
  });

  it('stands a portrait photo upright using its EXIF orientation', async () => {
    const path = join(dir, 'portrait.jpg');
    // Stored landscape, tagged "rotate 90° clockwise to view", like a camera held upright.
    await writeFile(path, await sharp(samplePhotoPaths()[1]!).withMetadata({ orientation: 6 }).jpeg().toBuffer());
    const result = await renderPhoto(task(path, 'jpeg', 'b'.repeat(64)), []);
    if (!result.ok) throw new Error(result.error);
    expect(result.photo.rendered!.height).toBeGreaterThan(result.photo.rendered!.width);
    expect(result.photo.rendered!.orientation).toBe(6);
    const preview = await sharp(join(dir, 'data', result.photo.rendered!.previewPath)).metadata();
    expect(preview.height).toBeGreaterThan(preview.width);
  });

  it('renders a RAW file from its embedded full-size JPEG preview', async () => {
    const jpeg = await sharp(samplePhotoPaths()[2]!).jpeg({ quality: 90 }).toBuffer();
    for (const [name, bytes, format] of [
      ['IMG_0001.CR2', makeTiffRaw(jpeg, { byteOrder: 'II', variant: 'cr2' }), 'raw-tiff'],
      ['DSC_0001.NEF', makeTiffRaw(jpeg, { byteOrder: 'MM', variant: 'nef' }), 'raw-tiff'],
      ['IMG_0001.CR3', makeCr3(jpeg), 'cr3'],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const result = await renderPhoto(task(path, format, `${name}`.padEnd(64, 'c')), []);
      if (!result.ok) throw new Error(result.error);
      expect(result.photo.rendered!.width).toBe(1920);
    }
  });

  it('fails bad files permanently with a reason a photographer understands', async () => {
    const badDir = join(dir, 'bad');
    const good = await sharp(samplePhotoPaths()[0]!).jpeg().toBuffer();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(badDir);
    const bad = await writeBadFiles(badDir, good);
    for (const f of bad.filter((b) => ['corrupt', 'decompression-bomb'].includes(b.kind))) {
      const format = f.name.endsWith('.png') ? 'png' : 'jpeg';
      const result = await renderPhoto(task(join(badDir, f.name), format, f.name.padEnd(64, 'd')), []);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.failure).toBe('permanent');
      expect(result.error).toContain(f.name);
      expect(result.error).toMatch(f.expectError);
    }
  });

  it('reports a JPEG whose scan data was overwritten after the SOS marker as damaged, not as a grey photo', async () => {
    const good = await makeSmallPhoto(samplePhotoPaths()[3]!, 1600, 7);
    const cases = [
      // Erased flash reads back as 0xFF: from just after the scan starts to the end, a flat grey picture.
      ['IMG_ERASED.JPG', overwriteScan(good, 1_000, Number.MAX_SAFE_INTEGER, 0xff)],
      // A run of erased bytes in the middle of the scan: the rest of the picture grey.
      ['IMG_HOLE.JPG', overwriteScan(good, 40_000, 20_000, 0xff)],
      // A block of another file's bytes written over the scan.
      ['IMG_OVERWRITTEN.JPG', overwriteScan(good, 200, 64 * 1024, 0x55)],
    ] as const;
    for (const [name, bytes] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const result = await renderPhoto(task(path, 'jpeg', name.padEnd(64, 'g')), []);
      expect(result, name).toMatchObject({ ok: false, failure: 'permanent' });
      expect(!result.ok && result.error, name).toMatch(
        new RegExp(`Cannot read ${name}: the image data is damaged \\(Corrupt JPEG data: .+\\).*copy it from the card again`),
      );
    }
  });

  it('reports damaged JPEGs as damaged when several worker threads decode them at once', async () => {
    // libvips keeps one error buffer per process: a thread may read "Warning treated as error due
    // to failOn setting" without libjpeg's warning, which said nothing damaged, and the photo went
    // on as a grey picture (about 7% of concurrent damaged decodes in a four-thread trial).
    const good = await makeSmallPhoto(samplePhotoPaths()[3]!, 1600, 7);
    const bytes = overwriteScan(good, 40_000, 20_000, 0xff);
    const pool = createPhotoWorkerPool(4);
    try {
      const tasks = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          const path = join(dir, `IMG_HOLE_${i}.JPG`);
          await writeFile(path, bytes);
          return task(path, 'jpeg', `${i}hole`.padEnd(64, 'd'));
        }),
      );
      const results = await Promise.all(tasks.map((t) => pool.process(t)));
      expect(results.filter((r) => r.ok || !/the image data is damaged \(Corrupt JPEG data: /.test(r.error))).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('still renders JPEGs from ordinary encoders: baseline, progressive, 4:4:4, mozjpeg, padding before the end marker', async () => {
    const good = await makeSmallPhoto(samplePhotoPaths()[4]!, 1600, 8);
    const eoi = Buffer.from([0xff, 0xd9]);
    const cases = [
      ['baseline.jpg', good],
      ['progressive.jpg', await sharp(good).jpeg({ progressive: true }).toBuffer()],
      ['444.jpg', await sharp(good).jpeg({ chromaSubsampling: '4:4:4', quality: 98 }).toBuffer()],
      ['mozjpeg.jpg', await sharp(good).jpeg({ mozjpeg: true }).toBuffer()],
      // Some firmware pads the file to a block boundary before the end marker.
      ['padded.jpg', Buffer.concat([good.subarray(0, good.length - 2), Buffer.alloc(500, 0x00), eoi])],
    ] as const;
    for (const [name, bytes] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      const result = await renderPhoto(task(path, 'jpeg', name.padEnd(64, 'k')), []);
      expect(result.ok ? 'ok' : result.error, name).toBe('ok');
    }
  });

  it.each<[string, boolean]>([
    ['VipsJpeg: Corrupt JPEG data: premature end of data segment', true],
    ['VipsJpeg: Corrupt JPEG data: bad Huffman code', true],
    ['VipsJpeg: Corrupt JPEG data: found marker 0xd9 instead of RST3', true],
    ['VipsJpeg: Premature end of JPEG file', true],
    ['VipsJpeg: Corrupt JPEG data: 158038 extraneous bytes before marker 0xd9', true],
    ['VipsJpeg: Corrupt JPEG data: 3 extraneous bytes before marker 0xd9', false],
    ['VipsJpeg: Invalid SOS parameters for sequential JPEG', false],
    ['VipsJpeg: Warning: unknown JFIF revision number 1.09', false],
  ])('judges the decoder warning "%s" as damage: %s', (message, damaged) => {
    expect(judgeJpegWarning(message).damaged).toBe(damaged);
  });

  it.each<[string, boolean]>([
    ['VipsJpeg: Corrupt JPEG data: premature end of data segment', true],
    ['Warning treated as error due to failOn setting\nVipsJpeg: Premature end of JPEG file', true],
    ['VipsJpeg: Warning: unknown JFIF revision number 1.09', true],
    ['Warning treated as error due to failOn setting', false],
    ['Warning treated as error due to failOn setting\nerror in tile 0 x 664', false],
    ['Unknown error', false],
  ])('tells whether "%s" carries libjpeg\'s warning (else it is read again): %s', (message, names) => {
    expect(namesAJpegWarning(message)).toBe(names);
  });

  it.each([
    ['heic-single.heic', 1440, 960, false],
    ['heic-iphone7.heic', 4032, 3024, true],
    ['heic-collection.heic', 1440, 960, false],
  ])(
    'renders the real HEIC %s (HEVC, decoded by libheif-js) to a preview and a thumbnail, upright',
    async (name, width, height, hasExif) => {
      const path = fileURLToPath(new URL(`../../fixtures/camera-files/${name}`, import.meta.url));
      const result = await renderPhoto(task(path, 'heic', name.padEnd(64, 'h')), []);
      if (!result.ok) throw new Error(result.error);
      const rendered = result.photo.rendered!;
      // None of these files declares a turn (no irot, EXIF Orientation 1 or none): landscape stays landscape.
      expect(rendered).toMatchObject({ width, height });
      const preview = await sharp(join(dir, 'data', rendered.previewPath)).metadata();
      expect(preview).toMatchObject({ format: 'jpeg', ...fitInside(width, height, Math.min(media.previewLongSide, width)) });
      const thumb = await sharp(join(dir, 'data', rendered.thumbnailPath)).metadata();
      expect(thumb).toMatchObject({ format: 'webp', ...fitInside(width, height, media.thumbnailLongSide) });
      const stats = await sharp(join(dir, 'data', rendered.previewPath)).stats();
      expect(stats.channels[0]!.stdev).toBeGreaterThan(10);
      if (hasExif) {
        expect(rendered).toMatchObject({ cameraMake: 'Apple', cameraModel: 'iPhone 7', orientation: 1 });
        expect(new Date(rendered.capturedAt!).getFullYear()).toBe(2019);
      }
    },
  );

  it('refuses a camera JPEG whose scan data was zeroed on the card, which libjpeg decodes with no warning', async () => {
    const good = await makeSmallPhoto(samplePhotoPaths()[2]!, 1600, 5);
    const zeroed = Buffer.from(good);
    zeroed.fill(0x00, Math.floor(good.length * 0.45), good.length - 2);
    const path = join(dir, 'IMG_ZERO.JPG');
    await writeFile(path, zeroed);
    const result = await renderPhoto(task(path, 'jpeg', 'z'.repeat(64)), []);
    expect(result).toMatchObject({ ok: false, failure: 'permanent' });
    expect(!result.ok && result.error).toMatch(
      /^Cannot read IMG_ZERO\.JPG: the image data is damaged: \d+ KB of it are zeros, a stretch lost on the card/,
    );
    // The same photo whole renders.
    await writeFile(path, good);
    expect((await renderPhoto(task(path, 'jpeg', 'y'.repeat(64)), [])).ok).toBe(true);
  });

  it('renders a HEIC stored sideways (a portrait shot, irot in its container) as a portrait preview', async () => {
    const original = await readFile(fileURLToPath(new URL('../../fixtures/camera-files/heic-single.heic', import.meta.url)));
    const path = join(dir, 'IMG_PORTRAIT.HEIC');
    await writeFile(path, rotateHeic(original, 3));
    const result = await renderPhoto(task(path, 'heic', 'r'.repeat(64)), []);
    if (!result.ok) throw new Error(result.error);
    expect(result.photo.rendered).toMatchObject({ width: 960, height: 1440 });
    const preview = await sharp(join(dir, 'data', result.photo.rendered!.previewPath)).metadata();
    expect(preview.height!).toBeGreaterThan(preview.width!);
  });

  it('says plainly when a HEIC file holds no image that can be decoded', async () => {
    // A structurally complete HEIF container (ftyp 'heic' + meta + mdat) with no decodable image.
    const box = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(8 + body.length, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, body]);
    };
    const ftyp = box('ftyp', Buffer.from('heic\0\0\0\0mif1heic', 'latin1'));
    const path = join(dir, 'IMG_4242.HEIC');
    await writeFile(path, Buffer.concat([ftyp, box('meta', Buffer.alloc(64)), box('mdat', Buffer.alloc(2048, 7))]));
    const result = await renderPhoto(task(path, 'heic', 'h'.repeat(64)), []);
    expect(result).toMatchObject({ ok: false, failure: 'permanent' });
    expect(!result.ok && result.error).toMatch(/IMG_4242\.HEIC: .*HEIC/);
  });

  it('reports a photo that vanished after it landed as gone, not as corrupt', async () => {
    const result = await renderPhoto(task(join(dir, 'not-there.jpg'), 'jpeg', 'e'.repeat(64)), []);
    expect(result).toMatchObject({ ok: false, failure: 'permanent' });
    expect(!result.ok && result.error).toMatch(/gone/);
  });

  it('renders HEICs decoded side by side on several worker threads, whatever message libvips gives each', async () => {
    // libvips keeps one error buffer per process: while several threads fail to decode HEVC at once
    // (no HEVC decoder in sharp's libvips), one reads "Unknown error" or another file's message.
    // Each of these must still go to libheif-js and render (one failed in CI).
    const pool = createPhotoWorkerPool(4);
    try {
      const names = ['heic-single.heic', 'heic-collection.heic'];
      const tasks = Array.from({ length: 8 }, (_, i) => {
        const name = names[i % 2]!;
        return task(fileURLToPath(new URL(`../../fixtures/camera-files/${name}`, import.meta.url)), 'heic', `${i}${name}`.padEnd(64, 'c'));
      });
      const results = await Promise.all(tasks.map((t) => pool.process(t)));
      expect(results.flatMap((r) => (r.ok ? [] : [r.error]))).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('runs the same work on the worker pool threads', async () => {
    const pool = createPhotoWorkerPool(2);
    try {
      const paths = samplePhotoPaths();
      const results = await Promise.all(paths.map((p, i) => pool.process(task(p, 'jpeg', String(i).padEnd(64, 'f')))));
      expect(results.filter((r) => !r.ok)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
