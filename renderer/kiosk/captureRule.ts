// When the kiosk may take the selfie by itself: exactly one sharp, frontal, well-lit face fills
// the oval and holds still. Pure functions over what the in-page face detector saw (no DOM types),
// so the rule is unit-tested on its own (test/unit/renderer/captureRule.test.ts).

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** One face the detector found, in the sampled frame's (unmirrored) pixels. */
export interface SeenFace {
  box: Box;
  /** The detector's confidence, 0..1. */
  score: number;
  /** The 68 landmarks (iBUG order), or null where they were not computed. */
  landmarks: readonly Point[] | null;
}

/** One detector sample and what was measured over the face in it. */
export interface FaceSample {
  faces: readonly SeenFace[];
  /** The oval guide, in the same pixels as the faces. */
  guide: Box;
  /** Variance of the Laplacian over the (single) face's crop; null when there is no single face. */
  sharpness: number | null;
  /** Mean luma (0..255) over the face's crop; null when there is no single face. */
  luminance: number | null;
}

export type CaptureReason =
  'no-face' | 'several-faces' | 'off-centre' | 'too-small' | 'not-frontal' | 'too-dark' | 'too-bright' | 'blurred' | 'moving';

export type CaptureVerdict = { ok: true; face: SeenFace } | { ok: false; reason: CaptureReason; face: SeenFace | null };

/** A detection below this score is not counted as a face at all. */
export const MIN_FACE_SCORE = 0.5;
/** The face's width as a share of the guide's width: smaller is "come closer". */
export const MIN_FACE_TO_GUIDE = 0.38;
/** How far the face's centre may be from the guide's centre, as a share of the guide's size. */
const MAX_CENTRE_OFFSET = 0.3;
/** The nose tip's place between the jaw's two edges (0 = left edge, 1 = right): frontal is near 0.5. */
const MIN_NOSE_RATIO = 0.3;
const MAX_NOSE_RATIO = 0.7;
/** Eyes level within this many degrees. */
const MAX_EYE_TILT_DEG = 15;
/** Mean luma over the face below which the server's too-dark check would likely refuse it. */
export const MIN_FACE_LUMINANCE = 55;
export const MAX_FACE_LUMINANCE = 235;
/** Laplacian variance over the face crop (scaled to FACE_CROP_SIZE) below which the face is blurred; a sharp webcam face (the e2e fake camera) measures about 560. */
export const MIN_SHARPNESS = 40;
/** The face crop the sharpness and light are measured on, in pixels per side. */
export const FACE_CROP_SIZE = 96;
/** Between two samples the face box may move this share of the guide's width and still be "still". */
export const MAX_BOX_MOVE = 0.04;

/** How often the detector runs. */
export const DETECT_EVERY_MS = 280;
/** The detector's input width (the tiny face detector's 320 px input). */
export const DETECT_INPUT_WIDTH = 320;
/** How long the face must be good and still before the 3-2-1 starts. */
export const STEADY_MS = 1000;

const centre = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const mean = (points: readonly Point[]): Point => ({
  x: points.reduce((s, p) => s + p.x, 0) / points.length,
  y: points.reduce((s, p) => s + p.y, 0) / points.length,
});

/** True when the 68 landmarks show a face looking at the screen (not turned, not tilted). */
export function isFrontal(landmarks: readonly Point[]): boolean {
  if (landmarks.length < 68) return true; // Nothing to judge by: let the other checks decide.
  const jawLeft = landmarks[0]!;
  const jawRight = landmarks[16]!;
  const nose = landmarks[30]!;
  const span = jawRight.x - jawLeft.x;
  if (Math.abs(span) < 1) return false;
  const noseRatio = (nose.x - jawLeft.x) / span;
  if (noseRatio < MIN_NOSE_RATIO || noseRatio > MAX_NOSE_RATIO) return false;
  const eyeA = mean(landmarks.slice(36, 42));
  const eyeB = mean(landmarks.slice(42, 48));
  const tilt = (Math.atan2(Math.abs(eyeB.y - eyeA.y), Math.abs(eyeB.x - eyeA.x)) * 180) / Math.PI;
  return tilt <= MAX_EYE_TILT_DEG;
}

/** The rule for one sample, without stillness (see `boxIsStill`). */
export function judgeFace(sample: FaceSample): CaptureVerdict {
  const faces = sample.faces.filter((f) => f.score >= MIN_FACE_SCORE);
  if (faces.length === 0) return { ok: false, reason: 'no-face', face: null };
  if (faces.length > 1) return { ok: false, reason: 'several-faces', face: null };
  const face = faces[0]!;
  const { guide } = sample;
  const c = centre(face.box);
  const g = centre(guide);
  if (Math.abs(c.x - g.x) > guide.width * MAX_CENTRE_OFFSET || Math.abs(c.y - g.y) > guide.height * MAX_CENTRE_OFFSET) {
    return { ok: false, reason: 'off-centre', face };
  }
  if (face.box.width < guide.width * MIN_FACE_TO_GUIDE) return { ok: false, reason: 'too-small', face };
  if (face.landmarks && !isFrontal(face.landmarks)) return { ok: false, reason: 'not-frontal', face };
  if (sample.luminance !== null && sample.luminance < MIN_FACE_LUMINANCE) return { ok: false, reason: 'too-dark', face };
  if (sample.luminance !== null && sample.luminance > MAX_FACE_LUMINANCE) return { ok: false, reason: 'too-bright', face };
  if (sample.sharpness !== null && sample.sharpness < MIN_SHARPNESS) return { ok: false, reason: 'blurred', face };
  return { ok: true, face };
}

