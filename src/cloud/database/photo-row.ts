// A cloud photo as the organiser's summary and the attendee galleries read it: the same columns
// under the same names, so a column added for one is there for the other.

export interface CloudPhotoRow {
  /** The cloud's id for the photo (photos.id): what gallery URLs name. */
  id: number;
  sha256: string;
  fileName: string;
  capturedAt: Date | null;
  width: number | null;
  height: number | null;
  thumbSha256: string | null;
  previewSha256: string | null;
}

/** The SELECT list of CloudPhotoRow, for a query with `photos p`. */
export const CLOUD_PHOTO_COLUMNS = `p.id, p.sha256, p.file_name AS "fileName", p.captured_at AS "capturedAt", p.width, p.height,
            p.thumb_sha256 AS "thumbSha256", p.preview_sha256 AS "previewSha256"`;
