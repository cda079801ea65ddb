// The export's manifest: what the organiser (or their spreadsheet) reads to know which photo is
// where, who is in it, when and with which camera. CSV for spreadsheets, JSON for tools.
import type { ExportPlan } from './export-plan.js';

export interface ManifestPhoto {
  id: number;
  file: string;
  /** Every place the photo (and its other files) was written, relative to the export. */
  files: string[];
  originalFileName: string;
  capturedAt: string | null;
  camera: string | null;
  people: string[];
  pick: boolean;
  blurredFaces: number;
}

export interface Manifest {
  event: string;
  exportedAt: string;
  as: string;
  files: string;
  photos: ManifestPhoto[];
  people: { id: number; name: string; folder: string | null; photos: number[] }[];
}

export function manifestOf(plan: ExportPlan, options: { as: string; files: string }, exportedAt: number): Manifest {
  const names = new Map(plan.people.map((p) => [p.id, p.name]));
  return {
    event: plan.event.name,
    exportedAt: new Date(exportedAt).toISOString(),
    as: options.as,
    files: options.files,
    photos: plan.photos.map((p) => ({
      id: p.photo.id,
      file: p.fileName,
      files: p.files.flatMap((f) => f.places),
      originalFileName: p.photo.fileName,
      capturedAt: p.photo.capturedAt === null ? null : new Date(p.photo.capturedAt).toISOString(),
      camera: p.photo.camera,
      people: p.people.map((id) => names.get(id)!),
      pick: p.pick,
      blurredFaces: p.hidden.length,
    })),
    people: plan.people.map((p) => ({ id: p.id, name: p.name, folder: p.folder, photos: p.photoIds })),
  };
}

/**
 * One CSV field: quoted when it holds a separator, quote or line break; a leading = + - @ gets a
 * quote mark in front so a spreadsheet shows a name like "=HYPERLINK(…)" instead of running it.
 */
export function csvField(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const MANIFEST_COLUMNS = [
  'photo_id',
  'file',
  'captured_at',
  'camera',
  'people',
  'pick',
  'blurred_faces',
  'original_file_name',
  'files',
];

export function manifestCsv(m: Manifest): string {
  const rows = m.photos.map((p) =>
    [p.id, p.file, p.capturedAt, p.camera, p.people.join('; '), p.pick, p.blurredFaces, p.originalFileName, p.files.join('; ')]
      .map(csvField)
      .join(','),
  );
  return [MANIFEST_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
