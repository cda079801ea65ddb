import type { Database } from 'better-sqlite3';
import { createBurstsRepository } from './bursts-repository.js';
import { createClipVectorsRepository } from './clip-vectors-repository.js';
import { createEventsRepository } from './events-repository.js';
import { createFaceVectorsRepository } from './face-vectors-repository.js';
import { createFacesRepository } from './faces-repository.js';
import { createPersonsRepository } from './persons-repository.js';
import { createRuntimeInfoRepository } from './runtime-info-repository.js';
import { createJobsRepository } from './jobs-repository.js';
import { createPhotosRepository } from './photos-repository.js';
import { createSourcesRepository } from './sources-repository.js';
import { createKiosksRepository } from './kiosks-repository.js';
import { createGalleriesRepository } from './galleries-repository.js';
import { createPublishOptOutsRepository } from './publish-opt-outs-repository.js';
import { createKioskVisitsRepository } from './kiosk-visits-repository.js';
import { createPhotoPairsRepository } from './photo-pairs-repository.js';
import { createSyncRepository } from './sync-repository.js';

export * from './types.js';
export { openDatabase, checkpointAndClose, DatabaseOpenError, type Database, type OpenDatabaseOptions } from './database.js';
export { migrate, currentSchemaVersion, MigrationError, type Migration } from './migrate.js';
export { MIGRATIONS } from './migrations/index.js';
export { DatabaseDamagedError, isDatabaseDamage, isStorageTrouble } from './database-damage.js';
export { checkDatabase, salvageDatabase, type SalvageReport, type TableSalvage } from './salvage.js';
export type { EventsRepository } from './events-repository.js';
export type { SourcesRepository } from './sources-repository.js';
export type { JobsRepository, NewJob, ClaimedWork, StageCounts, StageFailure } from './jobs-repository.js';
export { pairReplacedFaces, boxOverlap, SAME_FACE_MIN_OVERLAP } from './replaced-faces.js';
export type { FacesReplaced, FacesRepository, NewFace, StoredFace } from './faces-repository.js';
export type { FaceVectorsRepository, NearestPhoto, NearestPhotosQuery, FaceSearchModeChoice } from './face-vectors-repository.js';
export { bestFacePerPhoto, MAX_KNN_K } from './face-vectors-repository.js';
export type { NearFace, PersonsRepository, PersonSummary } from './persons-repository.js';
export type { ClipVectorsRepository, SceneMatch } from './clip-vectors-repository.js';
export type { BurstsRepository, BurstCandidate, NewBurst, StoredBurst, BurstPhoto } from './bursts-repository.js';
export type { RuntimeInfoRepository } from './runtime-info-repository.js';
export type {
  KiosksRepository,
  KioskDevice,
  KioskSession,
  KioskSessionState,
  FollowingSession,
  FollowerAnchor,
  ChosenFace,
  ShownFace,
} from './kiosks-repository.js';
export type { GalleriesRepository, GalleryLink, Delivery, DeliveryChannel, DeliveryState } from './galleries-repository.js';
export type { PublishOptOutsRepository, PublishOptOut, NewOptOut, OptOutSource } from './publish-opt-outs-repository.js';
export type { KioskVisitsRepository, KioskVisit } from './kiosk-visits-repository.js';
export type {
  SyncRepository,
  SyncEnrolment,
  NewSyncEnrolment,
  StoredSyncOp,
  SyncChangePlan,
  SentDigest,
  NewSyncBlob,
  SyncBlob,
  SyncBlobKind,
  SyncEntityKind,
  SyncRunState,
  SyncSourceRows,
  SyncPhotoRow,
  MediaHash,
  MediaFileHash,
  SyncFaceRow,
  SyncPersonRow,
  SyncLinkRow,
  SyncDeliveryRow,
} from './sync-repository.js';
export type {
  PhotoPairsRepository,
  PhotoFile,
  PhotoFileRole,
  PairedBy,
  CaptureFile,
  StoredPairCandidate,
  PartnerTaken,
  CaptureMerged,
} from './photo-pairs-repository.js';
export type {
  PhotosRepository,
  NewPhoto,
  FailedFile,
  FileIdentity,
  KnownFile,
  ProcessedPhoto,
  RenderedPhoto,
  JobCompletion,
  PhotoListQuery,
} from './photos-repository.js';

export function createRepositories(db: Database) {
  const jobs = createJobsRepository(db);
  const faceVectors = createFaceVectorsRepository(db);
  const faces = createFacesRepository(db, faceVectors);
  const clipVectors = createClipVectorsRepository(db, jobs);
  const persons = createPersonsRepository(db);
  const sync = createSyncRepository(db);
  return {
    events: createEventsRepository(db),
    sources: createSourcesRepository(db),
    jobs,
    faceVectors,
    faces,
    persons,
    runtime: createRuntimeInfoRepository(db),
    clipVectors,
    bursts: createBurstsRepository(db),
    kiosks: createKiosksRepository(db),
    galleries: createGalleriesRepository(db),
    optOuts: createPublishOptOutsRepository(db),
    visits: createKioskVisitsRepository(db),
    photos: createPhotosRepository(db, jobs, faces, clipVectors, persons, sync),
    pairs: createPhotoPairsRepository(db, jobs, faces, persons),
    sync,
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
