// Face embeddings for the kiosk benchmark's large events, made the way the app makes them: the
// project's ONNX face engine run on augmented crops of the real faces in face-api's six sample
// photos. Each "round" copies one sample photo: every face in it is re-cut from a changed
// version of its region (resolution, light, colour, blur, JPEG artefacts), located again by the
// landmark net from a jittered box, aligned with a small extra tilt, and embedded. No random or
// mixed vectors. Cached in a flat .f32 file (the first build of 100k faces takes minutes).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FaceEngine, loadMatchThreshold } from '../../../src/vision/index.js';
import { analyseImage } from '../../../src/photo/index.js';
import { eyeCentres, type PlacedImage } from '../../../src/vision/face-alignment.js';
import { seededRandom } from '../../support/random-vectors.js';

export const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6].map((n) =>
  fileURLToPath(new URL(`../../../node_modules/@vladmandic/face-api/demo/sample${n}.jpg`, import.meta.url)),
);
const DIMS = 128;

export interface SampleFace {
  photo: number;
  /** [x, y, w, h] in the sample photo's pixels. */
  box: [number, number, number, number];
}

export interface KioskFaceCorpus {
  faces: SampleFace[];
  /** One entry per round: which sample photo it copies; its faces are rows `firstRow..firstRow+n`. */
  rounds: { photo: number; firstRow: number }[];
  /** Row-major, L2-normalised. */
  vectors: Float32Array;
  /** Which SampleFace each row is a variant of. */
  faceOfRow: Uint16Array;
  count: number;
  /** What made the embeddings when not this file's builder (embed_augmented_crops.py on a many-core machine). */
  generator?: string | undefined;
}

interface Region {
  face: number;
  data: Buffer;
  width: number;
  height: number;
  /** Region origin in sample-photo pixels. */
  x: number;
  y: number;
  box: [number, number, number, number];
}

const BATCH = 32;

async function regionsOf(engine: FaceEngine): Promise<{ faces: SampleFace[]; regions: Region[] }> {
  const faces: SampleFace[] = [];
  const regions: Region[] = [];
  for (const [photo, path] of SAMPLE_PHOTOS.entries()) {
    const analysed = await analyseImage(engine, path);
    const meta = await sharp(path).metadata();
    for (const f of analysed.faces) {
      const box: [number, number, number, number] = [f.box.x, f.box.y, f.box.width, f.box.height];
      faces.push({ photo, box });
      // Three face widths around the face: room for the box jitter and the alignment's padding.
      const side = Math.max(f.box.width, f.box.height) * 3;
      const x = Math.max(0, Math.round(f.box.x + f.box.width / 2 - side / 2));
      const y = Math.max(0, Math.round(f.box.y + f.box.height / 2 - side / 2));
      const width = Math.min(meta.width! - x, Math.round(side));
      const height = Math.min(meta.height! - y, Math.round(side));
      const { data } = await sharp(path)
        .extract({ left: x, top: y, width, height })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      regions.push({ face: faces.length - 1, data, width, height, x, y, box });
    }
  }
  return { faces, regions };
}

