export { openEngine, type Engine, type EngineEvents, type EngineOptions, type EventSession } from './engine.js';
export { readEventStatus, type EventStatus } from './status.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { acquireDataDirLock, DataDirBusyError } from './data-dir-lock.js';
