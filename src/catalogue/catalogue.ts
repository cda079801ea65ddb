// What an event holds, as the console and the commands read it: its photos with their faces,
// watched folders with their counts, cameras, settings and deliveries. Reads, plus the few
// plain edits an operator makes (event settings). SQL stays in store/; this is the use-case face.
import { applyEventSettingsPatch, readEventSettings, type EventSettings, type EventSettingsPatch } from '../config/index.js';
import type { Delivery, Event, Photo, PhotoFile, PhotoStatus, Repositories, Source, StoredFace } from '../store/index.js';

export interface CameraCount {
  make: string | null;
  model: string | null;
  serial: string | null;
  photos: number;
}

export interface PhotoWithFaces {
  photo: Photo;
  faces: StoredFace[];
  /** The capture's other files (its RAW beside the JPEG the photo is made from). */
  files: PhotoFile[];
}

/** An event name nobody has used here: the message lists the ones that exist. */
export class UnknownEventError extends Error {
  override name = 'UnknownEventError';
  constructor(
    readonly eventName: string,
    known: readonly string[],
  ) {
    super(`No event named "${eventName}" on this laptop.` + (known.length ? ` Events: ${known.join(', ')}` : ' There are no events yet.'));
  }
}

export function createCatalogue(repos: Repositories) {
  const events = {
    list: (): Event[] => repos.events.listEvents(),
    byName: (name: string): Event | undefined => repos.events.findEventByName(name),
    byId: (id: number): Event | undefined => repos.events.listEvents().find((e) => e.id === id),
    /** The event, or an error that names the events there are. */
    named(name: string): Event {
      const event = repos.events.findEventByName(name);
      if (!event)
        throw new UnknownEventError(
          name,
          repos.events.listEvents().map((e) => e.name),
        );
      return event;
    },
  };
  const withFaces = (photo: Photo): PhotoWithFaces => ({
    photo,
    faces: repos.faces.facesOfPhoto(photo.id),
    files: repos.pairs.filesOfPhoto(photo.id),
  });
  return {
    events,
    photo: (id: number): Photo | undefined => repos.photos.getPhoto(id),
    photoWithFaces(id: number): PhotoWithFaces | undefined {
      const photo = repos.photos.getPhoto(id);
      return photo ? withFaces(photo) : undefined;
    },
    newestPhotos: (
      eventId: number,
      q: { limit: number; before?: number | undefined; status?: PhotoStatus | undefined },
    ): PhotoWithFaces[] => repos.photos.listNewestPhotos(eventId, q).map(withFaces),
    photoCounts: (eventId: number) => repos.photos.countPhotos(eventId),
    /** A photo's other files (its RAW), for exports and the console. */
    filesOfPhoto: (photoId: number): PhotoFile[] => repos.pairs.filesOfPhoto(photoId),
    /** Every photo's other files in the event, by photo. */
    filesOfEvent(eventId: number): Map<number, PhotoFile[]> {
      const byPhoto = new Map<number, PhotoFile[]>();
      for (const f of repos.pairs.filesOfEvent(eventId)) byPhoto.set(f.photoId, [...(byPhoto.get(f.photoId) ?? []), f]);
      return byPhoto;
    },
    face: (id: number): StoredFace | undefined => repos.faces.getFace(id),
    sources(eventId: number): { source: Source; photos: number }[] {
      const counts = repos.photos.countBySource(eventId);
      return repos.sources.listSources(eventId).map((source) => ({ source, photos: counts.get(source.id) ?? 0 }));
    },
    photosFromSource: (eventId: number, sourceId: number): number => repos.photos.countBySource(eventId).get(sourceId) ?? 0,
    cameras: (eventId: number): CameraCount[] => repos.photos.countByCamera(eventId),
    settings: (eventId: number): EventSettings => readEventSettings(repos.events.eventSettings(eventId)),
    updateSettings(eventId: number, patch: EventSettingsPatch): EventSettings {
      const next = applyEventSettingsPatch(readEventSettings(repos.events.eventSettings(eventId)), patch);
      repos.events.saveEventSettings(eventId, next);
      return next;
    },
    deliveries: (eventId: number): Delivery[] => repos.galleries.listDeliveries(eventId),
    delivery: (id: number): Delivery | undefined => repos.galleries.getDelivery(id),
  };
}

export type Catalogue = ReturnType<typeof createCatalogue>;