/** A changed copy of a face region, placed so sample-photo coordinates still address it. */
async function augmented(region: Region, random: () => number): Promise<PlacedImage> {
  const scale = 0.35 + random() * 0.75;
  const w = Math.max(24, Math.round(region.width * scale));
  const h = Math.max(24, Math.round(region.height * scale));
  let img = sharp(region.data, { raw: { width: region.width, height: region.height, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .modulate({ brightness: 0.6 + random() * 0.8, saturation: 0.6 + random() * 0.7 })
    .linear(0.8 + random() * 0.4, (random() - 0.5) * 30);
  if (random() < 0.3) img = img.blur(0.3 + random() * 1.2);
  const jpeg = await img.jpeg({ quality: 30 + Math.floor(random() * 65) }).toBuffer();
  const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const sx = w / region.width;
  const sy = h / region.height;
  // warpAligned maps analysis (x, y) to pixel (x*scale - offsetX): one scale, so use the mean.
  const s = (sx + sy) / 2;
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: w,
    height: h,
    scale: s,
    offsetX: region.x * s,
    offsetY: region.y * s,
  };
}

function jittered(box: [number, number, number, number], random: () => number) {
  const [x, y, w, h] = box;
  const k = 0.92 + random() * 0.16;
  const dx = (random() - 0.5) * 0.1 * w;
  const dy = (random() - 0.5) * 0.1 * h;
  return { x: x + dx + (w - w * k) / 2, y: y + dy + (h - h * k) / 2, width: w * k, height: h * k };
}

function cachePaths(dir: string, seed: number) {
  // Per descriptor network: vectors of another network are another corpus.
  const network = loadMatchThreshold().descriptor.network;
  const base = join(dir, network === 'dlib-resnet' ? `kiosk-faces-seed${seed}` : `kiosk-faces-${network}-seed${seed}`);
  return { vectors: `${base}.f32`, meta: `${base}.json` };
}

interface CacheMeta {
  faces: SampleFace[];
  rounds: { photo: number; firstRow: number }[];
  count: number;
  faceOfRow: number[];
  generator?: string | undefined;
}

function readCache(paths: { vectors: string; meta: string }): { meta: CacheMeta; vectors: Float32Array } | undefined {
  if (!existsSync(paths.vectors) || !existsSync(paths.meta)) return undefined;
  const meta = JSON.parse(readFileSync(paths.meta, 'utf8')) as CacheMeta;
  const bytes = readFileSync(paths.vectors);
  if (bytes.byteLength < meta.count * DIMS * 4) return undefined;
  const vectors = new Float32Array(meta.count * DIMS);
  new Uint8Array(vectors.buffer).set(bytes.subarray(0, meta.count * DIMS * 4));
  return { meta, vectors };
}

function writeCache(paths: { vectors: string; meta: string }, meta: CacheMeta, rows: readonly Float32Array[]): void {
  const vectors = new Float32Array(rows.length * DIMS);
  rows.forEach((r, i) => vectors.set(r, i * DIMS));
  mkdirSync(dirname(paths.vectors), { recursive: true });
  writeFileSync(paths.vectors, new Uint8Array(vectors.buffer));
  writeFileSync(paths.meta, JSON.stringify(meta));
}

/** The first whole rounds holding at least `count` rows. */
function firstRounds(meta: CacheMeta, vectors: Float32Array, count: number): KioskFaceCorpus {
  const end = meta.rounds.findIndex((r) => r.firstRow >= count);
  const rounds = end === -1 ? meta.rounds : meta.rounds.slice(0, end);
  const rows = end === -1 ? meta.count : meta.rounds[end]!.firstRow;
  return {
    faces: meta.faces,
    rounds,
    vectors: vectors.subarray(0, rows * DIMS),
    faceOfRow: Uint16Array.from(meta.faceOfRow.slice(0, rows)),
    count: rows,
    generator: meta.generator,
  };
}

/** Round r's randomness depends only on (seed, r), so a build can stop and resume. */
const roundRandom = (seed: number, round: number) => seededRandom((seed * 2_654_435_761 + round * 40_503) >>> 0);

/**
 * At least `count` embeddings (whole rounds). Built once per seed and grown on demand; a build
 * saves every few thousand rows, so a stopped build resumes where it was.
 */
export async function loadKioskFaceCorpus(options: {
  count: number;
  cacheDir: string;
  seed?: number;
  threads?: number;
  log?: (line: string) => void;
}): Promise<KioskFaceCorpus> {
  const seed = options.seed ?? 7;
  const paths = cachePaths(options.cacheDir, seed);
  const cached = readCache(paths);
  if (cached && cached.meta.count >= options.count) return firstRounds(cached.meta, cached.vectors, options.count);

  const log = options.log ?? (() => {});
  const engine = await FaceEngine.open({ provider: 'cpu', threads: options.threads ?? 2 });
  const { faces, regions } = await regionsOf(engine);
  const byPhoto = SAMPLE_PHOTOS.map((_, p) => regions.filter((r) => faces[r.face]!.photo === p));
  const rows: Float32Array[] = [];
  const faceOfRow: number[] = [];
  const rounds: { photo: number; firstRow: number }[] = [];
  if (cached) {
    for (let i = 0; i < cached.meta.count; i++) rows.push(cached.vectors.slice(i * DIMS, (i + 1) * DIMS));
    faceOfRow.push(...cached.meta.faceOfRow);
    rounds.push(...cached.meta.rounds);
    log(`  resuming from ${rows.length} cached face embeddings`);
  }
  const started = performance.now();
  const startRows = rows.length;
  let lastSaved = rows.length;
  let pending: { region: Region; placed: PlacedImage; box: ReturnType<typeof jittered>; tilt: number }[] = [];
  const flush = async (): Promise<void> => {
    if (!pending.length) return;
    const boxes = pending.map((p) => p.box);
    const landmarks = await engine.landmarks((b) => pending[boxes.indexOf(b)]!.placed, boxes);
    // The head tilted by the round's angle: its landmarks turned about the eyes' midpoint.
    const tilted = landmarks.map((l, i) => {
      const { left, right } = eyeCentres(l);
      const pivot = { x: (left.x + right.x) / 2, y: (left.y + right.y) / 2 };
      const c = Math.cos(pending[i]!.tilt);
      const s = Math.sin(pending[i]!.tilt);
      return l.map((p) => ({
        x: pivot.x + (p.x - pivot.x) * c - (p.y - pivot.y) * s,
        y: pivot.y + (p.x - pivot.x) * s + (p.y - pivot.y) * c,
      }));
    });
    const { embeddings } = await engine.describe(
      pending.map((p) => p.placed),
      tilted,
    );
    embeddings.forEach((e, i) => {
      rows.push(e);
      faceOfRow.push(pending[i]!.region.face);
    });
    pending = [];
  };
  const save = () => writeCache(paths, { faces, rounds, count: rows.length, faceOfRow }, rows);
  while (rows.length + pending.length < options.count) {
    const random = roundRandom(seed, rounds.length);
    const photo = Math.floor(random() * SAMPLE_PHOTOS.length);
    rounds.push({ photo, firstRow: rows.length + pending.length });
    for (const region of byPhoto[photo]!) {
      const placed = await augmented(region, random);
      pending.push({ region, placed, box: jittered(region.box, random), tilt: ((random() - 0.5) * 12 * Math.PI) / 180 });
    }
    if (pending.length >= BATCH) await flush();
    if (!pending.length && rows.length - lastSaved >= 5_000) {
      save();
      lastSaved = rows.length;
      const rate = (rows.length - startRows) / ((performance.now() - started) / 1000);
      log(`  ${rows.length} face embeddings (${rate.toFixed(1)}/s)`);
    }
  }
  await flush();
  save();
  await engine.release();
  log(`  built ${rows.length - startRows} embeddings in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return firstRounds(
    { faces, rounds, count: rows.length, faceOfRow },
    (() => {
      const v = new Float32Array(rows.length * DIMS);
      rows.forEach((r, i) => v.set(r, i * DIMS));
      return v;
    })(),
    options.count,
  );
}

/**
 * The 22 real faces as the corpus builder starts from them (region around each face, its box),
 * for building a large corpus on a many-core machine (support/embed_augmented_crops.py).
 */
export async function exportFaceRegions(outDir: string): Promise<void> {
  const engine = await FaceEngine.open({ provider: 'cpu', threads: 2 });
  const { faces, regions } = await regionsOf(engine);
  await engine.release();
  mkdirSync(outDir, { recursive: true });
  const list = [];
  for (const [i, r] of regions.entries()) {
    const file = `face-${i}.png`;
    await sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } })
      .png()
      .toFile(join(outDir, file));
    list.push({ file, photo: faces[r.face]!.photo, box: r.box, region: { x: r.x, y: r.y, width: r.width, height: r.height } });
  }
  writeFileSync(join(outDir, 'faces.json'), JSON.stringify({ faces, regions: list }, null, 2));
}
