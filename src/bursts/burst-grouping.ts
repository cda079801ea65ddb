// Bursts: near-identical consecutive frames of one scene from one camera body, shown as one
// best frame (sharpest, eyes open where landmarks allow) with the rest one tap away.
// Pure decisions over plain data; the store loads the frames and keeps the groups.
import { hammingDistance } from '../photo/index.js';
import type { CameraMetadata } from '../store/index.js';

export interface BurstFrame {
  photoId: number;
  /** Capture time in ms (EXIF); frames without one are never grouped. */
  capturedAt: number;
  /** One camera body: serial, else make+model, else the source folder. */
  cameraKey: string;
  /** 64-bit DCT pHash as 16 hex digits. */
  phash: string;
  /** L2-normalised CLIP image embedding, when a CLIP model is installed. */
  clip?: Float32Array | null;
  /** 0..1, higher is sharper; comparable only within one burst (see chooseBestFrame). */
  sharpness: number | null;
  /** Eye aspect ratio of the main face (mean of both eyes); null when there is no face. */
  eyesOpen?: number | null;
}

export interface BurstRules {
  /** Longest pause between two consecutive frames of one burst. */
  maxGapMs: number;
  /** Largest pHash Hamming distance (of 64 bits) to the previous frame and to the burst's first. */
  maxPhashDistance: number;
  /** Smallest CLIP cosine similarity to the previous frame, checked when both frames have one. */
  minClipSimilarity: number;
  /** An eye aspect ratio below this is a closed eye. */
  closedEyeRatio: number;
}

/**
 * maxGapMs: burst mode is 3-20 frames/s (50-330 ms apart) and a photographer re-firing at the
 * same pose takes 0.5-1.5 s; EXIF DateTimeOriginal is stored to the whole second (SubSecTime is
 * not read yet), so a 1.2 s real pause can show as 2 s. 2 s admits every real gap up to 1 s.
 *
 * maxPhashDistance: measured on the six sample photos at 1200 px through the pipeline's own
 * 400 px thumbnail -> 32x32 hash path: frames a burst produces (re-noised sensor grain, 1-3%
 * shifts, a 5% crop, ±8% exposure, a 3 px blur, 1.5° tilt) differ by 0-14 bits (median 2);
 * the 15 pairs of different photos by 24-36 bits, the same photo reframed (20% zoom) by 20-22
 * and a 10% pan by 10-22. 16 takes every burst-like change with two bits to spare and stays 8
 * bits below the nearest different photo; the time gap and the camera body do the rest.
 *
 * minClipSimilarity: CLIP ViT-B/32 image embeddings of the same scene a moment apart sit above
 * ~0.9 cosine, different scenes of one event mostly at 0.6-0.85; 0.9 is a veto only (pHash and
 * time already have to agree), so it only splits frames whose content changed (someone walked in).
 *
 * closedEyeRatio: Soukupová & Čech (2016), "Real-Time Eye Blink Detection using Facial
 * Landmarks": open eyes give EAR ~0.25-0.35 on 68-point landmarks, closed eyes < 0.2.
 */
export const DEFAULT_BURST_RULES: BurstRules = {
  maxGapMs: 2000,
  maxPhashDistance: 16,
  minClipSimilarity: 0.9,
  closedEyeRatio: 0.2,
};

export interface BurstGroup {
  cameraKey: string;
  /** In capture order. */
  frames: BurstFrame[];
  startedAt: number;
  endedAt: number;
}

function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Whether `next` continues the burst that starts at `first` and last saw `previous`. */
export function continuesBurst(first: BurstFrame, previous: BurstFrame, next: BurstFrame, rules: BurstRules): boolean {
  if (next.cameraKey !== previous.cameraKey) return false;
  if (next.capturedAt - previous.capturedAt > rules.maxGapMs) return false;
  // Checked against the first frame too, so a slow pan cannot chain one scene into the next.
  if (hammingDistance(previous.phash, next.phash) > rules.maxPhashDistance) return false;
  if (hammingDistance(first.phash, next.phash) > rules.maxPhashDistance) return false;
  if (previous.clip && next.clip && previous.clip.length === next.clip.length) {
    if (cosineSimilarity(previous.clip, next.clip) < rules.minClipSimilarity) return false;
  }
  return true;
}

const byCaptureTime = (a: BurstFrame, b: BurstFrame): number => a.capturedAt - b.capturedAt || a.photoId - b.photoId;

/**
 * Every frame lands in exactly one group (a lone frame is a group of one), per camera body in
 * capture order; groups come back ordered by start time, then camera.
 */
