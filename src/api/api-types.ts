// The local HTTP API's shapes: the one place both the server and the renderer import them
// from. Types only (no runtime code), so the renderer's bundle takes nothing from the engine.
//
// Three roles, three route prefixes:
//   /api/...          operator (console): `Authorization: Bearer <operator token>` or the
//                     `sf_operator` cookie set by POST /api/login. Every route answers 401 without it.
//   /kiosk-api/...    a paired kiosk device: `sf_kiosk` cookie (or Bearer) from POST /kiosk-api/pair.
//                     It may only create sessions and see its own session's matches.
//   /gallery-api/:token/...  an attendee: the gallery token in the path (expires).
// Pages: /console, /kiosk and /g/:token all load the same React app (renderer/).
// Errors: every 4xx/5xx body is ApiError.

export type ErrorCode =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'expired'
  | 'too-large'
  | 'unsupported-media'
  | 'not-an-image'
  | 'rate-limited'
  | 'no-face'
  | 'several-faces'
  | 'too-small'
  | 'blurred'
  | 'too-dark'
  | 'conflict'
  | 'database-damaged'
  /** The laptop could not reach the cloud endpoint it was asked to talk to (502). */
  | 'cloud-unreachable'
  | 'internal';

export interface ApiError {
  error: { code: ErrorCode; message: string };
}

/** [x, y, w, h] as fractions (0..1) of the displayed image, so any preview size can draw it. */
export type RelativeBox = [number, number, number, number];

// ---------------------------------------------------------------- operator

/** POST /api/login { token } → sets the sf_operator cookie; 401 for a wrong token; 429 after 10 wrong tokens from one address within a minute. */
export interface LoginRequest {
  token: string;
}

/** GET /api/overview?event= */
export interface Overview {
  event: string;
  version: string;
  /** The operator token, shown in the console so it can be used elsewhere (another laptop, a script). */
  operatorToken: string;
  /** Where kiosks and phones reach this server: LAN address when LAN is on, else the local one. */
  publicUrl: string;
  lan: boolean;
  /** withRaw: photos shot RAW+JPEG (one photo per capture, its RAW kept beside it). */
  photos: { total: number; pending: number; processing: number; ready: number; failed: number; duplicates: number; withRaw: number };
  queue: { depth: number };
  throughput: { readyLastMinute: number; photosPerSecond: number };
  /** detector: 'int8' or 'float32', the face detector's arithmetic on that provider. */
  faces: { found: number; persons: number; provider: string | null; detector: string | null; providerNote: string | null };
  storage: { freeBytes: number; low: boolean } | null;
  scene: { model: string | null; embedded: number; ofPhotos: number };
}

export interface PhotoFace {
  id: number;
  box: RelativeBox;
  personId: number | null;
  score: number;
}

/** A photo as the console shows it. Media URLs are relative to the server and need the operator cookie. */
export interface PhotoCard {
  id: number;
  fileName: string;
  path: string;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  error: string | null;
  landedAt: string;
  readyAt: string | null;
  capturedAt: string | null;
  camera: string | null;
  width: number | null;
  height: number | null;
  /** null until the preview exists. */
  thumbUrl: string | null;
  previewUrl: string | null;
  faces: PhotoFace[];
  /** The capture's other files: the RAW kept beside the JPEG the photo is made from (RAW+JPEG shooting). */
  otherFiles: { fileName: string; path: string; kind: 'raw' | 'rendered' }[];
}

/** GET /api/photos?event=&limit=&before=<photo id>&status= → newest first. */
export interface PhotoPage {
  photos: PhotoCard[];
  /** Pass as `before` for the next page; null at the end. */
  nextBefore: number | null;
}

/** GET /api/errors?event= */
export interface ErrorList {
  errors: { photoId: number; path: string; fileName: string; error: string; at: string }[];
  retrying: { photoId: number; path: string; fileName: string; error: string; attempts: number; nextAttemptAt: string }[];
}

/** POST /api/photos/retry-failed?event=  and  POST /api/photos/:id/retry */
export interface RetryResult {
  requeued: number;
  reexamined: number;
}

export interface SourceView {
  id: number;
  path: string;
  state: 'watching' | 'offline' | 'removed';
  error: string | null;
  photos: number;
}

export interface CameraCount {
  /** "Canon EOS R5 #012345", or "Unknown camera" for files without EXIF. */
  camera: string;
  photos: number;
}

/** GET /api/sources?event= */
export interface SourceList {
  sources: SourceView[];
  cameras: CameraCount[];
}

