export { nextRetryAt, retryPolicyFor, shouldRetry, STORAGE_RETRY_MAX_MS, type BackoffPolicy, type FailureKind } from './backoff.js';
export { perceptualHash, hammingDistance, PHASH_INPUT_SIZE } from './perceptual-hash.js';
export type { ClipJobResult, ClipJobTask, ClipTaskOptions, FaceTaskOptions, MediaOptions, PhotoTask, PhotoTaskResult, PhotoTaskTimings } from './photo-task.js';
export type { AnalysisStage, AnalysisImage, AnalysisContext, AnalysisOutput, OriginalRegion } from './analysis-stages.js';
export {
  createPhotoWorkerPool,
  defaultWorkerThreads,
  thisMachine,
  WORKER_MEMORY_MB,
  packageRoot,
  workerScriptPath,
  WorkerScriptMissingError,
  type PhotoProcessor,
} from './worker-pool.js';
export { createScheduler, type Scheduler, type SchedulerDeps, type SchedulerPolicy, type PhotoOutcome } from './scheduler.js';
export { groupBursts, chooseBestFrame, eyeAspectRatio, imageSharpness, needsImageSharpness, multiFrameBursts, cameraKeyOf, DEFAULT_BURST_RULES, type BurstFrame, type BurstGroup, type BurstRules } from './burst-grouping.js';
export { regroupEventBursts, type RegroupSummary } from './burst-regrouping.js';
