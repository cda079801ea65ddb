// Which files an organiser export writes and where, decided from plain data (no disk): per-person
// folders, the --people and --only-picks filters, previews or originals, safe and distinct names.
import { safeFileName, uniqueEntryNames } from '../file-names.js';
import type { EventToExport, ExportPhoto, ExportPerson, HiddenFace, OrganiserExportOptions } from './export-model.js';

/** Every exported photo, once; the people folders hold the same files (hard links where the disk allows). */
export const ALL_PHOTOS_FOLDER = 'All photos';
export const PEOPLE_FOLDER = 'People';
/** Where `--as html` keeps the images its pages show. */
export const GALLERY_PHOTOS_FOLDER = 'photos';

/** Formats a blurred copy can be written in (sharp writes them); a RAW cannot be, its preview goes instead. */
const BLURRABLE = /\.(jpe?g|png|webp|tiff?)$/i;

/** The request cannot be exported as asked (unknown person, nothing to export): the message says what to do. */
export class ExportRequestError extends Error {
  override name = 'ExportRequestError';
}

export type FileSource =
  /** The data dir's 2048 px JPEG preview (re-encoded only when a face is blurred). */
  | { kind: 'preview'; path: string }
  /** A camera file, linked or copied as it is. */
  | { kind: 'original'; path: string }
  /** A camera file with a hidden face: decoded, blurred, written as a new file of the same format. */
  | { kind: 'blurred-original'; path: string };

export interface PlannedFile {
  photoId: number;
  source: FileSource;
  /** Relative to the export root, forward slashes; the first is written, the others linked to it. */
  places: string[];
  /** XMP goes into the file itself (JPEG copies we make) or beside it as NAME.xmp (originals, never written into). */
  xmp: 'embedded' | 'sidecar';
}

export interface PlannedPerson {
  id: number;
  /** The organiser's name, or "Person 12". */
  name: string;
  /** Relative folder ("People/Anna"), or null for `--as html` (the gallery has a page per person instead). */
  folder: string | null;
  photoIds: number[];
}

export interface PlannedPhoto {
  photo: ExportPhoto;
  /** The name its main file has in every folder. */
  fileName: string;
  /** People in it who are exported (opted-out faces are never named). */
  people: number[];
  /** The best frame of a burst. */
  pick: boolean;
  hidden: readonly HiddenFace[];
  files: PlannedFile[];
}

export interface ExportPlan {
  event: { id: number; name: string };
  people: PlannedPerson[];
  photos: PlannedPhoto[];
  /** Photos that had to go as their blurred preview (a RAW cannot be blurred in place). */
  previewsInsteadOfOriginals: number;
  /** A pair's RAW with a face to blur: left out (its JPEG goes, blurred). */
  filesWithheld: number;
}

/** "Anna", or "Person 12" for someone nobody named yet. */
export const personName = (p: ExportPerson): string => p.name?.trim() || `Person ${p.id}`;

/**
 * A person's name as one folder name: a slash in "AC/DC" stays part of the name (safeFileName
 * alone would keep only "DC"), and a name that sanitises to nothing ("..") becomes "Person 12".
 */
export const personFolderName = (p: ExportPerson): string =>
  safeFileName(personName(p).replace(/[/\\]/g, '_'), `Person ${p.id}`).replace(/^(All photos)$/i, '$1 (person)');

/**
 * People with a face that must not be published: they get no folder, no region name and no
 * keyword, even when asked for by name (the opt-out wins over the organiser's filter).
 */
function optedOutPeople(data: EventToExport): Set<number> {
  const hidden = new Set([...data.hidden.values()].flatMap((faces) => faces.map((f) => f.faceId)));
  const out = new Set<number>();
  for (const photo of data.photos) for (const f of photo.faces) if (f.personId !== null && hidden.has(f.id)) out.add(f.personId);
  return out;
}

function choosePeople(data: EventToExport, options: OrganiserExportOptions): ExportPerson[] {
  const optedOut = optedOutPeople(data);
  const people = data.people.filter((p) => !optedOut.has(p.id));
  if (options.people.length === 0) return people.filter((p) => options.unnamedPeople || p.name?.trim());
  const chosen: ExportPerson[] = [];
  for (const wanted of options.people) {
    const key = wanted.trim().toLowerCase();
    const found = people.find((p) => String(p.id) === key || p.name?.trim().toLowerCase() === key || personName(p).toLowerCase() === key);
    if (!found) {
      const known = people.map((p) => (p.name ? `${p.id} (${p.name})` : String(p.id)));
      throw new ExportRequestError(
        `No person "${wanted}" in event "${data.event.name}". Give a person id or name as \`shutterfind people --event "${data.event.name}"\` lists them` +
          (known.length ? `: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.` : ' (nobody has been recognised yet).'),
      );
    }
    if (!chosen.includes(found)) chosen.push(found);
  }
  return chosen;
}

/** Frames of a burst other than its best one: left out by --only-picks. */
function nonPicks(data: EventToExport): { left: Set<number>; best: Set<number> } {
  const left = new Set<number>();
  const best = new Set<number>();
  for (const b of data.bursts) {
    if (b.photoIds.length < 2) continue;
    best.add(b.bestPhotoId);
    for (const id of b.photoIds) if (id !== b.bestPhotoId) left.add(id);
  }
  return { left, best };
}