/** POST /api/sources?event= { path } → SourceView (409 if already watched, 400 if the folder does not exist). DELETE /api/sources/:id → 204. */
export interface AddSourceRequest {
  path: string;
}

export interface PersonView {
  id: number;
  name: string | null;
  faces: number;
  photos: number;
  /** Up to 8 face crops, best first. */
  faceSamples: { faceId: number; photoId: number; cropUrl: string }[];
}

/** GET /api/people?event= */
export interface PeopleList {
  people: PersonView[];
}

/** PATCH /api/people/:id { name } (null or "" clears) → PersonView */
export interface RenamePersonRequest {
  name: string | null;
}

/** POST /api/people/merge { into, from } → PersonView of `into`. */
export interface MergePeopleRequest {
  into: number;
  from: number[];
}

/** POST /api/people/:id/split { faceIds } → the new person (the faces move to it). */
export interface SplitPersonRequest {
  faceIds: number[];
}

/** GET /api/people/:id/faces → every face of the person (for choosing what to split off). */
export interface PersonFaces {
  faces: { faceId: number; photoId: number; cropUrl: string; score: number }[];
}

export interface SearchMatchView {
  photoId: number;
  distance: number;
  box: RelativeBox;
  via: 'face' | 'person';
  thumbUrl: string;
  previewUrl: string;
  fileName: string;
}

/** POST /api/search/selfie?event= with the image as the raw body (image/jpeg|png|webp, ≤ 10 MB). */
export interface SearchResponse {
  matches: SearchMatchView[];
  tookMs: number;
}

/** POST /api/kiosks/pairing-codes → a one-time code for the kiosk's pairing screen. */
export interface PairingCode {
  code: string;
  expiresAt: string;
  /** The kiosk page's address, for the operator to open on the tablet (also as a QR). */
  kioskUrl: string;
  kioskQrSvg: string;
}

export interface KioskView {
  id: number;
  name: string;
  pairedAt: string;
  lastSeenAt: string | null;
  sessionsToday: number;
}

/** GET /api/kiosks; DELETE /api/kiosks/:id unpairs (its cookie stops working). */
export interface KioskList {
  kiosks: KioskView[];
}

export interface DeliveryView {
  id: number;
  channel: 'email' | 'sms' | 'link';
  address: string;
  state: 'waiting' | 'sent' | 'failed';
  photos: number;
  /** True while the attendee's session is kept for new photos ("send me new photos of me"). */
  followsNewPhotos: boolean;
  createdAt: string;
  error: string | null;
}

/** GET /api/deliveries?event= */
export interface DeliveryList {
  deliveries: DeliveryView[];
}

/** GET /api/settings?event= and PATCH /api/settings?event= (partial) → EventSettings */
export interface EventSettings {
  watermark: { enabled: boolean; text: string };
  /** How long an attendee gallery link works. */
  galleryLinkHours: number;
  /** How long an opted-in attendee's selfie embedding is kept to find new photos. */
  optInRetentionDays: number;
  /** Kiosk goes back to the attract screen after this long without a touch. */
  kioskIdleSeconds: number;
  /** Shown on the kiosk's attract screen. */
  welcomeTitle: string;
  /** The offline HTML gallery's colours (a CSS colour, or '' for the gallery's own look). */
  gallery: { accent: string; background: string };
}

/** The logo an HTML export puts on the offline gallery, stored in the event's folder on this laptop. */
export interface GalleryLogoView {
  type: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
  bytes: number;
  /** Changes with every upload: the console adds it to the logo's URL so a new one shows at once. */
  updatedAt: number;
}

/**
 * GET /api/events/current/gallery-look?event= : what the next HTML export looks like. Colours are
 * changed with PATCH /api/settings { gallery }; the logo with POST (a PNG, JPEG or WebP body, up to
 * 2 MB → GalleryLogoView) and DELETE (204) on /api/events/current/gallery-logo, and GET there serves it.
 */
export interface GalleryLookView {
  accent: string;
  background: string;
  logo: GalleryLogoView | null;
}

// ---------------------------------------------------------------- live events

