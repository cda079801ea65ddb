// Piscina entry point for the photo pool: one task = one photo, decoded once for every stage it runs.
import { getPriority, setPriority } from 'node:os';
import sharp from 'sharp';
import {
  createClipStage,
  createFaceStage,
  embedPreview,
  photoThreadNice,
  renderPhoto,
  reusableClipEngine,
  reusableFaceEngine,
  type ClipJobResult,
  type ClipJobTask,
  type FaceTaskOptions,
  type PhotoTask,
  type PhotoTaskResult,
} from '../src/photo/index.js';

// Before any model opens, so ONNX Runtime's threads inherit it (see photoThreadNice). Pid 0 is
// this thread on Linux. A refusal leaves photos at normal priority: slower kiosks, never wrong.
const nice = photoThreadNice(process.platform);
if (nice !== null && getPriority(0) < nice) {
  try {
    setPriority(0, nice);
  } catch (err) {
    console.warn(`Photo worker: could not lower its priority (${(err as Error).message}); kiosk answers may slow down during ingest.`);
  }
}

// The pool already runs one thread per core; letting libvips fan out inside each thread too
// would oversubscribe the CPU. Its operation cache only grows memory for one-shot images.
sharp.concurrency(1);
sharp.cache(false);

// This thread's ONNX sessions (faces, CLIP), opened on the first photo that needs them.
const faceEngines = reusableFaceEngine();
const faceStage = createFaceStage(faceEngines);
const clipEngines = reusableClipEngine();
const clipStage = createClipStage(clipEngines);

export default function processPhotoTask(task: PhotoTask): Promise<PhotoTaskResult> {
  return renderPhoto(task, [...(task.faces ? [faceStage] : []), ...(task.clip ? [clipStage] : [])]);
}

/** Back-fill of scene search for a photo that is already ready (piscina task name 'embedClip'). */
export function embedClip(task: ClipJobTask): Promise<ClipJobResult> {
  return embedPreview(task, clipEngines);
}

/** Opens this thread's face models ahead of the first photo (piscina task name 'warmUp'). */
export async function warmUp(faces: FaceTaskOptions): Promise<void> {
  await faceEngines(faces);
}

/** Answered once this thread has loaded this script: the pool's close() waits for it (piscina task name 'loaded'; see untilThreadsLoaded). */
export function loaded(): void {}
