// The ingest benchmark's source photos: a few camera-like 24 MP JPEGs, generated once and
// cached under .cache/bench/ so a rerun starts measuring in a second instead of after minutes.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAMERA_HEIGHT, CAMERA_WIDTH, makeCameraJpegPool, type CameraJpegOptions } from '../fixtures/camera-photos.js';

export interface CameraBases {
  /** Folder holding base-NN.jpg; the decode baseline and the app's worker code read them from here. */
  dir: string;
  paths: string[];
  jpegs: Buffer[];
  /** Cache key: the parameters plus a digest of the generator's source. */
  key: string;
  /** Time spent generating, or null when the bases came from the cache. */
  generatedMs: number | null;
}

export interface CameraBasesRequest extends CameraJpegOptions {
  count: number;
  cacheRoot: string;
}

const FIXTURE_SOURCE = fileURLToPath(new URL('../fixtures/camera-photos.ts', import.meta.url));

// The generator's defaults (noise, quality) live in its source, so the key digests the source:
// a change to the fixture regenerates the bases instead of silently benchmarking stale ones.
async function cacheKey(req: CameraBasesRequest): Promise<string> {
  const source = await readFile(FIXTURE_SOURCE);
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const width = req.width ?? CAMERA_WIDTH;
  const height = req.height ?? CAMERA_HEIGHT;
  const parts = [
    `camera-${width}x${height}`,
    `n${req.count}`,
    `seed${req.seed ?? 1}`,
    `q${req.quality ?? 'default'}`,
    `sigma${req.noiseSigma ?? 'default'}`,
    `gen-${digest}`,
  ];
  return parts.join('-');
}

const baseName = (i: number): string => `base-${String(i + 1).padStart(2, '0')}.jpg`;

async function readCached(dir: string, count: number): Promise<Buffer[] | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const wanted = Array.from({ length: count }, (_, i) => baseName(i));
  if (!wanted.every((n) => names.includes(n))) return null;
  return Promise.all(wanted.map((n) => readFile(join(dir, n))));
}

export async function loadCameraBases(req: CameraBasesRequest): Promise<CameraBases> {
  const key = await cacheKey(req);
  const dir = join(req.cacheRoot, key);
  const paths = Array.from({ length: req.count }, (_, i) => join(dir, baseName(i)));
  const cached = await readCached(dir, req.count);
  if (cached) return { dir, paths, jpegs: cached, key, generatedMs: null };

  const started = performance.now();
  const options: CameraJpegOptions = {
    width: req.width,
    height: req.height,
    seed: req.seed,
    quality: req.quality,
    noiseSigma: req.noiseSigma,
  };
  const jpegs = await makeCameraJpegPool(req.count, options);
  const generatedMs = performance.now() - started;
  // Written to a private folder and renamed into place, so an interrupted run never leaves
  // a half-filled cache entry that a later run would trust.
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await Promise.all(jpegs.map((jpeg, i) => writeFile(join(partial, baseName(i)), jpeg)));
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return { dir, paths, jpegs, key, generatedMs };
}
