// Captures found after both files were processed: a body writing the RAW to one card folder and the
// JPEG to another (or a tool renaming one of them) gives two names, so only the capture time and
// the camera serial, read when each photo is rendered, tell they are one. The second of the two to
// be ready makes them one photo.
import { capturePartner, captureRole, findStoredPairs } from '../camera-files/index.js';
import type { CaptureMerged, PhotoPairsRepository, PhotosRepository } from '../store/index.js';

/** After `photoId` became ready: merges it with its capture's other photo, if there is exactly one. */
export function pairByCapture(pairs: PhotoPairsRepository, photos: PhotosRepository, photoId: number, now: number): CaptureMerged | null {
  const photo = photos.getPhoto(photoId);
  if (!photo || photo.capturedAt === null || !photo.cameraSerial || photo.status !== 'ready') return null;
  const candidates = pairs.captureCandidates(photo.eventId, photo.capturedAt).filter((c) => c.status === 'ready');
  const self = candidates.find((c) => c.id === photoId);
  if (!self) return null;
  const partner = capturePartner(self, candidates);
  if (!partner) return null;
  const [keepId, dropId] = captureRole(partner.format) === 'rendered' ? [partner.id, photoId] : [photoId, partner.id];
  return pairs.mergeCapture(keepId, dropId, 'capture', now);
}

/** `shutterfind repair`: photos of one capture stored as two (before pairs were known) become one. */
export function mergeStoredPairs(pairs: PhotoPairsRepository, eventId: number, now: number): CaptureMerged[] {
  return findStoredPairs(pairs.eventCandidates(eventId)).map((p) => pairs.mergeCapture(p.keepId, p.dropId, 'repair', now));
}
