// Store rows as the API shows them (api-types.ts). Pure: rows in, JSON-ready objects out.
import type { Delivery, KioskDevice, PersonWithSamples, Photo, PhotoFile, Source, StoredFace } from '../core/index.js';
import type { CameraCount, DeliveryView, KioskView, PersonView, PhotoCard, PhotoFace, RelativeBox, SourceView } from '../api/index.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function relativeBox(box: readonly [number, number, number, number], width: number | null, height: number | null): RelativeBox {
  if (!width || !height) return [0, 0, 0, 0];
  const r = (v: number) => Math.round(v * 10_000) / 10_000;
  return [r(box[0] / width), r(box[1] / height), r(box[2] / width), r(box[3] / height)];
}

export function cameraName(make: string | null, model: string | null, serial: string | null): string {
  // Many makers repeat the make inside the model ("Canon" + "Canon EOS R5").
  const body = model && make && model.toLowerCase().startsWith(make.toLowerCase()) ? model : [make, model].filter(Boolean).join(' ');
  if (!body) return 'Unknown camera';
  return serial ? `${body} #${serial}` : body;
}

export function toPhotoCard(photo: Photo, faces: readonly StoredFace[], files: readonly PhotoFile[] = []): PhotoCard {
  const faceViews: PhotoFace[] = faces.map((f) => ({
    id: f.id,
    box: relativeBox(f.box, photo.width, photo.height),
    personId: f.personId,
    score: Math.round(f.score * 1000) / 1000,
  }));
  return {
    id: photo.id,
    fileName: photo.fileName,
    path: photo.path,
    status: photo.status,
    error: photo.error,
    landedAt: iso(photo.landedAt)!,
    readyAt: iso(photo.readyAt),
    capturedAt: iso(photo.capturedAt),
    camera: photo.cameraMake || photo.cameraModel ? cameraName(photo.cameraMake, photo.cameraModel, photo.cameraSerial) : null,
    width: photo.width,
    height: photo.height,
    thumbUrl: photo.thumbnailPath ? `/api/media/photos/${photo.id}/thumb` : null,
    previewUrl: photo.previewPath ? `/api/media/photos/${photo.id}/preview` : null,
    faces: faceViews,
    otherFiles: files.map((f) => ({ fileName: f.fileName, path: f.path, kind: f.role })),
  };
}

export const toSourceView = (s: Source, photos: number): SourceView => ({ id: s.id, path: s.path, state: s.state, error: s.error, photos });

export const toCameraCounts = (
  rows: readonly { make: string | null; model: string | null; serial: string | null; photos: number }[],
): CameraCount[] => rows.map((r) => ({ camera: cameraName(r.make, r.model, r.serial), photos: r.photos }));

export const toDeliveryView = (d: Delivery): DeliveryView => ({
  id: d.id,
  channel: d.channel,
  address: d.address,
  state: d.state,
  photos: d.photoIds.length,
  followsNewPhotos: d.followsNewPhotos,
  createdAt: iso(d.createdAt)!,
  error: d.error,
});

export const toKioskView = (k: KioskDevice, sessionsToday: number): KioskView => ({
  id: k.id,
  name: k.name,
  pairedAt: iso(k.pairedAt)!,
  lastSeenAt: iso(k.lastSeenAt),
  sessionsToday,
});

export const faceCropUrl = (faceId: number): string => `/api/media/faces/${faceId}/crop`;

export const personSampleViews = (
  faces: readonly { faceId: number; photoId: number }[] = [],
): { faceId: number; photoId: number; cropUrl: string }[] => faces.map((f) => ({ ...f, cropUrl: faceCropUrl(f.faceId) }));

export const toPersonView = (p: PersonWithSamples): PersonView => ({
  id: p.id,
  name: p.name,
  faces: p.faceCount,
  photos: p.photoCount,
  faceSamples: personSampleViews(p.samples),
});
