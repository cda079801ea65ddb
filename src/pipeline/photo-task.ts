// The plain data that crosses the thread boundary between the engine and a photo worker.
import type { PhotoFormat } from '../ingest/index.js';
import type { ProcessedPhoto } from '../store/index.js';
import type { FailureKind } from './backoff.js';

export interface MediaOptions {
  previewLongSide: number;
  previewQuality: number;
  thumbnailLongSide: number;
  thumbnailQuality: number;
  maxInputPixels: number;
}

export interface PhotoTask {
  photoId: number;
  jobId: number;
  path: string;
  format: PhotoFormat;
  sha256: string;
  dataDir: string;
  media: MediaOptions;
}

export interface PhotoTaskTimings {
  readMs: number;
  decodeMs: number;
  renderMs: number;
  analyseMs: number;
  totalMs: number;
}

export type PhotoTaskResult =
  | { ok: true; photo: ProcessedPhoto; timings: PhotoTaskTimings }
  | { ok: false; failure: FailureKind; error: string };