export function groupBursts(frames: readonly BurstFrame[], rules: BurstRules = DEFAULT_BURST_RULES): BurstGroup[] {
  const perCamera = new Map<string, BurstFrame[]>();
  for (const f of frames) {
    const list = perCamera.get(f.cameraKey);
    if (list) list.push(f);
    else perCamera.set(f.cameraKey, [f]);
  }
  const groups: BurstGroup[] = [];
  for (const [cameraKey, list] of perCamera) {
    list.sort(byCaptureTime);
    let current: BurstFrame[] = [];
    const close = (): void => {
      if (current.length)
        groups.push({ cameraKey, frames: current, startedAt: current[0]!.capturedAt, endedAt: current.at(-1)!.capturedAt });
    };
    for (const f of list) {
      if (current.length && continuesBurst(current[0]!, current.at(-1)!, f, rules)) current.push(f);
      else {
        close();
        current = [f];
      }
    }
    close();
  }
  return groups.sort((a, b) => a.startedAt - b.startedAt || a.cameraKey.localeCompare(b.cameraKey));
}

/** Groups of two or more frames: the only ones that need a best frame and a store row. */
export const multiFrameBursts = (groups: readonly BurstGroup[]): BurstGroup[] => groups.filter((g) => g.frames.length > 1);

/**
 * The frame to show for a burst: frames whose main face has its eyes closed lose to any frame
 * without that problem; then the sharpest; ties go to the earliest. A frame with no face (no
 * eye ratio) is not penalised: "eyes open where landmarks allow".
 */
export function chooseBestFrame(
  frames: readonly BurstFrame[],
  rules: Pick<BurstRules, 'closedEyeRatio'> = DEFAULT_BURST_RULES,
): BurstFrame {
  if (frames.length === 0) throw new Error('chooseBestFrame needs at least one frame');
  const eyesClosed = (f: BurstFrame): boolean => f.eyesOpen != null && f.eyesOpen < rules.closedEyeRatio;
  const score = (f: BurstFrame): number => f.sharpness ?? -1;
  let best = frames[0]!;
  for (const f of frames.slice(1)) {
    const closedNow = eyesClosed(best),
      closedNext = eyesClosed(f);
    if (closedNow !== closedNext) {
      if (closedNow) best = f;
      continue;
    }
    if (score(f) > score(best) || (score(f) === score(best) && byCaptureTime(f, best) < 0)) best = f;
  }
  return best;
}

/**
 * Face sharpness (from the aligned face crops) and image sharpness (from the thumbnail) are on
 * different scales, so a burst where some frame has no face sharpness is ranked on the image
 * measure for all its frames: the caller computes it for those frames only.
 */
export const needsImageSharpness = (group: BurstGroup): boolean => group.frames.some((f) => f.sharpness == null);

type Point = readonly [number, number];

const point = (landmarks: ArrayLike<number>, i: number): Point => [landmarks[2 * i]!, landmarks[2 * i + 1]!];
const distance = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

function oneEye(landmarks: ArrayLike<number>, first: number): number {
  const [p1, p2, p3, p4, p5, p6] = [0, 1, 2, 3, 4, 5].map((k) => point(landmarks, first + k)) as [Point, Point, Point, Point, Point, Point];
  const width = distance(p1, p4);
  return width === 0 ? 0 : (distance(p2, p6) + distance(p3, p5)) / (2 * width);
}

// iBUG 68-point layout: 36-41 one eye, 42-47 the other, each from outer corner clockwise.
const RIGHT_EYE_FIRST = 36,
  LEFT_EYE_FIRST = 42,
  LANDMARK_POINTS = 68;

/** Mean eye aspect ratio of both eyes from 68 (x, y) landmarks, flat as stored; null if malformed. */
export function eyeAspectRatio(landmarks: ArrayLike<number>): number | null {
  if (landmarks.length < LANDMARK_POINTS * 2) return null;
  return (oneEye(landmarks, RIGHT_EYE_FIRST) + oneEye(landmarks, LEFT_EYE_FIRST)) / 2;
}

/**
 * Sharpness 0..1 from the variance of the Laplacian of a greyscale image (4-neighbour kernel),
 * squashed like the face measure (variance / (variance + 100)) so higher is sharper.
 */
export function imageSharpness(grey: Uint8Array, width: number, height: number): number {
  let sum = 0,
    sumSq = 0,
    n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const o = y * width + x;
      const lap = grey[o - 1]! + grey[o + 1]! + grey[o - width]! + grey[o + width]! - 4 * grey[o]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const variance = sumSq / n - (sum / n) ** 2;
  return variance / (variance + 100);
}

export interface CameraIdentity extends Pick<CameraMetadata, 'cameraSerial' | 'cameraMake' | 'cameraModel'> {
  sourceId: number | null;
}

/**
 * One key per camera body. Two bodies of the same model without a serial in their EXIF share a
 * key; their frames still have to match in pHash within the gap to join, which two
 * photographers shooting the same scene in the same second rarely do.
 */
export function cameraKeyOf(c: CameraIdentity): string {
  if (c.cameraSerial) return `serial:${c.cameraMake ?? ''}:${c.cameraSerial}`;
  if (c.cameraMake || c.cameraModel) return `model:${c.cameraMake ?? ''}:${c.cameraModel ?? ''}`;
  return c.sourceId != null ? `source:${c.sourceId}` : 'unknown';
}
