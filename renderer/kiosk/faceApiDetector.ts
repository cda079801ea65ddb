// The in-page face detector: face-api's tiny face detector and tiny 68-landmark net (tfjs bundled),
// loaded once, lazily, when the camera screen first opens. The models are served from
// /assets/face-models/ (copied from node_modules at build time by vite.config.ts); nothing is
// fetched from outside the kiosk's own server.
import { DETECT_INPUT_WIDTH, type SeenFace } from './captureRule.js';
import { within } from './timeLimit.js';

/** How long one tfjs backend may take to start and run the nets once before the next is tried. */
export const BACKEND_START_MS = 10_000;

/** Where the build puts the model manifests and weights. */
export const FACE_MODELS_URL = '/assets/face-models';

/** Finds the faces (box, score, landmarks) in a frame drawn on a canvas, in that canvas's pixels. */
export type FaceFinder = (frame: HTMLCanvasElement) => Promise<SeenFace[]>;

/** The part of the bundled tfjs used here (face-api's own types declare only a subset). */
interface TfBackends {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
}

let loading: Promise<FaceFinder> | null = null;

/** Loads face-api and its models once; rejects (and is retried on the next call) if anything fails. */
export function loadFaceFinder(): Promise<FaceFinder> {
  loading ??= load().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

async function load(): Promise<FaceFinder> {
  const faceapi = await import('@vladmandic/face-api/dist/face-api.esm.js');
  const tf = faceapi.tf as unknown as TfBackends;
  await Promise.all([
    faceapi.nets.tinyFaceDetector.loadFromUri(FACE_MODELS_URL),
    faceapi.nets.faceLandmark68TinyNet.loadFromUri(FACE_MODELS_URL),
  ]);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: DETECT_INPUT_WIDTH, scoreThreshold: 0.3 });
  const find: FaceFinder = async (frame) => {
    const results = await faceapi.detectAllFaces(frame, options).withFaceLandmarks(true);
    return results.map((r) => ({
      box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height },
      score: r.detection.score,
      landmarks: r.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
    }));
  };
  // WebGL where the browser has it (a real tablet); the CPU backend otherwise (headless, no GPU).
  // A backend that initialises but cannot run the nets is caught by the warm-up run, and one that
  // takes longer than BACKEND_START_MS to get there is left for the next. Once, in the browser tests
  // (Chromium without a GPU), the detector had still not started 30 s after its models had arrived,
  // with no backend failing: the selfie was never taken by itself. Most likely WebGL in software.
  const warmUp = document.createElement('canvas');
  warmUp.width = DETECT_INPUT_WIDTH;
  warmUp.height = (DETECT_INPUT_WIDTH * 3) / 4;
  for (const backend of ['webgl', 'cpu']) {
    try {
      const started = async () => {
        if (!(await tf.setBackend(backend))) return false;
        await tf.ready();
        await find(warmUp);
        return true;
      };
      if (await within(started(), BACKEND_START_MS, `Face detection: the ${backend} backend`)) return find;
    } catch (error) {
      console.warn(`Face detection: the ${backend} backend failed`, error);
    }
  }
  throw new Error('Face detection: no tfjs backend works in this browser');
}
