// Stages that look at the decoded analysis image after previews are written (faces, CLIP).
// They receive pixels the worker already decoded: a stage must never decode the whole file
// again. A stage that needs more detail for a small region (a small face) may ask for that
// region of the original through `loadOriginalRegion`.
import type { NewFace } from '../store/index.js';
import type { ClipTaskOptions, FaceTaskOptions } from './photo-task.js';

export interface AnalysisImage {
  /** Interleaved sRGB, 8 bits per channel, already oriented. */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 3;
  /** Size of the original photo, so stages can map boxes back to it. */
  originalWidth: number;
  originalHeight: number;
  /**
   * The same image fitted inside OVERVIEW_LONG_SIDE (the face detector's whole-photo pass), made
   * once while rendering since the thumbnail is cut from it too.
   */
  overview?: { pixels: Uint8Array; width: number; height: number };
}

/** Long side of the overview: the face detector's input size. */
export const OVERVIEW_LONG_SIDE = 512;

/** A region of the original photo's pixels, placed in analysis-image coordinates. */
export interface OriginalRegion {
  data: Uint8Array;
  width: number;
  height: number;
  /** Original pixels per analysis pixel. */
  scale: number;
  /** Where the region starts, in original pixels. */
  offsetX: number;
  offsetY: number;
}

export interface AnalysisContext {
  photoId: number;
  path: string;
  dataDir: string;
  sha256: string;
  faces: FaceTaskOptions | null;
  clip: ClipTaskOptions | null;
  /** Decodes a region (analysis-image coordinates) of the original at full resolution. */
  loadOriginalRegion(region: { x: number; y: number; width: number; height: number }): Promise<OriginalRegion | null>;
}

export interface AnalysisOutput {
  faces?: NewFace[];
  /** The ONNX Runtime provider the face stage ran on, and why a GPU was not used. */
  faceProvider?: { active: string; fallbackReason?: string; detector?: string };
  /** L2-normalised CLIP image embedding (scene search). */
  clipEmbedding?: Float32Array;
}

export interface AnalysisStage {
  name: string;
  run(image: AnalysisImage, ctx: AnalysisContext): Promise<AnalysisOutput>;
}
