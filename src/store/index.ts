import type { Database } from 'better-sqlite3';
import { createEventsRepository } from './events-repository.js';
import { createJobsRepository } from './jobs-repository.js';
import { createPhotosRepository } from './photos-repository.js';
import { createSourcesRepository } from './sources-repository.js';

export * from './types.js';
export { openDatabase, checkpointAndClose, DatabaseOpenError, type Database, type OpenDatabaseOptions } from './database.js';
export { migrate, currentSchemaVersion, MigrationError, type Migration } from './migrate.js';
export { MIGRATIONS } from './migrations/index.js';
export type { EventsRepository } from './events-repository.js';
export type { SourcesRepository } from './sources-repository.js';
export type { JobsRepository, NewJob } from './jobs-repository.js';
export type {
  PhotosRepository,
  NewPhoto,
  FailedFile,
  FileIdentity,
  KnownFile,
  ProcessedPhoto,
  PhotoListQuery,
} from './photos-repository.js';

export function createRepositories(db: Database) {
  const jobs = createJobsRepository(db);
  return {
    events: createEventsRepository(db),
    sources: createSourcesRepository(db),
    jobs,
    photos: createPhotosRepository(db, jobs),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
