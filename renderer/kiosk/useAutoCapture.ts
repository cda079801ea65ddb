// Takes the selfie by itself once exactly one sharp, frontal face fills the oval and holds still
// (captureRule.ts), using face-api's tiny detector in the page. Where its models cannot be loaded,
// it falls back to the browser's FaceDetector (if any) plus light and stillness (autoCapture.ts).
import { useEffect, useRef, useState, type RefObject } from 'react';
import {
  advanceHold,
  HOLD_MS,
  judgeFrame,
  measureFrame,
  SAMPLE_HEIGHT,
  SAMPLE_MS,
  SAMPLE_WIDTH,
  type FaceSighting,
} from './autoCapture.js';
import {
  advanceSteady,
  CAPTURE_HINTS,
  DETECT_EVERY_MS,
  DETECT_INPUT_WIDTH,
  FACE_CROP_SIZE,
  guideInFrame,
  laplacianVariance,
  MIN_FACE_SCORE,
  toGray,
  type Box,
  type SteadyState,
} from './captureRule.js';
import { loadFaceFinder, type FaceFinder } from './faceApiDetector.js';
import { createFaceSighter } from './faceDetector.js';

export interface AutoCaptureView {
  /** What to tell the visitor while the picture is not good yet; null while holding. */
  hint: string | null;
  /** 0..1 of the hold before the automatic capture. */
  progress: number;
}

type Detection = { kind: 'loading' } | { kind: 'models'; find: FaceFinder } | { kind: 'fallback' };

/** Said while the face is good and the kiosk waits for it to stay still before the 3-2-1. */
const SETTLING_HINT = 'Hold still…';

