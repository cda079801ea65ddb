// The worker side of one photo: render its previews, read its metadata, run the analysis stages
// (faces, scene) on the decoded pixels, and analyse a selfie. Plain data in, plain data out; no
// database, no queue.
export { photoThreadNice, PHOTO_THREAD_NICE } from './thread-priority.js';
export { renderPhoto } from './render-photo.js';
export { perceptualHash, hammingDistance, PHASH_INPUT_SIZE } from './perceptual-hash.js';
export type {
  ClipJobResult,
  ClipJobTask,
  ClipTaskOptions,
  FaceTaskOptions,
  MediaOptions,
  PhotoTask,
  PhotoTaskResult,
  PhotoTaskTimings,
  FailureKind,
} from './photo-task.js';
export type { AnalysisStage, AnalysisImage, AnalysisContext, AnalysisOutput, OriginalRegion } from './analysis-stages.js';
export { OVERVIEW_LONG_SIDE } from './analysis-stages.js';
export { createFaceStage, reusableFaceEngine } from './face-stage.js';
export { createClipStage, reusableClipEngine, embedPreview } from './clip-stage.js';
export { analyseImage, ImageReadError, ANALYSIS_LONG_SIDE, type AnalysedFile } from './analyse-file.js';
export { meanLuma } from './image-brightness.js';
export { analyseSelfie, SELFIE_DETECT, type AnalysedSelfie, type SelfieFace, type SelfieTask } from './selfie-analysis.js';
export { groupingSignals, groupingTask, runGroupingTask, stopGrouping, type GroupingTask, type GroupingResult } from './grouping-task.js';