/** True when the face box moved (centre or size) less than MAX_BOX_MOVE of the guide's width since the last sample. */
export function boxIsStill(previous: Box | null, current: Box, guide: Box): boolean {
  if (!previous) return false;
  const limit = guide.width * MAX_BOX_MOVE;
  const a = centre(previous);
  const b = centre(current);
  return Math.hypot(a.x - b.x, a.y - b.y) <= limit && Math.abs(previous.width - current.width) <= limit;
}

/** What the attendee reads for each reason (the same words as the refused-selfie guidance where they overlap). */
export const CAPTURE_HINTS: Record<CaptureReason, string> = {
  'no-face': "We can't see a face yet: look at the screen",
  'several-faces': 'Only one person at a time, please',
  'off-centre': 'Put your face in the oval',
  'too-small': 'Come a little closer',
  'not-frontal': 'Look straight at the screen',
  'too-dark': 'A little more light, please',
  'too-bright': 'Too bright behind you',
  blurred: 'Hold still',
  moving: 'Hold still',
};

export interface SteadyState {
  /** When the face became good and still, or null while it is not. */
  goodSince: number | null;
  /** The last sample's face box, for the stillness check. */
  lastBox: Box | null;
}

export interface SteadyStep {
  state: SteadyState;
  /** Why not yet, or null once the face is good (settling or counting down). */
  reason: CaptureReason | null;
  /** 0..1 of the countdown (holdMs) that follows STEADY_MS of a good, still face. */
  progress: number;
  capture: boolean;
}

/** Advances the hold by one sample: good and still for STEADY_MS, then the holdMs countdown, then capture. */
export function advanceSteady(state: SteadyState, sample: FaceSample, now: number, holdMs: number): SteadyStep {
  const verdict = judgeFace(sample);
  const lastBox = verdict.face?.box ?? null;
  if (!verdict.ok) return { state: { goodSince: null, lastBox }, reason: verdict.reason, progress: 0, capture: false };
  if (!boxIsStill(state.lastBox, verdict.face.box, sample.guide)) {
    return { state: { goodSince: null, lastBox }, reason: 'moving', progress: 0, capture: false };
  }
  const goodSince = state.goodSince ?? now;
  const progress = Math.max(0, Math.min(1, (now - goodSince - STEADY_MS) / holdMs));
  return { state: { goodSince, lastBox }, reason: null, progress, capture: progress >= 1 };
}

/** Variance of the 4-neighbour Laplacian over a grey image (row-major, w×h): low means blurred. */
export function laplacianVariance(gray: ArrayLike<number>, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v = gray[i - 1]! + gray[i + 1]! + gray[i - width]! + gray[i + width]! - 4 * gray[i]!;
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  if (!n) return 0;
  const m = sum / n;
  return sumSq / n - m * m;
}

/** Rec. 601 luma of an RGBA buffer, and its mean. */
export function toGray(rgba: ArrayLike<number>): { gray: Float32Array; mean: number } {
  const pixels = Math.floor(rgba.length / 4);
  const gray = new Float32Array(pixels);
  let sum = 0;
  for (let i = 0; i < pixels; i++) {
    const y = 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
    gray[i] = y;
    sum += y;
  }
  return { gray, mean: pixels ? sum / pixels : 0 };
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The on-screen guide (the oval's bounding rect) in the camera frame's own pixels, for a video shown
 * with `object-fit: cover` and mirrored (`scaleX(-1)`) in `view`. `frameWidth`/`frameHeight` are the
 * pixels the faces are measured in (the sampled frame, a scaled copy of the video's videoWidth × videoHeight).
 */
export function guideInFrame(
  view: Rect,
  oval: Rect,
  videoWidth: number,
  videoHeight: number,
  frameWidth: number,
  frameHeight: number,
): Box {
  const scale = Math.max(view.width / videoWidth, view.height / videoHeight);
  const offsetX = (view.width - videoWidth * scale) / 2;
  const offsetY = (view.height - videoHeight * scale) / 2;
  // Mirrored: the oval's right edge on screen is its left edge in the frame.
  const xInView = view.left + view.width - (oval.left + oval.width);
  const toFrameX = frameWidth / videoWidth;
  const toFrameY = frameHeight / videoHeight;
  return {
    x: ((xInView - offsetX) / scale) * toFrameX,
    y: ((oval.top - view.top - offsetY) / scale) * toFrameY,
    width: (oval.width / scale) * toFrameX,
    height: (oval.height / scale) * toFrameY,
  };
}
