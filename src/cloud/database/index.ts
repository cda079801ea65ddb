// The cloud endpoint's PostgreSQL: the pool, the migrations and the repositories. All of the
// cloud's SQL lives in this folder.
export { openCloudDatabase, type CloudDatabase, type OpenCloudDatabaseOptions, type Queryable } from './cloud-database.js';
export { migrateCloudDatabase, type CloudMigration, type MigrationResult } from './migrate.js';
export { CLOUD_MIGRATIONS } from './migrations/index.js';
export * from './events-repository.js';
export * from './devices-repository.js';
export * from './operations-repository.js';
export * from './person-links-repository.js';
export * from './blobs-repository.js';
export * from './deliveries-repository.js';
export * from './event-summary-repository.js';
export * from './organiser-photos-repository.js';
export { openGallery, type GalleryPhoto, type OpenedGallery } from './galleries-repository.js';
