// What an attendee's link shows from the cloud, decided from what the database says: the same
// GalleryView the laptop answers, so the same page renders it. Pure: no database, no blob store.
import type { GalleryView } from '../../api/index.js';
import type { GalleryPhoto, OpenedGallery } from '../database/index.js';

export type PhotoMediaKind = 'thumb' | 'preview' | 'download';

/**
 * A photo is shown once its preview has arrived: that is what the attendee enlarges and takes
 * home. Until then it is left out rather than shown as a broken image (laptops send thumbnails
 * first, then previews, so a link fills in as the sync goes on).
 */
export function isShowable(photo: GalleryPhoto): boolean {
  return photo.previewSha256 !== null && photo.previewStored;
}

/** The blob to send for one of a photo's addresses; null when it has none (yet). */
export function mediaBlobOf(photo: GalleryPhoto, kind: PhotoMediaKind): string | null {
  if (!isShowable(photo)) return null;
  // A thumbnail that has not arrived (or was never made) is replaced by the preview: larger, but there.
  if (kind === 'thumb' && photo.thumbSha256 !== null && photo.thumbStored) return photo.thumbSha256;
  return photo.previewSha256;
}

export function cloudGalleryView(gallery: OpenedGallery, token: string): GalleryView {
  const base = `/gallery-api/${token}`;
  return {
    event: gallery.event.name,
    expiresAt: gallery.expiresAt.toISOString(),
    zipUrl: `${base}/zip`,
    photos: gallery.photos.filter(isShowable).map((p) => ({
      photoId: p.id,
      thumbUrl: `${base}/photos/${p.id}/thumb`,
      previewUrl: `${base}/photos/${p.id}/preview`,
      downloadUrl: `${base}/photos/${p.id}/download`,
      width: p.width,
      height: p.height,
    })),
  };
}
