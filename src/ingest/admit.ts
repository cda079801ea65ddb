// Takes a complete file into an event exactly once: hash it, then record it as a new photo
// (with its processing job), a duplicate of one the event has, or nothing new.
import { stat } from 'node:fs/promises';
import type { DuplicateKind, Photo, PhotosRepository } from '../store/index.js';
import { sha256File } from './hashing.js';
import type { FileObservation } from './readiness.js';

export type Admission =
  | { outcome: 'added'; photoId: number }
  | { outcome: 'duplicate'; photoId: number; kind: DuplicateKind; originalPath: string }
  | { outcome: 'known'; photo: Photo }
  | { outcome: 'changed' };

export interface AdmitDeps {
  photos: PhotosRepository;
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

  const sha256 = await sha256File(req.path);
  const after = await stat(req.path);
  if (after.size !== obs.size || Math.floor(after.mtimeMs) !== obs.mtimeMs) return { outcome: 'changed' };

  const existing = deps.photos.findPhotoBySha(req.eventId, sha256);
  if (!existing) {
    const photoId = deps.photos.addPhotoWithJob(
      {
        eventId: req.eventId,
        sourceId: req.sourceId,
        path: req.path,
        sha256,
        format: obs.format ?? 'unknown',
        sizeBytes: obs.size,
        mtimeMs: obs.mtimeMs,
        landedAt: req.landedAt,
      },
      deps.maxAttempts,
      deps.now(),
      req.priority,
    );
    return { outcome: 'added', photoId };
  }
  const kind = classifyExisting(existing, req.path, existing.path === req.path || (await exists(existing.path)));
  if (kind === 'known') return { outcome: 'known', photo: existing };
  deps.photos.recordDuplicate(
    {
      eventId: req.eventId,
      sourceId: req.sourceId,
      path: req.path,
      sha256,
      photoId: existing.id,
      kind,
      sizeBytes: obs.size,
      mtimeMs: obs.mtimeMs,
    },
    deps.now(),
  );
  return { outcome: 'duplicate', photoId: existing.id, kind, originalPath: existing.path };
}
