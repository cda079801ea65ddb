export { nextRetryAt, retryPolicyFor, shouldRetry, STORAGE_RETRY_MAX_MS, type BackoffPolicy, type FailureKind } from './backoff.js';
export { createSelfiePool, type SelfieAnalyser } from './selfie-pool.js';
export { createGroupingThread, type GroupingThread } from './grouping-pool.js';
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
export {
  createScheduler,
  FACES_OFF_NOTE,
  SCENE_OFF_NOTE,
  type Scheduler,
  type SchedulerDeps,
  type SchedulerPolicy,
  type PhotoOutcome,
} from './scheduler.js';
export { queueStageAgain, REPROCESS_PRIORITY, StageOffError, type ReprocessDeps, type StageQueued } from './reprocess.js';
