// The face stage of the per-photo job, run inside a photo worker: faces of the analysis image
// (small ones cropped from the original), crop thumbnails written, results returned as plain
// data for the engine to store in the same transaction as the photo.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { mediaRelativePath } from '../config/index.js';
import type { AnalysisContext, AnalysisImage, AnalysisOutput, AnalysisStage, FaceTaskOptions } from './index.js';
import type { NewFace } from '../store/index.js';
import { FaceEngine, type AnalysedFace } from '../vision/index.js';
import { DESCRIPTOR_INPUT_SIZE } from '../vision/index.js';

export type FaceEngineSource = (
  options: Pick<FaceTaskOptions, 'provider' | 'threads' | 'detectorPrecision' | 'models'>,
) => Promise<FaceEngine>;

/**
 * Keeps one engine per worker thread, opened on first use and kept for the session; a failed
 * open is retried on the next photo rather than remembered.
 */
export function reusableFaceEngine(open: typeof FaceEngine.open = (o) => FaceEngine.open(o)): FaceEngineSource {
  let engine: Promise<FaceEngine> | undefined;
  let key = '';
  return (options) => {
    const precision = options.detectorPrecision ?? 'auto';
    const wanted = `${options.provider}:${options.threads}:${precision}`;
    if (!engine || wanted !== key) {
      key = wanted;
      const opening = open({
        provider: options.provider,
        threads: options.threads,
        detectorPrecision: precision,
        ...(options.models ? { models: options.models } : {}),
      });
      opening.catch(() => {
        if (engine === opening) engine = undefined;
      });
      engine = opening;
    }
    return engine;
  };
}

async function writeCrop(dataDir: string, relative: string, crop: Uint8Array): Promise<void> {
  const target = join(dataDir, relative);
  await mkdir(dirname(target), { recursive: true });
  const bytes = await sharp(crop, { raw: { width: DESCRIPTOR_INPUT_SIZE, height: DESCRIPTOR_INPUT_SIZE, channels: 3 } })
    .webp({ quality: 80, effort: 2 })
    .toBuffer();
  const temp = `${target}.${process.pid}.part`;
  await writeFile(temp, bytes);
  await rename(temp, target);
}

export function toNewFace(f: AnalysedFace, toOriginal: number, cropPath: string | null): NewFace {
  const landmarks = new Float32Array(f.landmarks.length * 2);
  f.landmarks.forEach((p, i) => {
    landmarks[i * 2] = p.x * toOriginal;
    landmarks[i * 2 + 1] = p.y * toOriginal;
  });
  return {
    box: [f.box.x * toOriginal, f.box.y * toOriginal, f.box.width * toOriginal, f.box.height * toOriginal],
    landmarks,
    score: f.score,
    quality: f.quality.overall,
    sharpness: f.quality.sharpness,
    frontal: f.quality.frontal,
    sizePx: f.quality.sizePx,
    cropPath,
    embedding: f.embedding,
  };
}

export const createFaceStage = (engineFor: FaceEngineSource): AnalysisStage => ({
  name: 'faces',
  async run(image: AnalysisImage, ctx: AnalysisContext): Promise<AnalysisOutput> {
    const options = ctx.faces;
    if (!options) return {};
    const faceEngine = await engineFor(options);
    const toOriginal = image.originalWidth / image.width;
    const faces = await faceEngine.analyse(
      { data: image.pixels, width: image.width, height: image.height },
      {
        minFacePx: options.minFacePx,
        minScore: options.minScore,
        tiling: options.tiling,
        maxFaces: options.maxFaces,
        originalScale: toOriginal,
        ...(image.overview
          ? { overview: { data: image.overview.pixels, width: image.overview.width, height: image.overview.height } }
          : {}),
        loadRegion: async (region) => {
          const r = await ctx.loadOriginalRegion(region);
          return r && { data: r.data, width: r.width, height: r.height, scale: r.scale, offsetX: r.offsetX, offsetY: r.offsetY };
        },
      },
    );
    const stored = await Promise.all(
      faces.map(async (f, i) => {
        const cropPath = mediaRelativePath('faces', ctx.sha256, `-${i}`);
        await writeCrop(ctx.dataDir, cropPath, f.alignedCrop);
        return toNewFace(f, toOriginal, cropPath);
      }),
    );
    return { faces: stored, faceProvider: { ...faceEngine.provider, detector: faceEngine.detectorPrecision } };
  },
});