export function useAutoCapture(
  videoRef: RefObject<HTMLVideoElement | null>,
  guideRef: RefObject<HTMLElement | null>,
  enabled: boolean,
  onCapture: () => void,
): AutoCaptureView {
  const [view, setView] = useState<AutoCaptureView>({ hint: null, progress: 0 });
  const [detection, setDetection] = useState<Detection>({ kind: 'loading' });
  const capture = useRef(onCapture);
  capture.current = onCapture;

  // The models load as soon as the camera screen opens, while the camera starts.
  useEffect(() => {
    let live = true;
    loadFaceFinder().then(
      (find) => live && setDetection({ kind: 'models', find }),
      (error: unknown) => {
        console.warn('Face detection models could not be loaded; the selfie is taken on light and stillness instead.', error);
        if (live) setDetection({ kind: 'fallback' });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!enabled) {
      setView({ hint: null, progress: 0 });
      return;
    }
    if (detection.kind === 'loading') return;
    if (detection.kind === 'models') {
      return runModels(
        detection.find,
        videoRef,
        guideRef,
        setView,
        () => capture.current(),
        () => setDetection({ kind: 'fallback' }),
      );
    }
    return runFallback(videoRef, setView, () => capture.current());
  }, [enabled, detection, videoRef, guideRef]);

  return view;
}

/** The oval in the sampled frame's pixels; the middle of the frame where the oval is not on screen. */
function currentGuide(video: HTMLVideoElement, guide: HTMLElement | null, frameWidth: number, frameHeight: number): Box {
  const view = video.getBoundingClientRect();
  const oval = guide?.getBoundingClientRect();
  if (!oval || !oval.width || !view.width) {
    return { x: frameWidth * 0.3, y: frameHeight * 0.15, width: frameWidth * 0.4, height: frameHeight * 0.7 };
  }
  return guideInFrame(view, oval, video.videoWidth, video.videoHeight, frameWidth, frameHeight);
}

function runModels(
  find: FaceFinder,
  videoRef: RefObject<HTMLVideoElement | null>,
  guideRef: RefObject<HTMLElement | null>,
  setView: (view: AutoCaptureView) => void,
  onCapture: () => void,
  onBroken: () => void,
): () => void {
  const frame = document.createElement('canvas');
  const frameContext = frame.getContext('2d', { willReadFrequently: true });
  const crop = document.createElement('canvas');
  crop.width = FACE_CROP_SIZE;
  crop.height = FACE_CROP_SIZE;
  const cropContext = crop.getContext('2d', { willReadFrequently: true });
  let state: SteadyState = { goodSince: null, lastBox: null };
  let done = false;
  let timer = 0;

  const tick = async () => {
    const started = performance.now();
    const video = videoRef.current;
    if (frameContext && cropContext && video && video.readyState >= 2 && video.videoWidth) {
      // A downscaled copy of the frame for the tiny detector (its 320 px input).
      frame.width = DETECT_INPUT_WIDTH;
      frame.height = Math.round((DETECT_INPUT_WIDTH * video.videoHeight) / video.videoWidth);
      frameContext.drawImage(video, 0, 0, frame.width, frame.height);
      let faces;
      try {
        faces = await find(frame);
      } catch (error) {
        console.warn('Face detection failed; the selfie is taken on light and stillness instead.', error);
        if (!done) onBroken();
        return;
      }
      if (done) return;
      const strong = faces.filter((f) => f.score >= MIN_FACE_SCORE);
      let sharpness: number | null = null;
      let luminance: number | null = null;
      if (strong.length === 1) {
        // Sharpness and light over the face itself, cut from the full-size video at a fixed size.
        const k = video.videoWidth / frame.width;
        const { x, y, width, height } = strong[0]!.box;
        cropContext.drawImage(video, x * k, y * k, width * k, height * k, 0, 0, FACE_CROP_SIZE, FACE_CROP_SIZE);
        const { gray, mean } = toGray(cropContext.getImageData(0, 0, FACE_CROP_SIZE, FACE_CROP_SIZE).data);
        sharpness = laplacianVariance(gray, FACE_CROP_SIZE, FACE_CROP_SIZE);
        luminance = mean;
      }
      const guide = currentGuide(video, guideRef.current, frame.width, frame.height);
      const step = advanceSteady(state, { faces, guide, sharpness, luminance }, performance.now(), HOLD_MS);
      state = step.state;
      setView({ hint: step.reason ? CAPTURE_HINTS[step.reason] : step.progress > 0 ? null : SETTLING_HINT, progress: step.progress });
      if (step.capture) {
        done = true;
        onCapture();
        return;
      }
    }
    if (!done) timer = window.setTimeout(() => void tick(), Math.max(0, DETECT_EVERY_MS - (performance.now() - started)));
  };
  void tick();
  return () => {
    done = true;
    window.clearTimeout(timer);
  };
}

/** The behaviour without face models: the browser's FaceDetector where present, light and stillness always. */
function runFallback(
  videoRef: RefObject<HTMLVideoElement | null>,
  setView: (view: AutoCaptureView) => void,
  onCapture: () => void,
): () => void {
  const canvas = document.createElement('canvas');
  canvas.width = SAMPLE_WIDTH;
  canvas.height = SAMPLE_HEIGHT;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const sightFaces = createFaceSighter();
  let previous: Float32Array | null = null;
  let goodSince: number | null = null;
  let faces: FaceSighting | null = null;
  let detecting = false;
  let done = false;

  const timer = window.setInterval(() => {
    const video = videoRef.current;
    if (done || !context || !video || video.readyState < 2) return;
    context.drawImage(video, 0, 0, SAMPLE_WIDTH, SAMPLE_HEIGHT);
    const stats = measureFrame(context.getImageData(0, 0, SAMPLE_WIDTH, SAMPLE_HEIGHT).data, previous);
    previous = stats.luma;
    if (sightFaces && !detecting) {
      // Detection can take longer than a sample; the latest finished answer is used.
      detecting = true;
      void sightFaces(video).then((seen) => {
        faces = seen;
        detecting = false;
      });
    }
    const verdict = judgeFrame(stats, sightFaces ? faces : null);
    const hold = advanceHold(goodSince, verdict, performance.now());
    goodSince = hold.goodSince;
    setView({ hint: verdict.ok ? null : verdict.hint, progress: hold.progress });
    if (hold.capture) {
      done = true;
      onCapture();
    }
  }, SAMPLE_MS);
  return () => {
    done = true;
    window.clearInterval(timer);
  };
}
