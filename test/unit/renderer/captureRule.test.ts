// The kiosk's automatic-capture rule: exactly one sharp, frontal, well-lit face filling the oval,
// still for a moment, then the countdown; everything else says why not.
import { describe, expect, it } from 'vitest';
import {
  advanceSteady,
  boxIsStill,
  CAPTURE_HINTS,
  guideInFrame,
  isFrontal,
  judgeFace,
  laplacianVariance,
  STEADY_MS,
  toGray,
  type Box,
  type FaceSample,
  type Point,
  type SeenFace,
  type SteadyState,
} from '../../../renderer/kiosk/captureRule.js';

const GUIDE: Box = { x: 110, y: 50, width: 100, height: 130 };
const HOLD_MS = 1500;

/** 68 landmarks of a face in `box`: jaw 0–16 on the box's sides, nose tip (30) at `noseAt` across, eyes tilted by `tiltDeg`. */
function landmarks(box: Box, { noseAt = 0.5, tiltDeg = 0 } = {}): Point[] {
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 }));
  for (let i = 0; i <= 16; i++) points[i] = { x: box.x + (box.width * i) / 16, y: box.y + box.height * 0.6 };
  points[30] = { x: box.x + box.width * noseAt, y: box.y + box.height * 0.6 };
  const eyeY = box.y + box.height * 0.4;
  const rise = Math.tan((tiltDeg * Math.PI) / 180) * box.width * 0.4;
  for (let i = 36; i < 42; i++) points[i] = { x: box.x + box.width * 0.3, y: eyeY };
  for (let i = 42; i < 48; i++) points[i] = { x: box.x + box.width * 0.7, y: eyeY - rise };
  return points;
}

function face(box: Box = { x: 115, y: 60, width: 90, height: 100 }, score = 0.95, lm?: Point[] | null): SeenFace {
  return { box, score, landmarks: lm === undefined ? landmarks(box) : lm };
}

function sample(faces: SeenFace[], extra: Partial<FaceSample> = {}): FaceSample {
  return { faces, guide: GUIDE, sharpness: 500, luminance: 128, ...extra };
}

describe('judgeFace', () => {
  it('accepts one sharp, frontal, well-lit face centred in the oval and filling it', () => {
    expect(judgeFace(sample([face()]))).toMatchObject({ ok: true });
  });

  it('wants a face, and only one', () => {
    expect(judgeFace(sample([]))).toMatchObject({ ok: false, reason: 'no-face' });
    expect(judgeFace(sample([face(undefined, 0.3)]))).toMatchObject({ ok: false, reason: 'no-face' });
    expect(judgeFace(sample([face(), face({ x: 10, y: 10, width: 60, height: 70 })]))).toMatchObject({
      ok: false,
      reason: 'several-faces',
    });
    // A weak second detection is not a second person.
    expect(judgeFace(sample([face(), face({ x: 10, y: 10, width: 60, height: 70 }, 0.2)]))).toMatchObject({ ok: true });
  });

  it('wants the face in the oval and big enough', () => {
    expect(judgeFace(sample([face({ x: 0, y: 60, width: 90, height: 100 })]))).toMatchObject({ ok: false, reason: 'off-centre' });
    expect(judgeFace(sample([face({ x: 145, y: 100, width: 30, height: 35 })]))).toMatchObject({ ok: false, reason: 'too-small' });
  });

  it('wants the face looking at the screen', () => {
    const box = { x: 115, y: 60, width: 90, height: 100 };
    expect(judgeFace(sample([face(box, 0.9, landmarks(box, { noseAt: 0.15 }))]))).toMatchObject({ ok: false, reason: 'not-frontal' });
    expect(judgeFace(sample([face(box, 0.9, landmarks(box, { tiltDeg: 30 }))]))).toMatchObject({ ok: false, reason: 'not-frontal' });
    // A slight turn and tilt is still looking at the screen.
    expect(judgeFace(sample([face(box, 0.9, landmarks(box, { noseAt: 0.55, tiltDeg: 8 }))]))).toMatchObject({ ok: true });
    expect([0.15, 0.55].map((noseAt) => isFrontal(landmarks(box, { noseAt })))).toEqual([false, true]);
  });

  it('wants enough light and a sharp picture', () => {
    expect(judgeFace(sample([face()], { luminance: 20 }))).toMatchObject({ ok: false, reason: 'too-dark' });
    expect(judgeFace(sample([face()], { luminance: 250 }))).toMatchObject({ ok: false, reason: 'too-bright' });
    expect(judgeFace(sample([face()], { sharpness: 5 }))).toMatchObject({ ok: false, reason: 'blurred' });
  });

  it('has words for every reason', () => {
    expect(CAPTURE_HINTS['no-face']).toMatch(/can.t see a face/i);
    for (const hint of Object.values(CAPTURE_HINTS)) expect(hint.length).toBeGreaterThan(3);
  });
});

