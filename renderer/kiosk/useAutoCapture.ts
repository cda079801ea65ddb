// Samples the live video every SAMPLE_MS and takes the selfie once the picture has been good for HOLD_MS.
import { useEffect, useRef, useState, type RefObject } from 'react';
import {
  advanceHold,
  judgeFrame,
  measureFrame,
  SAMPLE_HEIGHT,
  SAMPLE_MS,
  SAMPLE_WIDTH,
  type FaceSighting,
} from './autoCapture.js';
import { createFaceSighter } from './faceDetector.js';

export interface AutoCaptureView {
  /** What to tell the visitor while the picture is not good yet; null while holding. */
  hint: string | null;
  /** 0..1 of the hold before the automatic capture. */
  progress: number;
}

export function useAutoCapture(
  videoRef: RefObject<HTMLVideoElement | null>,
  enabled: boolean,
  onCapture: () => void,
): AutoCaptureView {
  const [view, setView] = useState<AutoCaptureView>({ hint: null, progress: 0 });
  const capture = useRef(onCapture);
  capture.current = onCapture;

  useEffect(() => {
    if (!enabled) {
      setView({ hint: null, progress: 0 });
      return;
    }
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
        capture.current();
      }
    }, SAMPLE_MS);
    return () => window.clearInterval(timer);
  }, [enabled, videoRef]);

  return view;
}
