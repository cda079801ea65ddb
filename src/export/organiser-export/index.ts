// The organiser's export of an event: per-person folders, a ZIP or an offline gallery, with a
// manifest, XMP face regions and keywords, opted-out faces blurred; resumable.
export type {
  EventToExport,
  ExportBurst,
  ExportFace,
  ExportLayout,
  ExportOriginal,
  ExportPerson,
  ExportPhoto,
  ExportProgress,
  ExportSummary,
  ExportedFiles,
  HiddenFace,
  OrganiserExportOptions,
} from './export-model.js';
export { planExport, personFolderName, ExportRequestError, ALL_PHOTOS_FOLDER, PEOPLE_FOLDER, type ExportPlan } from './export-plan.js';
export { runOrganiserExport, zipNameOf, MANIFEST_CSV, MANIFEST_JSON, type ExportRunDeps } from './run-export.js';
export { ExportWriteError, describeWriteError } from './write-errors.js';
export { STATE_FILE } from './export-state.js';
export { PICK_LABEL, PICK_RATING, PEOPLE_KEYWORD_PARENT } from './xmp-tags.js';
