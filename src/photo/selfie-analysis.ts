// A kiosk or console selfie analysed as the kiosk needs it: its faces (embeddings, boxes,
// quality) and how bright the picture is, so "too dark" can be told apart from "no face".
import { analyseImage } from './analyse-file.js';
import type { DetectOptions, DetectorPrecisionSetting, FaceEngine, FaceQuality, ProviderSetting } from '../vision/index.js';

/** What the selfie worker is sent: the picture and how to run the face engine on it. */
export interface SelfieTask {
  image: Uint8Array;
  provider: ProviderSetting;
  detectorPrecision: DetectorPrecisionSetting;
  threads: number;
  detect: DetectOptions;
}

export interface SelfieFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  quality: FaceQuality;
  embedding: Float32Array;
}

export interface AnalysedSelfie {
  width: number;
  height: number;
  faces: SelfieFace[];
  /** Mean luminance 0..255 of the whole picture. */
  meanLuma: number;
}

/**
 * A selfie is a close-up: faces are large, so the detector's single whole-image pass is enough
 * and tiling would only add time to the attendee's wait.
 */
export const SELFIE_DETECT: Pick<DetectOptions, 'tiling' | 'minFacePx'> = { tiling: 'adaptive', minFacePx: 80 };

export async function analyseSelfie(engine: FaceEngine, image: Buffer, detect: DetectOptions): Promise<AnalysedSelfie> {
  const analysed = await analyseImage(engine, image, { ...detect, ...SELFIE_DETECT });
  return {
    width: analysed.width,
    height: analysed.height,
    meanLuma: analysed.meanLuma,
    faces: analysed.faces.map((f) => ({ box: f.box, score: f.score, quality: f.quality, embedding: f.embedding })),
  };
}
