// Piscina entry point for the photo pool: one task = one photo, decoded once.
import sharp from 'sharp';
import type { PhotoTask, PhotoTaskResult } from '../src/pipeline/photo-task.js';
import { renderPhoto } from '../src/pipeline/render-photo.js';
import { faceStage } from '../src/vision/face-stage.js';

// The pool already runs one thread per core; letting libvips fan out inside each thread too
// would oversubscribe the CPU. Its operation cache only grows memory for one-shot images.
sharp.concurrency(1);
sharp.cache(false);

export default function processPhotoTask(task: PhotoTask): Promise<PhotoTaskResult> {
  return renderPhoto(task, task.faces ? [faceStage] : []);
}
