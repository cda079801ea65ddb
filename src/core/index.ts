// What adapters (server, CLI, later the desktop shell) may use: the engine and its use cases, its
// status, the logger and the data-dir lock, and the domain types the use cases hand back.
export {
  openEngine,
  engineRepositories,
  engineFaceIndexes,
  SCENE_BACKFILL_PRIORITY,
  type Engine,
  type EngineEvents,
  type EngineOptions,
  type EventSession,
} from './engine.js';
export {
  readEventStatus,
  readStorageStatus,
  LOW_SPACE_BYTES,
  TURN_ON_SCENE_SEARCH,
  type EventStatus,
  type SyncStatus,
  type SceneStatus,
  type StorageStatus,
} from './status.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { acquireDataDirLock, DataDirBusyError } from './data-dir-lock.js';
export { runAsBackgroundWork, BACKGROUND_NICE } from './process-priority.js';
export type {
  Delivery,
  Event,
  KioskDevice,
  Photo,
  PhotoFile,
  PhotoStatus,
  Source,
  StoredBurst,
  StoredFace,
  PersonSummary,
} from '../store/index.js';
export type { PhotoWithFaces, CameraCount } from '../catalogue/index.js';
export type { PersonWithSamples } from '../people/index.js';
export { MAX_PERSON_SAMPLES } from '../people/index.js';
export type { MatchedSelfie, SceneResult } from '../search/index.js';
export type { TakenHome, OpenGallery, OptOutRecord, HiddenFace, DeliveryRecord } from '../kiosk/index.js';
export { openReader, NoDataError, type DataDirReader } from './reader.js';
export { DatabaseDamagedError, isDatabaseDamage } from '../store/index.js';
export { UnknownEventError } from '../catalogue/index.js';
export { SelfieError, SceneSearchError, SCENE_SEARCH_OFF } from '../search/index.js';
export { PeopleEditError } from '../people/index.js';
export { repairDataDir, NothingToRepairError, type RepairReport } from './repair.js';
export { openFaceTools, type FaceTools } from './face-tools.js';
export { KioskError, type KioskProblem } from '../kiosk/index.js';
export { listPhotoFiles, type Admission } from '../ingest/index.js';
export { packageRoot } from '../config/index.js';
export { PHOTO_STAGES, type PhotoStage } from '../store/index.js';
export { StageOffError, type StageQueued } from '../pipeline/index.js';
export {
  ExportRequestError,
  ExportWriteError,
  type ExportLayout,
  type ExportProgress,
  type ExportSummary,
  type ExportedFiles,
  type OrganiserExportOptions,
} from '../export/index.js';
export type { EventExports } from './event-exports.js';
export {
  GalleryLogoError,
  MAX_GALLERY_LOGO_BYTES,
  type GalleryBranding,
  type GalleryLogo,
  type GalleryLogoProblem,
} from './gallery-branding.js';
export {
  NotEnrolledError,
  SyncPausedError,
  SyncRequestError,
  SyncGapError,
  SyncStoppedError,
  NoDeviceTokenError,
  type EventSync,
  type SyncProgress,
  type SyncSummary,
} from '../sync/index.js';
