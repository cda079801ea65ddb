// The browser's Shape Detection FaceDetector (Chrome on Android/ChromeOS/macOS), where it exists.
// It is not in TypeScript's DOM types, so the small part used here is declared.
import type { FaceSighting } from './autoCapture.js';

interface DetectedFace {
  boundingBox: DOMRectReadOnly;
}
interface FaceDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedFace[]>;
}
type FaceDetectorConstructor = new (options?: { fastMode?: boolean; maxDetectedFaces?: number }) => FaceDetectorLike;

/** A function that looks for faces in the video, or null where the browser cannot. */
export function createFaceSighter(): ((video: HTMLVideoElement) => Promise<FaceSighting | null>) | null {
  const Detector = (window as unknown as { FaceDetector?: FaceDetectorConstructor }).FaceDetector;
  if (!Detector) return null;
  let detector: FaceDetectorLike;
  try {
    detector = new Detector({ fastMode: true, maxDetectedFaces: 4 });
  } catch {
    return null; // Present but disabled (the flag-only builds throw NotSupportedError).
  }
  return async (video) => {
    try {
      const faces = await detector.detect(video);
      const largest = Math.max(0, ...faces.map((f) => f.boundingBox.width));
      return { count: faces.length, largestWidth: video.videoWidth ? largest / video.videoWidth : 0 };
    } catch {
      return null; // A frame the detector could not read: judge by light and stillness alone.
    }
  };
}
