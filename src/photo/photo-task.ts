// The plain data that crosses the thread boundary between the engine and a photo worker.
import type { PhotoFormat } from '../camera-files/index.js';
import type { ProcessedPhoto } from '../store/index.js';

/**
 * permanent: the file itself is bad, never retried. transient: retried until attempts run out.
 * storage: the data drive is full; nothing is wrong with the photo, so it waits as long as it
 * takes the photographer to free space.
 */
export type FailureKind = 'permanent' | 'transient' | 'storage';

export interface MediaOptions {
  previewLongSide: number;
  previewQuality: number;
  thumbnailLongSide: number;
  thumbnailQuality: number;
  maxInputPixels: number;
}

export interface FaceTaskOptions {
  provider: 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml';
  detectorPrecision?: 'auto' | 'float32' | 'int8';
  /** ONNX Runtime threads per worker, so the pool never oversubscribes the CPU. */
  threads: number;
  minFacePx: number;
  minScore: number;
  tiling: 'adaptive' | 'always';
  maxFaces: number;
  /**
   * The face model files, already checked against their checksums by the engine, once for all
   * workers; a worker given none checks them itself (a hash of ~50 MB, ~90 ms each).
   */
  models?: { detector: string; detectorInt8: string; landmarks: string; descriptor: string; mobileFaceNet: string; onet: string };
}

export interface ClipTaskOptions {
  /** The installed model's vision tower (ONNX). */
  visionPath: string;
  provider: FaceTaskOptions['provider'];
  threads: number;
}

/** Back-fill: a CLIP embedding for a photo that is already ready, from its stored preview. */
export interface ClipJobTask {
  photoId: number;
  jobId: number;
  previewPath: string;
  clip: ClipTaskOptions;
}

export type ClipJobResult = { ok: true; embedding: Float32Array } | { ok: false; failure: FailureKind; error: string };

/**
 * One photo, decoded once for every stage the task runs: previews when `previews` is set, faces
 * when `faces` is, scene when `clip` is.
 */
export interface PhotoTask {
  photoId: number;
  /** The job that led to this task (for logs); the scheduler knows the others it carries. */
  jobId: number;
  path: string;
  format: PhotoFormat;
  sha256: string;
  dataDir: string;
  media: MediaOptions;
  /**
   * Write the preview and thumbnail and read the metadata and perceptual hash. False for a faces
   * re-run: the photo's files stay byte for byte as they are.
   */
  previews: boolean;
  /** Null when the faces stage does not run (not asked for, or face analysis switched off). */
  faces: FaceTaskOptions | null;
  /** Null when the scene stage does not run (not asked for, or no CLIP model installed). */
  clip?: ClipTaskOptions | null;
}

export interface PhotoTaskTimings {
  readMs: number;
  decodeMs: number;
  renderMs: number;
  analyseMs: number;
  totalMs: number;
}

export type PhotoTaskResult =
  | {
      ok: true;
      photo: ProcessedPhoto;
      timings: PhotoTaskTimings;
      faceProvider?: { active: string; fallbackReason?: string; detector?: string };
    }
  | { ok: false; failure: FailureKind; error: string };
