// Stages that look at the decoded analysis image after previews are written (faces, CLIP).
// They receive pixels the worker already decoded: a stage must never decode the file again.

export interface AnalysisImage {
  /** Interleaved sRGB, 8 bits per channel, already oriented. */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 3;
  /** Size of the original photo, so stages can map boxes back to it. */
  originalWidth: number;
  originalHeight: number;
}

export interface AnalysisContext {
  photoId: number;
  path: string;
  dataDir: string;
  sha256: string;
}

export interface AnalysisStage {
  name: string;
  run(image: AnalysisImage, ctx: AnalysisContext): Promise<void>;
}

/** No analysis stages yet: the face engine adds the first one here. */
export const ANALYSIS_STAGES: readonly AnalysisStage[] = [];
