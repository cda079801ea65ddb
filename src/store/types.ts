// Rows as the rest of the app sees them (camelCase, domain words).

export interface Event {
  id: number;
  name: string;
  createdAt: number;
}

export type SourceState = 'watching' | 'offline' | 'removed';

export interface Source {
  id: number;
  eventId: number;
  path: string;
  label: string | null;
  state: SourceState;
  error: string | null;
}

export type PhotoStatus = 'pending' | 'processing' | 'ready' | 'failed';

/**
 * What a camera says about a shot, read from its metadata: the one declaration for the worker that
 * reads it (camera-files), the row that stores it (Photo) and the previews stage that returns it.
 */
export interface CameraMetadata {
  capturedAt: number | null;
  /**
   * The camera's UTC offset when it took the shot, in minutes east of UTC (+02:00 → 120), or null
   * when it recorded none (capturedAt then read its wall clock in the laptop's zone).
   */
  capturedOffsetMinutes: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  cameraSerial: string | null;
  lens: string | null;
  /** EXIF orientation 1..8, or null when the file has none. */
  orientation: number | null;
}

export interface Photo extends CameraMetadata {
  id: number;
  eventId: number;
  sourceId: number | null;
  path: string;
  fileName: string;
  format: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  mtimeMs: number | null;
  status: PhotoStatus;
  error: string | null;
  landedAt: number;
  admittedAt: number | null;
  readyAt: number | null;
  width: number | null;
  height: number | null;
  phash: string | null;
  previewPath: string | null;
  thumbnailPath: string | null;
}

export type DuplicateKind = 'copy' | 'rename';

export interface Duplicate {
  id: number;
  eventId: number;
  photoId: number;
  path: string;
  kind: DuplicateKind;
  seenAt: number;
}

export type JobState = 'queued' | 'leased' | 'done' | 'failed';

/**
 * The stages of a photo's processing. previews: decode, metadata, preview, thumbnail and
 * perceptual hash (what makes a photo ready); faces: detect and describe faces; scene: the CLIP
 * embedding for scene search.
 */
export type PhotoStage = 'previews' | 'faces' | 'scene';
export const PHOTO_STAGES: readonly PhotoStage[] = ['previews', 'faces', 'scene'];

/** One kind per pipeline stage, so "re-run X for the event" is a query. */
export type JobKind = `photo.${PhotoStage}`;
export const jobKindOf = (stage: PhotoStage): JobKind => `photo.${stage}`;
export const stageOfJob = (kind: JobKind): PhotoStage => kind.slice('photo.'.length) as PhotoStage;

export interface Job {
  id: number;
  kind: JobKind;
  eventId: number;
  photoId: number | null;
  state: JobState;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAfter: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  lastError: string | null;
  /** Why a job finished without doing its work (a stage switched off in settings), or null. */
  note: string | null;
}

export interface PhotoCounts {
  total: number;
  pending: number;
  processing: number;
  ready: number;
  failed: number;
  duplicates: number;
}

export interface PhotoError {
  photoId: number;
  path: string;
  error: string;
  at: number;
}