describe('advanceSteady', () => {
  it('captures only after the face has been good and still for STEADY_MS and then the countdown', () => {
    let state: SteadyState = { goodSince: null, lastBox: null };
    const times: { t: number; reason: string | null; progress: number; capture: boolean }[] = [];
    for (let t = 0; t <= 300 + STEADY_MS + HOLD_MS + 300; t += 300) {
      const step = advanceSteady(state, sample([face()]), t, HOLD_MS);
      state = step.state;
      times.push({ t, reason: step.reason, progress: step.progress, capture: step.capture });
    }
    expect(times[0]).toMatchObject({ reason: 'moving', capture: false }); // nothing to compare with yet
    expect(times.filter((s) => s.t <= 300 + STEADY_MS).map((s) => s.progress)).toEqual(
      times.filter((s) => s.t <= 300 + STEADY_MS).map(() => 0),
    );
    // Good since the second sample (t = 300): the first capture is the first sample at or after 300 + STEADY_MS + HOLD_MS.
    const first = times.find((s) => s.capture);
    expect(first).toMatchObject({ t: 3000, reason: null, progress: 1 });
    expect(times.filter((s) => s.t < 300 + STEADY_MS + HOLD_MS && s.capture)).toEqual([]);
    // The countdown shows its progress on the way.
    expect(times.filter((s) => s.progress > 0 && s.progress < 1).length).toBeGreaterThan(0);
  });

  it('starts over when the face moves or goes away', () => {
    let state: SteadyState = { goodSince: null, lastBox: null };
    state = advanceSteady(state, sample([face()]), 0, HOLD_MS).state;
    state = advanceSteady(state, sample([face()]), 300, HOLD_MS).state;
    expect(state.goodSince).toBe(300);
    const moved = advanceSteady(state, sample([face({ x: 130, y: 60, width: 90, height: 100 })]), 600, HOLD_MS);
    expect(moved).toMatchObject({ reason: 'moving', progress: 0, capture: false });
    const gone = advanceSteady(moved.state, sample([]), 900, HOLD_MS);
    expect(gone).toMatchObject({ reason: 'no-face', state: { goodSince: null, lastBox: null } });
  });

  it('treats a jitter of a pixel or two as still', () => {
    const here = { x: 115, y: 60, width: 90, height: 100 };
    const cases = [
      ['a pixel or two', { x: 116.5, y: 61, width: 91, height: 100 }],
      ['a real step aside', { x: 130, y: 60, width: 90, height: 100 }],
    ] as const;
    expect(cases.map(([what, next]) => [what, boxIsStill(here, next, GUIDE)])).toEqual([
      ['a pixel or two', true],
      ['a real step aside', false],
    ]);
    // Nothing to compare with yet: not still.
    expect(boxIsStill(null, here, GUIDE)).toEqual(false);
  });
});

describe('laplacianVariance and toGray', () => {
  it('is high for a sharp edge and near zero for a flat or smooth picture', () => {
    const w = 32;
    const flat = new Float32Array(w * w).fill(120);
    const ramp = Float32Array.from({ length: w * w }, (_, i) => (i % w) * 4);
    const checker = Float32Array.from({ length: w * w }, (_, i) => (((i % w) + Math.floor(i / w)) % 2 ? 200 : 50));
    expect(laplacianVariance(flat, w, w)).toBe(0);
    expect(laplacianVariance(ramp, w, w)).toBeCloseTo(0);
    expect(laplacianVariance(checker, w, w)).toBeGreaterThan(1000);
  });

  it('reads luma from RGBA', () => {
    const { gray, mean } = toGray(Uint8ClampedArray.from([255, 255, 255, 255, 0, 0, 0, 255]));
    expect(Array.from(gray).map(Math.round)).toEqual([255, 0]);
    expect(mean).toBeCloseTo(127.5);
  });
});

describe('guideInFrame', () => {
  it('maps the on-screen oval into the mirrored, cover-fitted camera frame', () => {
    // A 640×480 camera shown in a 800×1280 portrait screen: scaled ×(1280/480), cropped left and right.
    const view = { left: 0, top: 0, width: 800, height: 1280 };
    const oval = { left: 152, top: 340, width: 496, height: 654 };
    const guide = guideInFrame(view, oval, 640, 480, 320, 240);
    const scale = 1280 / 480;
    expect(guide.width).toBeCloseTo(496 / scale / 2);
    expect(guide.height).toBeCloseTo(654 / scale / 2);
    // Centred on screen → centred in the frame, mirrored or not.
    expect(guide.x + guide.width / 2).toBeCloseTo(160);
    expect(guide.y).toBeCloseTo(340 / scale / 2);
    // An oval off to the screen's left is on the frame's right (the preview is a mirror).
    const left = guideInFrame(view, { ...oval, left: 0 }, 640, 480, 320, 240);
    expect(left.x + left.width / 2).toBeGreaterThan(160);
  });
});
