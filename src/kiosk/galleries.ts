// Attendee galleries: a take-home link's token is the only key. An unknown token is "not found",
// an expired one "expired", and a gallery holds only the photos it was made with (plus new ones
// for attendees who asked for them), ready and of the link's own event.
import { attendeeWatermark, hashSecret, readEventSettings } from '../config/index.js';
import type { Event, GalleryLink, Photo, Repositories } from '../store/index.js';
import { KioskError } from './kiosk-error.js';

export interface OpenGallery {
  event: Event;
  link: GalleryLink;
  photos: Photo[];
  /** The event's watermark text when watermarking is on, else null. */
  watermark: string | null;
}

export function createGalleries(repos: Repositories, now: () => number = Date.now) {
  return {
    open(token: string): OpenGallery {
      const link = repos.galleries.linkByTokenHash(hashSecret(token));
      if (!link) throw new KioskError('not-found', 'This gallery link does not exist. Check the address, or ask at the photo kiosk.');
      if (link.expiresAt <= now())
        throw new KioskError('expired', 'This gallery link has expired. Ask the event organiser for your photos.');
      const event = repos.events.listEvents().find((e) => e.id === link.eventId);
      if (!event) throw new KioskError('not-found', 'This gallery link does not exist. Check the address, or ask at the photo kiosk.');
      const photos = link.photoIds.flatMap((id) => {
        const p = repos.photos.getPhoto(id);
        return p && p.status === 'ready' && p.eventId === link.eventId ? [p] : [];
      });
      return { event, link, photos, watermark: attendeeWatermark(readEventSettings(repos.events.eventSettings(link.eventId))) };
    },
  };
}

export type Galleries = ReturnType<typeof createGalleries>;