/** GET /api/live?event= (operator, server-sent events): `event: <type>` with `data: <JSON>`. */
export type LiveEvent =
  | { type: 'photo'; photo: PhotoCard }
  | { type: 'overview'; overview: Overview }
  | { type: 'file-failed'; path: string; error: string }
  | { type: 'source'; source: SourceView }
  | { type: 'delivery'; delivery: DeliveryView }
  | { type: 'kiosk-match'; sessionId: string; photos: number }
  /** The RAW and the JPEG of one capture, found in two folders, are one photo now: the dropped one's tile goes. */
  | { type: 'photo-merged'; keptPhotoId: number; droppedPhotoId: number }
  /** An organiser export moved on, finished or failed. */
  | { type: 'export'; export: ExportStatus }
  /** The event's sync to the cloud moved on (at most about once a second while it runs). */
  | { type: 'sync'; sync: SyncView }
  /** The event's people were grouped again from scratch (`recluster`, or by themselves while the cameras paused). */
  | { type: 'people-regrouped'; persons: number };

// ---------------------------------------------------------------- kiosk

/** POST /kiosk-api/pair { code, name } → sets the sf_kiosk cookie. 401 for a wrong or used code. */
export interface PairRequest {
  code: string;
  name: string;
}

/** GET /kiosk-api/me → 401 when this browser is not a paired kiosk (then show the pairing screen). */
export interface KioskIdentity {
  kioskId: number;
  name: string;
  event: string;
  settings: Pick<EventSettings, 'kioskIdleSeconds' | 'welcomeTitle'>;
  /** What the consent screen must say is kept, and for how long. */
  retention: { selfie: string; optIn: string };
}

/** POST /kiosk-api/sessions { consent: true } → a session (400 without consent). */
export interface StartSessionRequest {
  consent: true;
}

export interface KioskSessionView {
  sessionId: string;
  expiresAt: string;
}

export interface KioskMatch {
  photoId: number;
  /** Served only to this session (GET /kiosk-api/sessions/:id/photos/:photoId/thumb|preview). */
  thumbUrl: string;
  previewUrl: string;
  /**
   * A "Maybe you?" photo's face the selfie matched, close up (GET …/photos/:photoId/face, 150 px):
   * in a group photo's thumbnail a face is a few pixels, too small to tell whether it is hers.
   * null for sure photos, and when the face has no close-up.
   */
  faceUrl: string | null;
  width: number | null;
  height: number | null;
}

/**
 * POST /kiosk-api/sessions/:id/selfie with the image as the raw body (image/jpeg|png|webp, ≤ 10 MB).
 * 422 with code no-face | several-faces | too-small | blurred | too-dark and an attendee-friendly message.
 * 429 when the kiosk searches too often.
 */
export interface KioskResults {
  /** Photos the attendee is surely in: shown selected. */
  matches: KioskMatch[];
  /**
   * "Maybe you?": photos with a face just beyond the sure threshold, shown apart and unselected;
   * they go home only when the attendee taps them in.
   */
  maybe: KioskMatch[];
  tookMs: number;
}

/**
 * POST /kiosk-api/sessions/:id/take-home. Asking again in the same session updates the same
 * gallery (same URL) and the same delivery. `photoIds` may be empty only with a contact and
 * notifyOptIn (an attendee with no photos yet who wants new ones).
 */
/** "Maybe you?" photos the attendee tapped in: their faces are searched with the selfie for more photos of them. */
export interface ConfirmMaybeRequest {
  photoIds: number[];
}

export interface TakeHomeRequest {
  photoIds: number[];
  /** Optional: saved for delivery after sync. */
  contact?: { channel: 'email' | 'sms'; address: string } | undefined;
  /** Keep the selfie's embedding to find new photos of this person (until the retention ends). */
  notifyOptIn: boolean;
}

export interface TakeHomeResponse {
  galleryUrl: string;
  /** The gallery URL as an SVG QR code, ready to show. */
  qrSvg: string;
  expiresAt: string;
  deliveryId: number | null;
}

/** POST /kiosk-api/sessions/:id/end → 204. Deletes the selfie's embedding unless opted in. */

// ---------------------------------------------------------------- attendee gallery

export interface GalleryPhoto {
  photoId: number;
  thumbUrl: string;
  previewUrl: string;
  downloadUrl: string;
  width: number | null;
  height: number | null;
}

/** GET /gallery-api/:token → 404 unknown, 410 expired. */
export interface GalleryView {
  event: string;
  photos: GalleryPhoto[];
  expiresAt: string;
  /** All photos as one ZIP. */
  zipUrl: string;
}

// ---------------------------------------------------------------- do not publish

