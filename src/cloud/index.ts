// The reference cloud endpoint: several laptops sync one event into PostgreSQL and a blob store;
// take-home links, emails and the organiser's page keep working after the event.
export { startCloudServer, type CloudServer, type CloudServerOptions } from './cloud-server.js';
export { buildCloudApp, type CloudAppDeps } from './cloud-app.js';
export {
  addJoinCode,
  createCloudEvent,
  eventPolicy,
  organiserSummary,
  type CreatedCloudEvent,
  type NewCloudEvent,
  type OrganiserPerson,
  type OrganiserSummary,
} from './cloud-events.js';
export { ORGANISER_API_PREFIX } from './organiser-routes.js';
export { CloudRequestError } from './cloud-errors.js';
export {
  cloudEventById,
  migrateCloudDatabase,
  openCloudDatabase,
  openGallery,
  revokeDevice,
  type CloudDatabase,
  type OpenedGallery,
  type GalleryPhoto,
} from './database/index.js';
export { openBlobStore, type BlobStore } from './blobs/index.js';
export { createMailer, type Mailer } from './email/index.js';
