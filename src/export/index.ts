// What other folders may use of export.
export { watermarkJpeg, watermarkSvg } from './watermark.js';
export { zipGallery, type ZipEntry } from './gallery-zip.js';
export { safeFileName, uniqueEntryNames, zipEntryNames } from './file-names.js';
export { blurFaces, type BlurOptions, type FaceBox } from './face-blur.js';
export * from './html-gallery/index.js';
export {
  runOrganiserExport,
  planExport,
  personFolderName,
  zipNameOf,
  ExportRequestError,
  ExportWriteError,
  ALL_PHOTOS_FOLDER,
  PEOPLE_FOLDER,
  MANIFEST_CSV,
  MANIFEST_JSON,
  STATE_FILE,
  PICK_LABEL,
  PICK_RATING,
  PEOPLE_KEYWORD_PARENT,
  type EventToExport,
  type ExportPhoto,
  type ExportPerson,
  type ExportProgress,
  type ExportSummary,
  type ExportLayout,
  type ExportedFiles,
  type HiddenFace,
  type OrganiserExportOptions,
  type ExportRunDeps,
} from './organiser-export/index.js';
