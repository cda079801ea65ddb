// Piscina entry point for the photo pool: one task = one photo, decoded once.
import sharp from 'sharp';
import type { PhotoTask, PhotoTaskResult } from '../src/pipeline/photo-task.js';
import { renderPhoto } from '../src/pipeline/render-photo.js';
import { createFaceStage, reusableFaceEngine } from '../src/vision/face-stage.js';

// The pool already runs one thread per core; letting libvips fan out inside each thread too
// would oversubscribe the CPU. Its operation cache only grows memory for one-shot images.
sharp.concurrency(1);
sharp.cache(false);

// This thread's face engine (ONNX sessions), opened on the first photo with faces switched on.
const faceStage = createFaceStage(reusableFaceEngine());

export default function processPhotoTask(task: PhotoTask): Promise<PhotoTaskResult> {
  return renderPhoto(task, task.faces ? [faceStage] : []);
}
