// Real 128-d face descriptors for benchmarks: the app's own face engine (the float detector,
// face-api's SSD MobileNetV1 converted, one pass per photo as face-api runs it, then 68 landmarks
// and the ResNet descriptor, all on ONNX Runtime) over the six group photos shipped with
// @vladmandic/face-api and over augmented variants of them (scale, brightness, JPEG quality,
// small rotations, crops, mirror). Vector search behaves very differently on real descriptors
// (clustered by identity, anisotropic) than on uniform random vectors, so benchmarks must not
// use random vectors. These are the descriptors search runs over in the app; they agree with
// face-api's to cosine 0.999 (face-models.test.ts), and take under a third of the time face-api
// on tfjs-wasm took (measured on a 2-core AMD EPYC: 83 s against 226 s for the first photo's
// 151 versions, about 9 minutes in all). The result is cached in a flat .f32 file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceEngine } from '../../../src/vision/index.js';
import { gaussian, seededRandom } from '../../support/random-vectors.js';

export const EMBEDDING_DIMS = 128;

const FACE_API_ROOT = fileURLToPath(new URL('../../../node_modules/@vladmandic/face-api/', import.meta.url));
const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6].map((n) => join(FACE_API_ROOT, 'demo', `sample${n}.jpg`));

/** Descriptors stored row-major, `count` rows of EMBEDDING_DIMS floats, each L2-normalised. */
export interface EmbeddingCorpus {
  vectors: Float32Array;
  count: number;
  /** Which sample photo (0-5) each row came from; derived rows use the first parent's photo. */
  sourcePhoto: Uint8Array;
}

export interface RealCorpusOptions {
  /** Flat file of float32 rows plus a `.json` sidecar; rebuilt when missing or made with other settings. */
  cacheFile: string;
  /** Augmented variants per sample photo, on top of the original. */
  variantsPerPhoto?: number;
  seed?: number;
  log?: (line: string) => void;
}

// The six photos hold 3-5 detectable faces each (about 22 per round over all six, measured), so
// 150 variants per photo give about 3,300 descriptors: enough to hold out real queries and to
// seed the derived sets.
const DEFAULT_VARIANTS_PER_PHOTO = 150;
// Low enough to keep small and blurred faces of the downscaled variants; SSD's own false
// positives at this level are rare on these photos and would still be face-like crops.
const MIN_DETECTION_CONFIDENCE = 0.3;
const MAX_FACES_PER_PHOTO = 100;

// Deterministic PRNG so corpora and query sets repeat across runs (shared with the tests).
export { seededRandom };

function normaliseInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

interface Augmentation {
  scale: number;
  brightness: number;
  jpegQuality: number;
  rotateDeg: number;
  crop: number;
  mirror: boolean;
}

function randomAugmentation(random: () => number): Augmentation {
  return {
    scale: 0.5 + random() * 0.9,
    brightness: 0.6 + random() * 0.8,
    jpegQuality: 25 + Math.floor(random() * 70),
    rotateDeg: (random() - 0.5) * 16,
    crop: 0.75 + random() * 0.25,
    mirror: random() < 0.5,
  };
}

