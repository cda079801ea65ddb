// The organiser export as an engine use case: the event read from the store into plain data
// (photos with their faces, people, bursts, faces that must not be published), then handed to
// export/ which plans and writes it. Runs the same in the engine and on a read-only reader.
import { isAbsolute, join } from 'node:path';
import type { DataDirLayout } from '../config/index.js';
import {
  runOrganiserExport,
  type EventToExport,
  type ExportPhoto,
  type ExportRunDeps,
  type ExportSummary,
  type HiddenFace,
  type OrganiserExportOptions,
  planExport,
} from '../export/index.js';
import type { Photo, PhotoFile, Repositories, StoredFace } from '../store/index.js';
import { UnknownEventError } from '../catalogue/index.js';

/** Faces that must not be published, by photo (the "do not publish" use case answers this). */
export type HiddenFacesOf = (eventId: number, photoIds?: readonly number[]) => ReadonlyMap<number, readonly HiddenFace[]>;

export interface EventExportsDeps {
  repos: Repositories;
  layout: DataDirLayout;
  hiddenFaces: HiddenFacesOf;
}

/** Every photo of an event in one read: the store pages by LIMIT, and an event is at most some 100k photos. */
const ALL = 1_000_000_000;

/** "Canon EOS R6": most cameras repeat the make in the model, some (Nikon, Sony) do not. */
export function cameraName(make: string | null, model: string | null): string | null {
  if (!model) return make;
  if (!make || model.toLowerCase().startsWith(make.split(' ')[0]!.toLowerCase())) return model;
  return `${make} ${model}`;
}

export function createEventExports(deps: EventExportsDeps) {
  const { repos, layout } = deps;
  const toExportPhoto = (p: Photo, pairs: ReadonlyMap<number, PhotoFile[]>, faces: ReadonlyMap<number, StoredFace[]>): ExportPhoto => ({
    id: p.id,
    fileName: p.fileName,
    // Every camera file of the capture: a RAW+JPEG pair exports both, with one sidecar for the two.
    originals: [{ path: p.path, role: 'photo' }, ...(pairs.get(p.id) ?? []).map((f) => ({ path: f.path, role: f.role }))],
    previewPath: p.previewPath ? (isAbsolute(p.previewPath) ? p.previewPath : join(layout.root, p.previewPath)) : null,
    thumbnailPath: p.thumbnailPath ? (isAbsolute(p.thumbnailPath) ? p.thumbnailPath : join(layout.root, p.thumbnailPath)) : null,
    width: p.width ?? 0,
    height: p.height ?? 0,
    capturedAt: p.capturedAt,
    capturedOffsetMinutes: p.capturedOffsetMinutes,
    camera: cameraName(p.cameraMake, p.cameraModel),
    faces: (faces.get(p.id) ?? []).map((f) => ({ id: f.id, personId: f.personId, box: f.box })),
  });
  const read = (eventName: string): EventToExport => {
    const event = repos.events.findEventByName(eventName);
    if (!event)
      throw new UnknownEventError(
        eventName,
        repos.events.listEvents().map((e) => e.name),
      );
    const pairs = new Map<number, PhotoFile[]>();
    for (const f of repos.pairs.filesOfEvent(event.id)) pairs.set(f.photoId, [...(pairs.get(f.photoId) ?? []), f]);
    const faces = repos.faces.facesOfEventByPhoto(event.id);
    const photos = repos.photos.listPhotos(event.id, { status: 'ready', limit: ALL }).map((p) => toExportPhoto(p, pairs, faces));
    return {
      event: { id: event.id, name: event.name },
      photos,
      people: repos.persons.listPersons(event.id).map((p) => ({ id: p.id, name: p.name })),
      bursts: repos.bursts.listBursts(event.id).map((b) => ({ bestPhotoId: b.bestPhotoId, photoIds: b.photos.map((m) => m.photoId) })),
      hidden: deps.hiddenFaces(event.id),
    };
  };
  return {
    /** The event as an export sees it (for tests and the console's preview of what will be written). */
    read,
    /** Throws ExportRequestError (unknown person, nothing to export) before anything is started. */
    check(eventName: string, options: OrganiserExportOptions): { photos: number; people: number } {
      const plan = planExport(read(eventName), options);
      return { photos: plan.photos.length, people: plan.people.length };
    },
    run: (eventName: string, options: OrganiserExportOptions, run: ExportRunDeps = {}): Promise<ExportSummary> =>
      runOrganiserExport(read(eventName), options, run),
  };
}

export type EventExports = ReturnType<typeof createEventExports>;

/** Until "do not publish" is wired: nobody's face is hidden. */
export const NO_HIDDEN_FACES: HiddenFacesOf = () => new Map();
