// The laptop side of sync (issue 21): the operation log made by a state differ, the batcher, the
// resumable blob uploader and the HTTP client; core wires them as engine.sync.
export {
  createEventSync,
  eventDeviceId,
  NotEnrolledError,
  SyncPausedError,
  SYNC_DEBOUNCE_MS,
  IDLE_RESYNC_MS,
  type EventSync,
  type EventSyncDeps,
  type EnrolInput,
  type SyncLog,
} from './event-sync.js';
export { SyncRequestError, SYNC_TIMEOUTS, type SyncTimeouts } from './cloud-client.js';
export { addSyncSummaries, SyncGapError, SyncStoppedError, BLOBS_IN_FLIGHT, type SyncProgress, type SyncSummary } from './sync-run.js';
export { NoDeviceTokenError, tokenPath } from './device-token.js';
export { SYNC_BACKOFF, type BackoffPolicy } from './retry-policy.js';
export { BATCH_LIMITS, type BatchLimits } from './batcher.js';