async function augmentedRgb(photo: Buffer, aug: Augmentation | null): Promise<{ data: Buffer; width: number; height: number }> {
  let input = photo;
  if (aug) {
    const meta = await sharp(photo).metadata();
    const w = meta.width ?? 0;
    const h = meta.height ?? 0;
    const cw = Math.max(64, Math.round(w * aug.crop));
    const ch = Math.max(64, Math.round(h * aug.crop));
    let img = sharp(photo)
      .extract({ left: Math.floor((w - cw) / 2), top: Math.floor((h - ch) / 2), width: cw, height: ch })
      .rotate(aug.rotateDeg, { background: '#808080' })
      .modulate({ brightness: aug.brightness })
      .resize({ width: Math.max(64, Math.round(cw * aug.scale)) });
    if (aug.mirror) img = img.flop();
    // Re-encode so the detector sees real JPEG block artefacts, as from a camera or a kiosk.
    input = await img.jpeg({ quality: aug.jpegQuality }).toBuffer();
  }
  const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The cache's maker: a cache made another way (face-api on tfjs-wasm, before) is made again. */
const CORPUS_SOURCE = 'onnx-float32-single-pass';

async function describeFaces(engine: FaceEngine, rgb: { data: Buffer; width: number; height: number }): Promise<Float32Array[]> {
  const image = { data: new Uint8Array(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength), width: rgb.width, height: rgb.height };
  // One detector pass over the whole photo, as face-api's detectAllFaces makes it.
  const faces = await engine.analyse(image, {
    minFacePx: 10_000,
    minScore: MIN_DETECTION_CONFIDENCE,
    tiling: 'adaptive',
    maxFaces: MAX_FACES_PER_PHOTO,
    originalScale: 1,
  });
  return faces.map((f) => f.embedding);
}

function readCache(cacheFile: string, variantsPerPhoto: number): EmbeddingCorpus | undefined {
  const sidecar = `${cacheFile}.json`;
  if (!existsSync(cacheFile) || !existsSync(sidecar)) return undefined;
  const bytes = readFileSync(cacheFile);
  const meta = JSON.parse(readFileSync(sidecar, 'utf8')) as {
    count: number;
    sourcePhoto: number[];
    variantsPerPhoto: number;
    source?: string;
  };
  if (meta.source !== CORPUS_SOURCE || meta.variantsPerPhoto !== variantsPerPhoto || bytes.byteLength !== meta.count * EMBEDDING_DIMS * 4)
    return undefined;
  const vectors = new Float32Array(meta.count * EMBEDDING_DIMS);
  new Uint8Array(vectors.buffer).set(bytes);
  return { vectors, count: meta.count, sourcePhoto: Uint8Array.from(meta.sourcePhoto) };
}

/** Real descriptors from the sample photos and their variants, computed once and cached. */
export async function loadRealFaceEmbeddings(options: RealCorpusOptions): Promise<EmbeddingCorpus> {
  const variants = options.variantsPerPhoto ?? DEFAULT_VARIANTS_PER_PHOTO;
  const cached = readCache(options.cacheFile, variants);
  if (cached) return cached;

  const log = options.log ?? (() => {});
  const engine = await FaceEngine.open({ provider: 'cpu', threads: 2, detectorPrecision: 'float32' });
  const random = seededRandom(options.seed ?? 42);
  const rows: Float32Array[] = [];
  const sources: number[] = [];
  const started = performance.now();
  for (const [photoIndex, path] of SAMPLE_PHOTOS.entries()) {
    const photo = readFileSync(path);
    for (let v = 0; v <= variants; v++) {
      const faces = await describeFaces(engine, await augmentedRgb(photo, v === 0 ? null : randomAugmentation(random)));
      for (const f of faces) {
        rows.push(f);
        sources.push(photoIndex);
      }
    }
    log(`  sample${photoIndex + 1}.jpg: ${rows.length} descriptors so far (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  await engine.release();
  const vectors = new Float32Array(rows.length * EMBEDDING_DIMS);
  rows.forEach((r, i) => vectors.set(r, i * EMBEDDING_DIMS));
  mkdirSync(dirname(options.cacheFile), { recursive: true });
  writeFileSync(options.cacheFile, new Uint8Array(vectors.buffer));
  writeFileSync(
    `${options.cacheFile}.json`,
    JSON.stringify({ count: rows.length, variantsPerPhoto: variants, source: CORPUS_SOURCE, sourcePhoto: sources }),
  );
  return { vectors, count: rows.length, sourcePhoto: Uint8Array.from(sources) };
}

/**
 * Mean of a corpus's rows: the repository subtracts it before binary quantisation, since face
 * descriptors share a large common component that would otherwise fix many sign bits.
 */
export function descriptorCentre(corpus: EmbeddingCorpus): Float32Array {
  const centre = new Float32Array(EMBEDDING_DIMS);
  for (let i = 0; i < corpus.count; i++)
    for (let d = 0; d < EMBEDDING_DIMS; d++) centre[d]! += corpus.vectors[i * EMBEDDING_DIMS + d]! / corpus.count;
  return centre;
}

export function embeddingAt(corpus: EmbeddingCorpus, index: number): Float32Array {
  return corpus.vectors.subarray(index * EMBEDDING_DIMS, (index + 1) * EMBEDDING_DIMS);
}

/** Splits a corpus into two by row index (e.g. stored faces and held-out selfie queries). */
export function splitCorpus(
  corpus: EmbeddingCorpus,
  isHeldOut: (index: number) => boolean,
): { kept: EmbeddingCorpus; heldOut: EmbeddingCorpus } {
  const kept: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < corpus.count; i++) (isHeldOut(i) ? held : kept).push(i);
  const pick = (idx: number[]): EmbeddingCorpus => {
    const vectors = new Float32Array(idx.length * EMBEDDING_DIMS);
    idx.forEach((src, dst) => vectors.set(embeddingAt(corpus, src), dst * EMBEDDING_DIMS));
    return { vectors, count: idx.length, sourcePhoto: Uint8Array.from(idx, (i) => corpus.sourcePhoto[i]!) };
  };
  return { kept: pick(kept), heldOut: pick(held) };
}

export interface DerivedOptions {
  seed?: number;
  /** Per-dimension Gaussian noise before re-normalising; descriptors have per-dim spread ~0.09. */
  noise?: number;
}

/**
 * Vectors derived from real ones, for stored-face counts a few thousand real descriptors cannot
 * reach: each is a random convex mixture of two real descriptors (weight uniform in [0, 1]) plus
 * small Gaussian noise, re-normalised. Why this and not random vectors: a mixture stays inside
 * the cone real descriptors occupy, so the set keeps their anisotropy and the dense
 * neighbourhoods a binary quantiser struggles with (many near-ties around each query), which
 * is the hard case for recall; uniform random 128-d vectors are all nearly orthogonal and make
 * any index look perfect. The noise keeps derived rows from being exact duplicates.
 * Written into `into` (count rows) so a 1M set needs no second 512 MB copy.
 */
export function deriveFaceEmbeddings(
  real: EmbeddingCorpus,
  count: number,
  options: DerivedOptions = {},
  into = new Float32Array(count * EMBEDDING_DIMS),
): Float32Array {
  const random = seededRandom(options.seed ?? 7);
  const noise = options.noise ?? 0.02;
  const row = new Float32Array(EMBEDDING_DIMS);
  for (let n = 0; n < count; n++) {
    const a = embeddingAt(real, Math.floor(random() * real.count));
    const b = embeddingAt(real, Math.floor(random() * real.count));
    const w = random();
    for (let d = 0; d < EMBEDDING_DIMS; d++) row[d] = w * a[d]! + (1 - w) * b[d]! + noise * gaussian(random);
    into.set(normaliseInPlace(row), n * EMBEDDING_DIMS);
  }
  return into;
}

export const DEFAULT_CORPUS_CACHE = fileURLToPath(new URL('../.cache/face-embeddings.f32', import.meta.url));
