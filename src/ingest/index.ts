export { decideReadiness, recordObservation, type FileObservation, type ReadinessPolicy, type ReadinessDecision } from './readiness.js';
export { observeFile, describeUnreadableFile } from './probe.js';
export { sha256File } from './hashing.js';
export { admitFile, classifyExisting, type Admission, type AdmitDeps } from './admit.js';
export { listPhotoFiles, type ScanProblem } from './scan.js';
export { watchFolder, type FolderWatch, type FolderWatchHandlers } from './watcher.js';
export {
  createIntake,
  readinessPolicyFor,
  LIVE_PRIORITY,
  BACKLOG_PRIORITY,
  type Intake,
  type IntakeMode,
  type IntakeOptions,
} from './intake.js';
export { STORAGE_REMINDER_MS, type WaitingFile } from './storage-waits.js';
export { createHotFolders, type HotFolders } from './hot-folders.js';
export { pairByCapture, mergeStoredPairs } from './capture-merge.js';
