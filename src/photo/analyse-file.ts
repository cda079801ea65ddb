// Faces of one image file, outside the ingest pipeline: for `faces`, `verify` and selfies.
// Decodes once to the analysis size; small faces get pixels from the original, as in ingest.
import sharp, { type OutputInfo } from 'sharp';
import { FaceEngine, DEFAULT_DETECT_OPTIONS, type AnalysedFace, type DetectOptions } from '../vision/index.js';
import { meanLuma } from './image-brightness.js';

export const ANALYSIS_LONG_SIDE = 2048;

export interface AnalysedFile {
  width: number;
  height: number;
  /** Boxes, landmarks and sizes in pixels of the (oriented) original. */
  faces: AnalysedFace[];
  /** Mean luma 0..255 of the whole picture (image-brightness.ts), from the pixels decoded for the faces. */
  meanLuma: number;
}

export class ImageReadError extends Error {
  override name = 'ImageReadError';
}

export async function analyseImage(
  engine: FaceEngine,
  input: string | Buffer,
  options: DetectOptions = DEFAULT_DETECT_OPTIONS,
): Promise<AnalysedFile> {
  let decoded: { data: Buffer; info: OutputInfo };
  let width: number;
  let height: number;
  try {
    const header = await sharp(input).metadata();
    width = header.autoOrient?.width ?? header.width ?? 0;
    height = header.autoOrient?.height ?? header.height ?? 0;
    decoded = await sharp(input, { failOn: 'error' })
      .autoOrient()
      .resize({ width: ANALYSIS_LONG_SIDE, height: ANALYSIS_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    const what = typeof input === 'string' ? input : 'the image';
    throw new ImageReadError(`Cannot read ${what}: ${(err as Error).message.replace(/^Input (file|buffer) /, '')}`);
  }
  const { data, info } = decoded;
  const scale = width / info.width;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const faces = await engine.analyse(
    { data: pixels, width: info.width, height: info.height },
    {
      ...options,
      originalScale: scale,
      loadRegion: async (r) => {
        const left = Math.max(0, Math.floor(r.x * scale));
        const top = Math.max(0, Math.floor(r.y * scale));
        const w = Math.min(width - left, Math.ceil(r.width * scale));
        const h = Math.min(height - top, Math.ceil(r.height * scale));
        if (w < 1 || h < 1) return null;
        const region = await sharp(input)
          .autoOrient()
          .extract({ left, top, width: w, height: h })
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer({ resolveWithObject: true });
        return {
          data: new Uint8Array(region.data),
          width: region.info.width,
          height: region.info.height,
          scale,
          offsetX: left,
          offsetY: top,
        };
      },
    },
  );
  // Report in original pixels, as stored for ingested photos.
  const toOriginal = (f: AnalysedFace): AnalysedFace => ({
    ...f,
    box: { x: f.box.x * scale, y: f.box.y * scale, width: f.box.width * scale, height: f.box.height * scale },
    landmarks: f.landmarks.map((p) => ({ x: p.x * scale, y: p.y * scale })),
  });
  return { width, height, faces: faces.map(toOriginal), meanLuma: meanLuma(pixels, info.channels) };
}
