// CLIP benchmark: images/s through the vision tower (with CLIP preprocessing from decoded
// pixels, as the pipeline runs it) and ms per text query (tokenise + text tower), fp32 and int8.
// Runs on the model given with --model DIR (fp32) and --model-int8 DIR, or, when none is given
// (CI, this machine: no CLIP weights ship in any npm package), on the tiny CLIP-shaped model the
// test fixtures generate — whose figures say nothing about ViT-B/32's speed, only that the path works.
// Run: npm run bench:clip [-- --model DIR --model-int8 DIR]. Results: test/bench/results/clip-<time>.json
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ClipEngine, preprocessForClip } from '../../src/vision/index.js';
import { samplePhotoPaths } from '../fixtures/camera-photos.js';
import { writeTinyClipModel } from '../fixtures/tiny-clip.js';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    'model-int8': { type: 'string' },
    images: { type: 'string', default: '48' },
    queries: { type: 'string', default: '50' },
  },
});
const IMAGES = Number(values.images);
const QUERIES = Number(values.queries);
const QUERY_TEXTS = ['cake cutting', 'group photo on stage', 'first dance', 'people laughing at the bar', 'a red dress', 'speeches'];

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * (xs.length - 1)))]!;

async function measure(dir: string, label: string) {
  const engine = await ClipEngine.open({
    visionPath: join(dir, 'vision_model.onnx'),
    textPath: join(dir, 'text_model.onnx'),
    tokenizerDir: dir,
    provider: 'auto',
    threads: 1,
  });
  const decoded = await Promise.all(
    samplePhotoPaths().map(async (p) => {
      const { data, info } = await sharp(p).resize(2048).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(data), width: info.width, height: info.height };
    }),
  );
  await engine.embedImages([await preprocessForClip(decoded[0]!)]);
  let t0 = performance.now();
  let preprocessMs = 0;
  for (let i = 0; i < IMAGES; i++) {
    const p0 = performance.now();
    const input = await preprocessForClip(decoded[i % decoded.length]!);
    preprocessMs += performance.now() - p0;
    await engine.embedImages([input]);
  }
  const imageSeconds = (performance.now() - t0) / 1000;
  await engine.embedTexts(['warm up']);
  const textMs: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    t0 = performance.now();
    await engine.embedTexts([QUERY_TEXTS[i % QUERY_TEXTS.length]!]);
    textMs.push(performance.now() - t0);
  }
  await engine.release();
  const result = {
    label,
    provider: engine.provider.active,
    imagesPerSecond: Math.round((IMAGES / imageSeconds) * 100) / 100,
    preprocessMsPerImage: Math.round((preprocessMs / IMAGES) * 100) / 100,
    textQueryMs: { p50: Math.round(percentile(textMs, 0.5) * 100) / 100, p95: Math.round(percentile(textMs, 0.95) * 100) / 100 },
  };
  process.stdout.write(
    `${label}: ${result.imagesPerSecond} images/s (preprocess ${result.preprocessMsPerImage} ms), text query p50 ${result.textQueryMs.p50} ms\n`,
  );
  return result;
}

let scratch: string | undefined;
let fp32 = values.model;
let int8 = values['model-int8'];
let model = 'installed CLIP model(s) given on the command line';
if (!fp32 && !int8) {
  scratch = mkdtempSync(join(tmpdir(), 'shutterfind-clip-bench-'));
  fp32 = join(scratch, 'fp32');
  int8 = join(scratch, 'int8');
  await writeTinyClipModel(fp32, { precision: 'fp32' });
  await writeTinyClipModel(int8, { precision: 'int8' });
  model = 'the tiny CLIP-shaped test model (no real CLIP weights on this machine)';
}
const runs = [];
if (fp32) runs.push(await measure(fp32, 'fp32'));
if (int8) runs.push(await measure(int8, 'int8'));
const report = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model },
  model,
  images: IMAGES,
  queries: QUERIES,
  runs,
};
mkdirSync(RESULTS, { recursive: true });
const out = join(RESULTS, `clip-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`written ${out}\n`);
if (scratch) rmSync(scratch, { recursive: true, force: true });
