export { nextRetryAt, retryPolicyFor, shouldRetry, STORAGE_RETRY_MAX_MS, type BackoffPolicy, type FailureKind } from './backoff.js';
export { createSelfiePool, type SelfieAnalyser } from './selfie-pool.js';
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
