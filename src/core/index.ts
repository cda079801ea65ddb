export { openEngine, SCENE_BACKFILL_PRIORITY, type Engine, type EngineEvents, type EngineOptions, type EventSession } from './engine.js';
export { readEventStatus, readStorageStatus, LOW_SPACE_BYTES, TURN_ON_SCENE_SEARCH, type EventStatus, type SceneStatus, type StorageStatus } from './status.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { acquireDataDirLock, DataDirBusyError } from './data-dir-lock.js';
export { runAsBackgroundWork, BACKGROUND_NICE } from './process-priority.js';
export { PHOTO_STAGES, type PhotoStage } from '../store/index.js';
export { StageOffError, type StageQueued } from '../pipeline/index.js';
