// What an organiser export works on and hands back, as plain data. The engine (core) reads the event
// into an EventToExport; everything after that (plan, files, metadata, manifest) needs no database.

/** A face as the engine stores it: box in pixels of the photo as seen upright ([x, y, w, h]). */
export interface ExportFace {
  id: number;
  personId: number | null;
  box: [number, number, number, number];
}

/** One file of a photo as it came from the camera. */
export interface ExportOriginal {
  path: string;
  /**
   * 'photo' is the file the engine processed; the other files of the same capture (the RAW of a
   * RAW+JPEG pair, or the camera's JPEG when the RAW is processed) come as 'raw' or 'rendered',
   * and `--originals` exports each of them beside it.
   */
  role: 'photo' | 'raw' | 'rendered';
}

export interface ExportPhoto {
  id: number;
  /** As the camera or tool named it ("IMG_0042.CR3"). */
  fileName: string;
  originals: ExportOriginal[];
  /** The 2048 px JPEG preview in the data dir (absolute), or null when it was never made. */
  previewPath: string | null;
  /** The data dir's 400 px WebP thumbnail (absolute), or null/absent when there is none. */
  thumbnailPath?: string | null;
  /** Size of the photo as seen upright: the space the face boxes are in. */
  width: number;
  height: number;
  capturedAt: number | null;
  /**
   * The camera's UTC offset at capture in minutes east of UTC (+02:00 → 120); null or absent when it
   * recorded none (the export then writes the time in this laptop's zone, as ingest read it).
   */
  capturedOffsetMinutes?: number | null;
  /** "Canon EOS R6", or null. */
  camera: string | null;
  faces: ExportFace[];
}

export interface ExportPerson {
  id: number;
  name: string | null;
}

export interface ExportBurst {
  bestPhotoId: number;
  photoIds: number[];
}

/** A face that must not be published (its person opted out): blurred in every exported image, never named. */
export interface HiddenFace {
  faceId: number;
  box: [number, number, number, number];
}

export interface EventToExport {
  event: { id: number; name: string };
  /** Ready photos of the event. */
  photos: ExportPhoto[];
  people: ExportPerson[];
  bursts: ExportBurst[];
  /** By photo id. */
  hidden: ReadonlyMap<number, readonly HiddenFace[]>;
}

export type ExportLayout = 'folders' | 'zip' | 'html';
export type ExportedFiles = 'previews' | 'originals';

export interface OrganiserExportOptions {
  /** The destination folder (made when missing). */
  to: string;
  as: ExportLayout;
  files: ExportedFiles;
  /** Person ids or names; empty for everyone. */
  people: readonly string[];
  /** Only photos outside bursts and the best frame of each burst. */
  onlyPicks: boolean;
  /** Unnamed people get a "Person 12" folder (true) or none (false). */
  unnamedPeople: boolean;
  /** XMP face regions, keywords and picks (sidecars for originals, embedded in JPEG copies). */
  xmp: boolean;
  /** The gallery's look for `--as html`: CSS colours and a logo file (copied into the gallery). */
  branding?: { accent?: string; background?: string; logo?: string };
  /** Text drawn onto every exported preview (the event's watermark); originals are never marked. */
  watermark?: string | null;
}

export interface ExportProgress {
  /** Photos finished (written or found already there). */
  done: number;
  total: number;
  /** Bytes written by this run. */
  bytes: number;
  elapsedMs: number;
  /** Estimated from this run's pace; null until a photo has been written. */
  leftMs: number | null;
  /** The file being written (relative to the destination). */
  current: string | null;
}

export interface ExportSummary {
  event: string;
  destination: string;
  as: ExportLayout;
  files: ExportedFiles;
  photos: number;
  people: number;
  /** Image files written by this run (a re-run of a finished export writes none). */
  written: number;
  /** Image files found complete from an earlier run. */
  alreadyThere: number;
  /** Extra places of a photo (its people's folders) made as hard links rather than copies. */
  hardLinks: number;
  bytes: number;
  blurredFaces: number;
  /** Photos whose RAW or other file could not be blurred, exported as their blurred preview instead. */
  previewsInsteadOfOriginals: number;
  /** Other files of a capture (a pair's RAW) left out because a face in them must be blurred and cannot be. */
  filesWithheld: number;
  /** Folders moved because their person was renamed since the last run. */
  renamedFolders: { from: string; to: string }[];
  /** What the organiser opens: the folder, the .zip or index.html. */
  entry: string;
  elapsedMs: number;
}
