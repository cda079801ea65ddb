// What the offline HTML gallery shows, as plain data. The organiser export builds it from the
// event (after choosing files, blurring opted-out faces and naming people); the gallery writer
// turns it into static pages that open from a USB stick with no server and no network.
// Every path is relative to the gallery's root folder and uses forward slashes.

export interface HtmlGalleryBranding {
  /** The event's name, shown as the page title. */
  title: string;
  /** CSS colours; the writer picks readable defaults when absent. */
  accent?: string;
  background?: string;
  /** A logo already copied into the gallery folder (relative path), or absent. */
  logo?: string;
}

export interface HtmlGalleryPhoto {
  /** Stable across re-exports (the photo's id in the event). */
  id: number;
  /** Small image for the grid (~400 px long side). */
  thumbnail: string;
  /** Image shown in the lightbox (~2048 px long side). */
  preview: string;
  /** What the download link saves (the exported file: a preview or the original). */
  download: string;
  /** File name a visitor sees and saves under. */
  fileName: string;
  width: number;
  height: number;
  /** Capture time, ms since the epoch; null when the camera wrote none. */
  capturedAt: number | null;
  /** "Canon EOS R6", or null. */
  camera: string | null;
  /** Ids of the people in this photo (see HtmlGalleryPerson.id). */
  people: number[];
}

export interface HtmlGalleryPerson {
  id: number;
  /** The organiser's name for them, or "Person 12" for an unnamed one. */
  name: string;
  /** Ids of their photos, in capture order. */
  photos: number[];
  /** A face crop or thumbnail for their card (relative path), or null to use their first photo. */
  cover: string | null;
}

export interface HtmlGalleryModel {
  branding: HtmlGalleryBranding;
  /** In capture order (photos without a capture time last, by id). */
  photos: HtmlGalleryPhoto[];
  /** In the order the index lists them (named first, by name; then unnamed by number). */
  people: HtmlGalleryPerson[];
  /** When the export was made (ms since the epoch), shown in the footer. */
  exportedAt: number;
}
