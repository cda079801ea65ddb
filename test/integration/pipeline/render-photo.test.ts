import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/config/index.js';
import { createPhotoWorkerPool, type PhotoTask } from '../../../src/pipeline/index.js';
import { renderPhoto } from '../../../src/pipeline/render-photo.js';
import { writeBadFiles } from '../../fixtures/bad-files.js';
import { makeCameraJpeg, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeCr3, makeTiffRaw } from '../../fixtures/raw-files.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let dir: string;
const media = defaultSettings().media;

function task(path: string, format: PhotoTask['format'], sha256: string): PhotoTask {
  return { photoId: 1, jobId: 1, path, format, sha256, dataDir: join(dir, 'data'), media, faces: null };
}

beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeDir(dir);
});

describe('processing one photo in a worker', () => {
  it('turns a 24 MP camera JPEG into a 2048 px JPEG preview, a 400 px WebP thumbnail and a perceptual hash', async () => {
    const path = join(dir, 'IMG_0001.JPG');
    await writeFile(path, await makeCameraJpeg(samplePhotoPaths()[0]!, { seed: 3 }));
    const result = await renderPhoto(task(path, 'jpeg', 'a'.repeat(64)), []);
    if (!result.ok) throw new Error(result.error);
    expect(result.photo).toMatchObject({ width: 6000, height: 4000 });
    expect(result.photo.phash).toMatch(/^[0-9a-f]{16}$/);
    const preview = await sharp(join(dir, 'data', result.photo.previewPath)).metadata();
    expect(preview).toMatchObject({ format: 'jpeg', width: 2048, height: 1365 });
    const thumb = await sharp(join(dir, 'data', result.photo.thumbnailPath)).metadata();
    expect(thumb).toMatchObject({ format: 'webp', width: 400, height: 267 });
    // Camera metadata an organiser sorts by, as the fixture's camera wrote it.
    expect(result.photo.cameraMake).toBe('Canon');
    expect(result.photo.cameraModel).toMatch(/EOS/);
    expect(result.photo.cameraSerial).toBeTruthy();
    expect(result.photo.lens).toBeTruthy();
    expect(new Date(result.photo.capturedAt!).getUTCFullYear()).toBe(2024);
  });

  it('stands a portrait photo upright using its EXIF orientation', async () => {
    const path = join(dir, 'portrait.jpg');
    // Stored landscape, tagged "rotate 90° clockwise to view", like a camera held upright.
    await writeFile(path, await sharp(samplePhotoPaths()[1]!).withMetadata({ orientation: 6 }).jpeg().toBuffer());
    const result = await renderPhoto(task(path, 'jpeg', 'b'.repeat(64)), []);
    if (!result.ok) throw new Error(result.error);
    expect(result.photo.height).toBeGreaterThan(result.photo.width);
    expect(result.photo.orientation).toBe(6);
    const preview = await sharp(join(dir, 'data', result.photo.previewPath)).metadata();
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
      expect(result.photo.width).toBe(1920);
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

  it('says plainly when a HEIC photo cannot be decoded by this build', async () => {
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
