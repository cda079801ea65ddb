// The fallback for taking the selfie by itself, used only where the in-page face detector's models
// could not be loaded (captureRule.ts is the normal rule): the picture has been steady and well lit
// (and, where the browser's FaceDetector can tell, shows one face big enough) for HOLD_MS.
// HOLD_MS is also the 3-2-1 countdown's length. Pure functions over sampled frames.

/** How long the picture must stay good before it is taken; long enough to read a 3-2-1. */
export const HOLD_MS = 1500;
/** How often the video is sampled. */
export const SAMPLE_MS = 300;
/** The sample's size: enough for brightness and movement, cheap to read every 300 ms. */
export const SAMPLE_WIDTH = 96;
export const SAMPLE_HEIGHT = 72;

/** Mean luma (0..255) below which the server's own too-dark check would likely refuse the selfie. */
const MIN_LUMINANCE = 55;
/** Mean luma above which the picture is washed out (a window or a lamp behind the camera). */
const MAX_LUMINANCE = 230;
/** Mean absolute luma change per pixel between samples that still counts as "holding still". */
const MAX_MOTION = 7;
/** A face narrower than this share of the frame is likely refused as too small. */
const MIN_FACE_WIDTH = 0.16;

export interface FrameStats {
  luminance: number;
  /** Mean absolute luma difference from the previous sample; Infinity for the first. */
  motion: number;
  luma: Float32Array;
}

/** Brightness and movement of one RGBA sample, against the previous sample's luma. */
export function measureFrame(rgba: Uint8ClampedArray, previous: Float32Array | null): FrameStats {
  const pixels = rgba.length / 4;
  const luma = new Float32Array(pixels);
  let sum = 0;
  let diff = 0;
  for (let i = 0; i < pixels; i++) {
    // Rec. 601 weights: cheap and close enough for "is it dark".
    const y = 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
    luma[i] = y;
    sum += y;
    if (previous && previous.length === pixels) diff += Math.abs(y - previous[i]!);
  }
  return {
    luminance: pixels ? sum / pixels : 0,
    motion: previous && previous.length === pixels && pixels ? diff / pixels : Number.POSITIVE_INFINITY,
    luma,
  };
}

/** What the browser's FaceDetector saw, when it has one; null where the API is missing. */
export interface FaceSighting {
  count: number;
  /** Width of the largest face as a share of the frame width. */
  largestWidth: number;
}

export type FrameVerdict = { ok: true } | { ok: false; hint: string };

export function judgeFrame(stats: Pick<FrameStats, 'luminance' | 'motion'>, faces: FaceSighting | null): FrameVerdict {
  if (stats.luminance < MIN_LUMINANCE) return { ok: false, hint: 'A little more light, please' };
  if (stats.luminance > MAX_LUMINANCE) return { ok: false, hint: 'Too bright behind you' };
  if (faces) {
    if (faces.count === 0) return { ok: false, hint: 'Look at the screen' };
    if (faces.count > 1) return { ok: false, hint: 'One person at a time' };
    if (faces.largestWidth < MIN_FACE_WIDTH) return { ok: false, hint: 'Come a little closer' };
  }
  if (stats.motion > MAX_MOTION) return { ok: false, hint: 'Hold still' };
  return { ok: true };
}

export interface HoldProgress {
  /** When the picture became good, or null while it is not. */
  goodSince: number | null;
  /** 0..1 of HOLD_MS. */
  progress: number;
  /** True once the picture has been good for HOLD_MS. */
  capture: boolean;
}

export function advanceHold(goodSince: number | null, verdict: FrameVerdict, now: number): HoldProgress {
  if (!verdict.ok) return { goodSince: null, progress: 0, capture: false };
  const since = goodSince ?? now;
  const progress = Math.min(1, (now - since) / HOLD_MS);
  return { goodSince: since, progress, capture: progress >= 1 };
}