const stemOf = (name: string): string => (name.lastIndexOf('.') > 0 ? name.slice(0, name.lastIndexOf('.')) : name);
const baseName = (path: string): string => path.split(/[/\\]/).pop() ?? path;
/** Lightroom and Photo Mechanic read IMG_0042.xmp beside IMG_0042.CR3 (one sidecar for a RAW+JPEG pair). */
export const sidecarOf = (place: string): string => `${stemOf(place)}.xmp`;

export function planExport(data: EventToExport, options: OrganiserExportOptions): ExportPlan {
  if (data.photos.length === 0) {
    throw new ExportRequestError(
      `Event "${data.event.name}" has no ready photos to export yet. Import photos (\`shutterfind ingest --event "${data.event.name}" DIR\`) and wait until they are processed, then export again.`,
    );
  }
  const people = choosePeople(data, options);
  const personIds = new Set(people.map((p) => p.id));
  const { left, best } = nonPicks(data);
  const filtered = options.people.length > 0;

  const chosen: { photo: ExportPhoto; people: number[]; hidden: readonly HiddenFace[] }[] = [];
  for (const photo of [...data.photos].sort((a, b) => a.id - b.id)) {
    if (options.onlyPicks && left.has(photo.id)) continue;
    const hidden = data.hidden.get(photo.id) ?? [];
    const hiddenIds = new Set(hidden.map((h) => h.faceId));
    const inIt = [
      ...new Set(
        photo.faces.filter((f) => !hiddenIds.has(f.id) && f.personId !== null && personIds.has(f.personId)).map((f) => f.personId!),
      ),
    ];
    if (filtered && inIt.length === 0) continue;
    chosen.push({ photo, people: inIt, hidden });
  }
  if (chosen.length === 0) {
    throw new ExportRequestError(
      `Nothing to export from event "${data.event.name}" with these choices (${[filtered ? `people ${options.people.join(', ')}` : '', options.onlyPicks ? 'only picks' : ''].filter(Boolean).join(', ')}): no photo matches. Choose other people or leave the filter out.`,
    );
  }

  const folders = options.as !== 'html';
  const folderNames = uniqueEntryNames(people.map(personFolderName));
  const plannedPeople: PlannedPerson[] = people.map((p, i) => ({
    id: p.id,
    name: personName(p),
    folder: folders ? `${PEOPLE_FOLDER}/${folderNames[i]}` : null,
    photoIds: [],
  }));
  const byId = new Map(plannedPeople.map((p) => [p.id, p]));
  const mainFolder = folders ? ALL_PHOTOS_FOLDER : GALLERY_PHOTOS_FOLDER;

  // Names are made distinct across the whole export (in photo id order, so a re-run with new
  // photos keeps every earlier name): the same photo then has one name in every folder.
  let previewsInstead = 0;
  let withheld = 0;
  const wanted = chosen.map(({ photo, hidden }) => {
    const originals = options.files === 'originals' && options.as !== 'html';
    if (!originals) return [{ name: `${stemOf(safeFileName(photo.fileName))}.jpg`, source: preview(photo) }];
    return photo.originals.flatMap((o): { name: string; source: FileSource }[] => {
      const name = safeFileName(baseName(o.path));
      if (hidden.length === 0) return [{ name, source: { kind: 'original', path: o.path } }];
      if (BLURRABLE.test(o.path)) return [{ name, source: { kind: 'blurred-original', path: o.path } }];
      if (o.role !== 'photo') {
        withheld += 1;
        return [];
      }
      previewsInstead += 1;
      return [{ name: `${stemOf(name)}.jpg`, source: preview(photo) }];
    });
  });
  const names = uniqueEntryNames(wanted.flat().map((w) => w.name));
  let n = 0;
  const photos: PlannedPhoto[] = chosen.map(({ photo, people: inIt, hidden }, i) => {
    const files = wanted[i]!.map(({ source }): PlannedFile => {
      const name = names[n++]!;
      const personFolders = folders ? inIt.map((id) => byId.get(id)!.folder!) : [];
      return {
        photoId: photo.id,
        source,
        places: [`${mainFolder}/${name}`, ...personFolders.map((f) => `${f}/${name}`)],
        xmp: source.kind === 'preview' ? 'embedded' : 'sidecar',
      };
    });
    for (const id of inIt) byId.get(id)!.photoIds.push(photo.id);
    return { photo, fileName: baseName(files[0]!.places[0]!), people: inIt, pick: best.has(photo.id), hidden, files };
  });
  return { event: data.event, people: plannedPeople, photos, previewsInsteadOfOriginals: previewsInstead, filesWithheld: withheld };
}

function preview(photo: ExportPhoto): FileSource {
  if (!photo.previewPath) {
    throw new ExportRequestError(
      `Photo ${photo.id} (${photo.fileName}) has no preview yet: run \`shutterfind reprocess --stage previews\` for the event, or export with --originals.`,
    );
  }
  return { kind: 'preview', path: photo.previewPath };
}
