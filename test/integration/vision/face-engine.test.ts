// The face engine on real photos: faces found per sample photo, small faces in a large group
// shot found by tiling and embedded from the original's pixels, and the provider fallback.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseImage } from '../../../src/photo/index.js';
import { FaceEngine, DEFAULT_DETECT_OPTIONS } from '../../../src/vision/index.js';
import { faceApiWeightsDir } from '../../../src/vision/face-model-files.js';
import { iou } from '../../../src/vision/face-geometry.js';
import { cosineDistance } from '../../../src/vision/index.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';
import { makeSmallFaceCrowd } from '../../fixtures/camera-photos.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const SAMPLES = join(faceApiWeightsDir(), '..', 'demo');
const sample = (n: number) => join(SAMPLES, `sample${n}.jpg`);
/** Faces in each sample photo, counted by eye once (2026-11-23) on the annotated detections. */
const FACES_BY_EYE = [3, 3, 3, 4, 5, 4];

let engine: FaceEngine;
let dir: string;

beforeAll(async () => {
  engine = await FaceEngine.open({ provider: 'auto', threads: 2 });
  dir = await makeTempDir('shutterfind-faces-');
});

afterAll(async () => {
  await engine?.release();
  await removeDir(dir);
});

describe('face engine on the sample photos', () => {
  it('finds every face counted by eye, and nothing else, in each of the six photos', async () => {
    const counts = [];
    for (let n = 1; n <= 6; n++) counts.push((await analyseImage(engine, sample(n))).faces.length);
    expect(counts).toEqual(FACES_BY_EYE);
  });

  it('gives each face a box, 68 landmarks inside it, a score, quality parts and a unit-length embedding', async () => {
    const { faces, width, height } = await analyseImage(engine, sample(5));
    for (const f of faces) {
      expect(f.box.x).toBeGreaterThanOrEqual(0);
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(width);
      expect(f.box.y + f.box.height).toBeLessThanOrEqual(height);
      expect(f.landmarks).toHaveLength(68);
      const inside = f.landmarks.filter((p) => p.x >= f.box.x - 0.3 * f.box.width && p.x <= f.box.x + 1.3 * f.box.width);
      expect(inside).toHaveLength(68);
      expect(f.score).toBeGreaterThan(0.5);
      expect(f.quality.sizePx).toBeCloseTo(Math.max(f.box.width, f.box.height), 0);
      expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 5);
      expect(f.embedding).toHaveLength(128);
    }
  });

  it("finds the same faces from the render's 512 px overview as when it resizes the photo itself", async () => {
    for (const n of [2, 5]) {
      const { data, info } = await sharp(sample(n)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const image = { data: new Uint8Array(data), width: info.width, height: info.height };
      const small = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
        .resize({ width: 512, height: 512, fit: 'inside' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const overview = { data: new Uint8Array(small.data), width: small.info.width, height: small.info.height };
      const own = await engine.detect(image, DEFAULT_DETECT_OPTIONS);
      expect(own.length).toBe(FACES_BY_EYE[n - 1]);
      expect(await engine.detect(image, { ...DEFAULT_DETECT_OPTIONS, overview })).toEqual(own);
    }
  });

  it("boxes a face filling a close-up as face-api does, whatever the photo's aspect", async () => {
    // The whole-photo pass is cut to the photo's aspect; faces this large need face-api's padded
    // square (see Anchors.paddingSensitiveFrom), or their boxes shift by a quarter of a face.
    let closeUps = 0;
    for (const n of [3, 5]) {
      const { data, info } = await sharp(sample(n)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const photo = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
      for (const face of await engine.detect({ data: new Uint8Array(data), width: info.width, height: info.height })) {
        for (const [across, down] of [
          [1.5, 1],
          [1, 1.5],
        ] as const) {
          // The face fills three quarters of the crop's short side, as in a headshot.
          const side = face.height / 0.75;
          const [width, height] = [Math.round(side * across), Math.round(side * down)];
          const left = Math.round(face.x + face.width / 2 - width / 2);
          const top = Math.round(face.y + face.height / 2 - height / 2);
          if (left < 0 || top < 0 || left + width > info.width || top + height > info.height) continue;
          const crop = await photo
            .clone()
            .extract({ left, top, width, height })
            .resize({ width: 512, height: 512, fit: 'inside' })
            .raw()
            .toBuffer({ resolveWithObject: true });
          const squared = await sharp(crop.data, { raw: { width: crop.info.width, height: crop.info.height, channels: 3 } })
            .extend({ right: 512 - crop.info.width, bottom: 512 - crop.info.height, background: '#000' })
            .raw()
            .toBuffer();
          const own = await engine.detect({ data: new Uint8Array(crop.data), width: crop.info.width, height: crop.info.height });
          const faceApis = await engine.detect({ data: new Uint8Array(squared), width: 512, height: 512 });
          expect(own).toHaveLength(faceApis.length);
          for (const box of faceApis) expect(Math.max(...own.map((b) => iou(b, box)))).toBeGreaterThan(0.98);
          closeUps++;
        }
      }
    }
    expect(closeUps).toBeGreaterThanOrEqual(6);
  });

  it('runs on the CPU here, saying why the GPU provider was not used', () => {
    // CI and this machine have no CUDA libraries; a developer's CUDA laptop gets the GPU.
    const expected =
      engine.provider.active === 'cuda'
        ? { active: 'cuda' }
        : { active: 'cpu', fallbackReason: expect.stringMatching(/^cuda unavailable: /) };
    expect(engine.provider).toEqual(process.platform === 'linux' ? expected : engine.provider);
  });
});

describe('event-grade detection: small faces in a 24 MP group shot', () => {
  let groupShot: string;
  const CELL = 900;

  beforeAll(async () => {
    // Six real photos spread over a 6000 x 4000 canvas: faces ~90 px wide in the original,
    // ~30 px in the 2048 px analysis image, ~8 px in one detector pass over all of it.
    const tiles = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (n, i) => ({
        input: await sharp(sample(n)).resize(CELL, 600, { fit: 'cover' }).toBuffer(),
        left: 600 + (i % 3) * 1600,
        top: 700 + Math.floor(i / 3) * 1800,
      })),
    );
    groupShot = join(dir, 'group.jpg');
    await writeFile(
      groupShot,
      await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#556' } })
        .composite(tiles)
        .jpeg({ quality: 92 })
        .toBuffer(),
    );
  });

  it('a single pass over the analysis image misses them; tiling finds them all', async () => {
    const single = await analyseImage(engine, groupShot, { ...DEFAULT_DETECT_OPTIONS, minFacePx: 400 });
    const tiled = await analyseImage(engine, groupShot);
    // 21 of the 22: at 30 px the woman looking down in sample 2 is too hard for SSD MobileNetV1.
    // One pass finds 5 with the float detector and 4 with the int8 one (this machine's default).
    expect(single.faces.length).toBeLessThanOrEqual(5);
    expect(tiled.faces.length).toBe(FACES_BY_EYE.reduce((a, b) => a + b, 0) - 1);
  });

  it("embeds small faces from the original's pixels, so they match the same faces seen large", async () => {
    const threshold = loadMatchThreshold().searchThreshold;
    const { faces } = await analyseImage(engine, groupShot);
    const large = (await analyseImage(engine, sample(5))).faces;
    // Each face of sample 5, seen large, has its small twin in the group shot within the threshold.
    const distances = large.map((f) => Math.min(...faces.map((g) => cosineDistance(f.embedding, g.embedding))));
    for (const d of distances) expect(d).toBeLessThanOrEqual(threshold);
  });
});

describe('event-grade detection: faces about 45 px wide in a 24 MP original', () => {
  it('finds most of them from the 2048 px analysis image (about 15 px there)', async () => {
    // Six real photos scaled to 450 px wide on a 6000 x 4000 canvas: their faces are ~45 px in
    // the original. Measured: 20 of the 22; the two misses are the profile and the woman
    // looking down in sample 2, which SSD MobileNetV1 already finds least surely at full size.
    const crowd = join(dir, 'crowd.jpg');
    await writeFile(crowd, await makeSmallFaceCrowd());
    const { faces } = await analyseImage(engine, crowd);
    expect(faces.length).toBeGreaterThanOrEqual(19);
    expect(faces.length).toBeLessThanOrEqual(22);
    for (const f of faces) expect(f.box.width).toBeLessThan(70);
  });
});
