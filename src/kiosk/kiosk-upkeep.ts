// What keeps running for attendees while the engine is open, whatever started it (`serve`,
// `ingest`, the desktop app): new photos matched to attendees who asked for them, and the privacy
// sweep that ends abandoned sessions and deletes selfie data past its retention. Before this
// lived in the HTTP server, retention was enforced only while a server ran.
import type { Logger } from 'pino';
import type { KioskSessions } from './kiosk-sessions.js';
import type { NewPhotosForFollower } from './follower-matching.js';

/** The privacy sweep runs this often (and once at start). */
export const SWEEP_EVERY_MS = 60_000;

export interface KioskUpkeep {
  /** Call for every ready photo with its new faces (none too); returns what attendees newly got. */
  photoReady(eventId: number, photoId: number, faceIds: readonly number[]): NewPhotosForFollower[];
  /** Call when a ready photo's faces could not be described again; returns what attendees newly got. */
  facesNotDescribedAgain(eventId: number, photoId: number): NewPhotosForFollower[];
  /** Call after photos left the event (a capture's RAW merged into its JPEG); returns what attendees newly got. */
  photosGone(eventId: number): NewPhotosForFollower[];
  sweepNow(): { ended: number; forgotten: number };
  stop(): void;
}

export function startKioskUpkeep(sessions: KioskSessions, log: Logger, every = SWEEP_EVERY_MS): KioskUpkeep {
  const sweepNow = (): { ended: number; forgotten: number } => {
    try {
      const swept = sessions.sweep();
      if (swept.ended || swept.forgotten) log.info(swept, 'Kiosk sessions ended and expired selfie data deleted');
      return swept;
    } catch (err) {
      log.error({ err }, `Kiosk session clean-up failed: ${(err as Error).message}`);
      return { ended: 0, forgotten: 0 };
    }
  };
  const forFollowers = (photoId: number, work: () => NewPhotosForFollower[]): NewPhotosForFollower[] => {
    try {
      return work();
    } catch (err) {
      log.error({ err, photoId }, `Could not check photo ${photoId} for attendees waiting for new photos: ${(err as Error).message}`);
      return [];
    }
  };
  sweepNow();
  const timer = setInterval(sweepNow, every);
  // The sweep never keeps a finished one-shot command alive.
  timer.unref();
  return {
    photoReady(eventId, photoId, faceIds) {
      // A photo without faces is passed on too: after a change of face network it may be one an
      // attendee's description waits for (follower-matching.ts).
      return forFollowers(photoId, () => sessions.newFaces(eventId, photoId, faceIds));
    },
    facesNotDescribedAgain(eventId, photoId) {
      return forFollowers(photoId, () => sessions.facesNotDescribedAgain(eventId, photoId));
    },
    photosGone(eventId) {
      try {
        return sessions.photosGone(eventId);
      } catch (err) {
        log.error({ err, eventId }, `Could not check attendees waiting for new photos after photos were merged: ${(err as Error).message}`);
        return [];
      }
    },
    sweepNow,
    stop: () => clearInterval(timer),
  };
}
