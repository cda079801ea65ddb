// How usable a face is for matching and for a gallery cover: size, sharpness, frontal pose.
// Pure functions over the aligned crop and the landmarks.
import type { Point } from './face-geometry.js';

export interface FaceQuality {
  /** Face width in pixels of the original photo. */
  sizePx: number;
  /** 0..1 from the variance of the Laplacian of the aligned crop; 0.5 ≈ acceptably sharp. */
  sharpness: number;
  /** 0..1; 1 when the nose sits midway between the jaw edges (no yaw). */
  frontal: number;
  /** 0..1 combination used for ranking covers and rejecting poor selfies. */
  overall: number;
}

/** Laplacian variance on the grey aligned crop (RGB, size x size). */
export function laplacianVariance(rgb: Uint8Array, size: number): number {
  const grey = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) grey[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  // The centre 60% only: the crop's black padding and background would dominate otherwise.
  const from = Math.floor(size * 0.2);
  const to = Math.ceil(size * 0.8);
  for (let y = Math.max(1, from); y < Math.min(size - 1, to); y++) {
    for (let x = Math.max(1, from); x < Math.min(size - 1, to); x++) {
      const i = y * size + x;
      const lap = grey[i - size]! + grey[i + size]! + grey[i - 1]! + grey[i + 1]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  return n ? sumSq / n - (sum / n) ** 2 : 0;
}

/** Yaw from landmark symmetry: nose tip (30) against the jaw's outer points (0 and 16). */
export function frontalness(landmarks: readonly Point[]): number {
  const nose = landmarks[30]!;
  const left = landmarks[0]!;
  const right = landmarks[16]!;
  const dl = Math.hypot(nose.x - left.x, nose.y - left.y);
  const dr = Math.hypot(nose.x - right.x, nose.y - right.y);
  if (dl + dr === 0) return 0;
  return Math.max(0, 1 - (2 * Math.abs(dl - dr)) / (dl + dr));
}

/** Sharpness reaches 0.5 at a Laplacian variance of 100 (typical of an in-focus 150 px face). */
export const sharpnessScore = (variance: number): number => variance / (variance + 100);

export function faceQuality(sizePx: number, laplacianVar: number, landmarks: readonly Point[], detectionScore: number): FaceQuality {
  const sharpness = sharpnessScore(laplacianVar);
  const frontal = frontalness(landmarks);
  const sizeFactor = Math.min(1, sizePx / 112);
  return { sizePx, sharpness, frontal, overall: detectionScore * sizeFactor * (0.4 + 0.6 * sharpness) * (0.5 + 0.5 * frontal) };
}