/** One record of the "Do not publish" list (opt-outs are revoked, never deleted). */
export interface OptOutView {
  id: number;
  source: 'kiosk' | 'organiser';
  /** The person opted out; null for a kiosk attendee's own face (their selfie's descriptor). */
  personId: number | null;
  /** The person's name now, or when the opt-out was made if the person is gone. */
  personName: string | null;
  /** An attendee's face descriptor is kept to find them in later photos. */
  keepsFaceDescriptor: boolean;
  kioskSessionId: string | null;
  note: string | null;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  /** Photos in which this record hides a face now (0 once revoked). */
  photoCount: number;
}

/** GET /api/do-not-publish?event= */
export interface OptOutList {
  records: OptOutView[];
}

/** POST /api/people/:id/do-not-publish { note? } → OptOutView */
export interface MarkDoNotPublishRequest {
  note?: string | null;
}

/** POST /api/people/:id/publish { reason? } and POST /api/do-not-publish/:id/revoke { reason? } */
export interface RevokeOptOutRequest {
  reason?: string | null;
}

export interface RevokeOptOutResponse {
  revoked: number;
}

/** POST /kiosk-api/sessions/:id/do-not-publish { confirm: true }, after a search. */
export interface KioskOptOutRequest {
  confirm: true;
}

export interface KioskOptOutResponse {
  optedOut: true;
  /** Photos in which the attendee's face is now hidden. */
  photoCount: number;
}

// ---------------------------------------------------------------- organiser export

/** POST /api/exports: start exporting the event into a folder on this laptop (202; 409 while one runs). */
export interface ExportRequest {
  /** Destination folder on this laptop (a USB stick, a shared drive). */
  to: string;
  as: 'folders' | 'zip' | 'html';
  files: 'previews' | 'originals';
  /** Person ids or names; empty or absent for everyone. */
  people?: string[];
  onlyPicks?: boolean;
  /** No folder for people nobody named. */
  namedOnly?: boolean;
  /** XMP face regions, keywords and picks (on unless false). */
  xmp?: boolean;
  /** Draw the event's watermark (Settings) on every exported preview; originals are never marked. */
  watermark?: boolean;
}

export interface ExportProgressView {
  done: number;
  total: number;
  bytes: number;
  elapsedMs: number;
  leftMs: number | null;
  current: string | null;
}

export interface ExportSummaryView {
  event: string;
  destination: string;
  as: 'folders' | 'zip' | 'html';
  files: 'previews' | 'originals';
  photos: number;
  people: number;
  written: number;
  alreadyThere: number;
  hardLinks: number;
  bytes: number;
  blurredFaces: number;
  previewsInsteadOfOriginals: number;
  filesWithheld: number;
  renamedFolders: { from: string; to: string }[];
  entry: string;
  elapsedMs: number;
}

/** GET /api/exports/current → { export: ExportStatus | null }; live events `export` carry the same. */
export interface ExportStatus {
  id: number;
  state: 'running' | 'done' | 'failed';
  request: ExportRequest;
  startedAt: number;
  progress: ExportProgressView | null;
  summary: ExportSummaryView | null;
  /** What failed and what to do (the export continues when started again with the same choices). */
  error: string | null;
}

/** Where an event's sync to the cloud stands (console Sync section, `status`, `shutterfind sync --json`). */
export type SyncState = 'not-enrolled' | 'idle' | 'syncing' | 'paused' | 'offline' | 'error';

export interface SyncView {
  eventId: number;
  state: SyncState;
  /** The endpoint this event is enrolled with, its cloud event and where attendees reach it; null when not enrolled. */
  endpoint: string | null;
  cloudEventId: string | null;
  publicBaseUrl: string | null;
  deviceName: string | null;
  /** Operations (metadata) not yet acknowledged by the endpoint. */
  opsLeft: number;
  /** Thumbnails, previews (and originals when the event opts in) not yet uploaded, and their bytes. */
  blobsLeft: number;
  bytesLeft: number;
  bytesSent: number;
  /** Upload rate over the last few seconds, bytes per second. */
  rateBytesPerSecond: number;
  lastSyncedAt: string | null;
  lastError: string | null;
  /** null: no cap. */
  bandwidthCapBytesPerSecond: number | null;
  uploadOriginals: boolean;
  cloudFaceSearch: boolean;
}

/** POST /api/sync/enrol */
export interface SyncEnrolRequest {
  eventId: number;
  endpoint: string;
  joinCode: string;
  deviceName?: string;
}

/** PUT /api/sync/settings */
export interface SyncSettingsRequest {
  eventId: number;
  paused?: boolean;
  bandwidthCapBytesPerSecond?: number | null;
}
