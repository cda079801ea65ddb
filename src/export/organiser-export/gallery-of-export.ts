// The offline HTML gallery's model, made from an export plan: the images the export wrote (blurred
// where someone opted out), their thumbnails, and the people with their photos in capture order.
import type { HtmlGalleryBranding, HtmlGalleryModel } from '../html-gallery/gallery-model.js';
import type { ExportPlan, PlannedPhoto } from './export-plan.js';

/** Thumbnails for the grid: ~400 px long side, as the model asks. */
export const GALLERY_THUMBNAIL_PX = 400;
/**
 * The grid's image of a photo. A photo shown as it is takes the data dir's own 400 px WebP (a
 * copy, ~1 ms); one with a face blurred gets a thumbnail made from its blurred export (a decode
 * and encode, ~15 ms), since the stored one shows the face.
 */
export const thumbnailOf = (planned: PlannedPhoto): string =>
  planned.hidden.length === 0 && planned.photo.thumbnailPath ? `thumbnails/${planned.photo.id}.webp` : `thumbnails/${planned.photo.id}.jpg`;

/** Capture order; photos without a capture time last, by id (what the model promises). */
export const byCaptureTime = (a: PlannedPhoto, b: PlannedPhoto): number =>
  (a.photo.capturedAt ?? Number.MAX_SAFE_INTEGER) - (b.photo.capturedAt ?? Number.MAX_SAFE_INTEGER) || a.photo.id - b.photo.id;

export function galleryModelOf(
  plan: ExportPlan,
  sizes: ReadonlyMap<number, { width: number; height: number }>,
  exportedAt: number,
  /** Each person's face for their card (person-covers.ts); absent, the card shows their first photo. */
  covers: ReadonlyMap<number, string> = new Map(),
  branding: HtmlGalleryBranding = { title: plan.event.name },
): HtmlGalleryModel {
  const ordered = [...plan.photos].sort(byCaptureTime);
  const order = new Map(ordered.map((p, i) => [p.photo.id, i]));
  const people = [...plan.people].sort((a, b) => {
    const aNamed = !/^Person \d+$/.test(a.name);
    const bNamed = !/^Person \d+$/.test(b.name);
    return aNamed !== bNamed ? (aNamed ? -1 : 1) : aNamed ? a.name.localeCompare(b.name) : a.id - b.id;
  });
  return {
    branding,
    photos: ordered.map((p) => {
      const file = p.files[0]!.places[0]!;
      const size = sizes.get(p.photo.id) ?? { width: p.photo.width, height: p.photo.height };
      return {
        id: p.photo.id,
        thumbnail: thumbnailOf(p),
        preview: file,
        download: file,
        fileName: p.fileName,
        width: size.width,
        height: size.height,
        capturedAt: p.photo.capturedAt,
        camera: p.photo.camera,
        people: p.people,
      };
    }),
    people: people
      .filter((p) => p.photoIds.length > 0)
      .map((p) => ({
        id: p.id,
        name: p.name,
        photos: [...p.photoIds].sort((a, b) => order.get(a)! - order.get(b)!),
        cover: covers.get(p.id) ?? null,
      })),
    exportedAt,
  };
}
