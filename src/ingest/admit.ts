// Takes a complete file into an event exactly once: hash it, then record it as a new photo
// (with its processing job), the other file of a capture the event has (RAW+JPEG), a duplicate of
// one the event has, or nothing new.
import { stat } from 'node:fs/promises';
import { captureRole, namePartner, splitCaptureName, type CaptureRole } from '../camera-files/index.js';
import type { DuplicateKind, Photo, PhotoFile, PhotoPairsRepository, PhotosRepository } from '../store/index.js';
import { sha256File } from './hashing.js';
import type { RawWaits } from './raw-waits.js';
import type { FileObservation } from './readiness.js';

export type Admission =
  | { outcome: 'added'; photoId: number }
  /**
   * The file is the other half of a capture the event has: a RAW beside its JPEG, or the JPEG of
   * a photo that had only its RAW (then the photo is made from the JPEG, `renderedAgain` when the
   * RAW had been rendered already).
   */
  | { outcome: 'paired'; photoId: number; role: CaptureRole; renderedAgain: boolean }
  | { outcome: 'duplicate'; photoId: number; kind: DuplicateKind; originalPath: string }
  | { outcome: 'known'; photo: Photo }
  | { outcome: 'changed' };

export interface AdmitDeps {
  photos: PhotosRepository;
  pairs: PhotoPairsRepository;
  /** RAWs that land alone wait a moment for their JPEG; absent, they never wait. */
  rawWaits?: RawWaits;
  maxAttempts: number;
  now: () => number;
}

export interface AdmitRequest {
  eventId: number;
  sourceId: number | null;
  /** Job priority: live frames before a backlog. */
  priority: number;
  path: string;
  observation: FileObservation;
  landedAt: number;
}

/** Pure: what a file with bytes the event already has is. */
export function classifyExisting(existing: Photo, path: string, originalStillThere: boolean): 'known' | DuplicateKind {
  if (existing.path === path) return 'known';
  // Tethering tools rename finished files (IMG_0001.CR3 → Smith_Wedding_0001.CR3): same bytes, old name gone.
  return originalStillThere ? 'copy' : 'rename';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function admitFile(deps: AdmitDeps, req: AdmitRequest): Promise<Admission> {
  const { observation: obs } = req;
  const known = deps.photos.findKnownFile({ eventId: req.eventId, path: req.path, sizeBytes: obs.size, mtimeMs: obs.mtimeMs });
  if (known?.kind === 'photo' && known.photo.sha256 !== null) return { outcome: 'known', photo: known.photo };
  if (known?.kind === 'duplicate') {
    const photo = deps.photos.getPhoto(known.photoId);
    if (photo) return { outcome: 'known', photo };
  }
  const knownPartner = deps.pairs.findKnownFile(req.eventId, req.path, obs.size, obs.mtimeMs);
  const partnerPhoto = knownPartner && deps.photos.getPhoto(knownPartner.photoId);
  if (partnerPhoto) return { outcome: 'known', photo: partnerPhoto };

  const sha256 = await sha256File(req.path);
  const after = await stat(req.path);
  if (after.size !== obs.size || Math.floor(after.mtimeMs) !== obs.mtimeMs) return { outcome: 'changed' };

  const format = obs.format ?? 'unknown';
  const role = captureRole(format);
  // Asked before anything is looked up: from the lookups to the insert nothing waits, so a JPEG
  // admitted meanwhile (hashing runs two files at once) is seen and the pair is never split.
  const waitMs = role === 'raw' && deps.rawWaits ? await deps.rawWaits.waitFor(req.path) : 0;

  const existing = deps.photos.findPhotoBySha(req.eventId, sha256);
  if (existing) return recordAgain(deps, req, sha256, { photoId: existing.id, path: existing.path, photo: existing, file: null });
  const attached = deps.pairs.findFileBySha(req.eventId, sha256);
  if (attached) {
    const photo = deps.photos.getPhoto(attached.photoId);
    if (photo) return recordAgain(deps, req, sha256, { photoId: photo.id, path: attached.path, photo, file: attached });
  }

  const file = { sourceId: req.sourceId, path: req.path, format, sha256, sizeBytes: obs.size, mtimeMs: obs.mtimeMs };
  if (role !== null) {
    const { folder, stem } = splitCaptureName(req.path);
    const candidates = deps.pairs.nameCandidates(req.eventId, folder, stem);
    const partner = candidates.find((c) => c.id === namePartner(req.path, format, candidates)?.id);
    if (partner) {
      deps.rawWaits?.paired(req.path);
      // The RAW of a photo whose JPEG could not be read (damaged on the card) saves the capture:
      // the photo is made from the RAW's preview, the JPEG kept beside it.
      if (role === 'raw' && partner.status !== 'failed') {
        deps.pairs.attachFile(req.eventId, partner.id, file, 'raw', 'name', deps.now());
        return { outcome: 'paired', photoId: partner.id, role, renderedAgain: false };
      }
      const taken = deps.pairs.takePartnerFile(
        partner.id,
        file,
        'name',
        { now: deps.now(), priority: req.priority, maxAttempts: deps.maxAttempts },
        role === 'raw' ? 'rendered' : 'raw',
      );
      return { outcome: 'paired', photoId: partner.id, role, renderedAgain: taken.renderedAgain };
    }
  }

  if (role === 'raw') deps.rawWaits?.rawAlone(req.path);
  const now = deps.now();
  const photoId = deps.photos.addPhotoWithJob(
    { ...file, eventId: req.eventId, landedAt: req.landedAt },
    deps.maxAttempts,
    now,
    req.priority,
    now + waitMs,
  );
  return { outcome: 'added', photoId };
}

/** Bytes the event already has (as a photo's own file or as a capture's other file) at another path, or at this one. */
async function recordAgain(
  deps: AdmitDeps,
  req: AdmitRequest,
  sha256: string,
  had: { photoId: number; path: string; photo: Photo; file: PhotoFile | null },
): Promise<Admission> {
  const kind = classifyExisting({ ...had.photo, path: had.path }, req.path, had.path === req.path || (await exists(had.path)));
  if (kind === 'known') return { outcome: 'known', photo: had.photo };
  // A renamed RAW is followed (exports still find it); a copy is a duplicate of the photo.
  if (had.file && kind === 'rename') {
    deps.pairs.moveFile(had.file.id, req.path, req.observation.mtimeMs);
    return { outcome: 'duplicate', photoId: had.photoId, kind, originalPath: had.path };
  }
  deps.photos.recordDuplicate(
    {
      eventId: req.eventId,
      sourceId: req.sourceId,
      path: req.path,
      sha256,
      photoId: had.photoId,
      kind: had.file ? 'copy' : kind,
      sizeBytes: req.observation.size,
      mtimeMs: req.observation.mtimeMs,
    },
    deps.now(),
  );
  return { outcome: 'duplicate', photoId: had.photoId, kind, originalPath: had.path };
}
