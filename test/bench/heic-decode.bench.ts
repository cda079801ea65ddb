// HEIC cost (`npx tsx test/bench/heic-decode.bench.ts`): per file, the decode alone (libheif-js in
// WebAssembly against sharp decoding a JPEG of the same pixels) and the whole worker render
// (previews and thumbnail, no analysis), median of a few runs on one thread. Asserts nothing.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeHeif } from '../../src/camera-files/index.js';
import { defaultSettings } from '../../src/config/index.js';
import { renderPhoto, type PhotoTask } from '../../src/photo/index.js';

const RUNS = 5;
const FILES = ['heic-single.heic', 'heic-iphone7.heic', 'heic-collection.heic'];

async function median(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const sharpOneThread = sharp.concurrency();
sharp.concurrency(1);
const dir = await mkdtemp(join(os.tmpdir(), 'heic-bench-'));
try {
  const media = defaultSettings().media;
  const task = (path: string, format: PhotoTask['format'], sha: string): PhotoTask => ({
    photoId: 1,
    jobId: 1,
    path,
    format,
    sha256: sha.padEnd(64, '0'),
    dataDir: join(dir, 'data'),
    media,
    previews: true,
    faces: null,
  });
  const t0 = performance.now();
  decodeHeif(readFileSync(fileURLToPath(new URL('../fixtures/camera-files/heic-single.heic', import.meta.url))), 'warm-up');
  console.log(`first decode in a thread (wasm compile + decode of a 1.4 MP file): ${(performance.now() - t0).toFixed(0)} ms`);
  console.log('file                  pixels   HEIC decode  JPEG decode  HEIC render  JPEG render   (ms, median of 5)');
  for (const name of FILES) {
    const path = fileURLToPath(new URL(`../fixtures/camera-files/${name}`, import.meta.url));
    const bytes = readFileSync(path);
    const { rgba, width, height } = decodeHeif(bytes, name);
    // A JPEG of the same picture and pixel count, as a camera would write it.
    const jpeg = await sharp(rgba, { raw: { width, height, channels: 4 } })
      .removeAlpha()
      .jpeg({ quality: 92 })
      .toBuffer();
    const jpegPath = join(dir, `${name}.jpg`);
    await writeFile(jpegPath, jpeg);
    const heicDecode = await median(RUNS, () => decodeHeif(bytes, name));
    const jpegDecode = await median(RUNS, () => sharp(jpeg).raw().toBuffer());
    const heicRender = await median(RUNS, () => renderPhoto(task(path, 'heic', 'a'), []));
    const jpegRender = await median(RUNS, () => renderPhoto(task(jpegPath, 'jpeg', 'b'), []));
    console.log(
      `${name.padEnd(21)} ${((width * height) / 1e6).toFixed(1).padStart(4)} MP ${heicDecode.toFixed(0).padStart(12)} ${jpegDecode
        .toFixed(0)
        .padStart(12)} ${heicRender.toFixed(0).padStart(12)} ${jpegRender.toFixed(0).padStart(12)}`,
    );
  }
} finally {
  sharp.concurrency(sharpOneThread);
  await rm(dir, { recursive: true, force: true });
}
