// What a kiosk may do, one attendee at a time: start a session after consent, search with a
// selfie, take chosen photos home (gallery link, delivery, "send me new photos"), end. A
// session's selfie embedding lives only while the session runs, unless the attendee opted in.
import { randomBytes } from 'node:crypto';
import { readEventSettings, type EventSettings } from '../config/index.js';
import type { ChosenFace, KioskDevice, KioskSession, Photo, Repositories, ShownFace } from '../store/index.js';
import type { KioskMatch, KioskResults, KioskSessionView, TakeHomeRequest } from '../api/index.js';
import { KioskError } from './kiosk-error.js';
import { closeUpMayShow } from './face-close-up.js';
import { hashSecret, newToken } from '../config/index.js';
import type { EventSearch, MatchedSelfie } from '../search/index.js';
import { createFollowerMatching, type AnchoredFollowers, type NewPhotosForFollower } from './follower-matching.js';

/** A kiosk session never needs longer; one left open (a crash, a pulled plug) is ended by the sweep. */
export const SESSION_LIFETIME_MS = 15 * 60 * 1000;

export interface KioskSessionsDeps {
  repos: Repositories;
  search: Pick<EventSearch, 'bySelfie' | 'withConfirmedFaces'>;
  /** The event's sure-match distance (it tightens as the event grows): an opted-in attendee gets a new photo only on a sure match. */
  sureDistance(eventId: number): number;
  /** Faces hidden by "do not publish" in these photos (see do-not-publish.ts); none when not given. */
  hiddenFaces?: (eventId: number, photoIds: readonly number[]) => Map<number, { box: [number, number, number, number] }[]>;
  now?: () => number;
}

/** What the kiosk shows to take photos home; the server turns the token into the gallery address. */
export interface TakenHome {
  galleryToken: string;
  expiresAt: string;
  deliveryId: number | null;
}

export function createKioskSessions(deps: KioskSessionsDeps) {
  const { repos } = deps;
  const now = deps.now ?? Date.now;
  const followers = createFollowerMatching({ repos, sureDistance: deps.sureDistance, now });
  const settingsOf = (eventId: number): EventSettings => readEventSettings(repos.events.eventSettings(eventId));
  // The gallery token of each running session, so a second take-home shows the same link. Only
  // the hash is stored; after a restart a session simply gets a new link.
  const linkOfSession = new Map<string, { token: string; expiresAt: number }>();
  // The face each shown photo matched by, and which were shown under "Maybe you?", are the
  // session's rows (`recordShownFaces`): a "Maybe you?" photo tapped in searches by her face in it,
  // and one taken home is a face she said is hers, even after the engine restarted mid-session.

  /**
   * Ends a session however it ends (done, idle reset, timeout, a kiosk that crashed): the selfie's
   * embedding is deleted now, unless the attendee asked for new photos of them.
   */
  function close(session: KioskSession): void {
    linkOfSession.delete(session.id);
    const followUntil = session.notifyOptIn ? now() + settingsOf(session.eventId).optInRetentionDays * 86_400_000 : null;
    repos.kiosks.endSession(session.id, followUntil, now());
  }

  /** The kiosk's own running session; any other id is "not found" (no hint that it exists). */
  function ownSession(kiosk: KioskDevice, sessionId: string): KioskSession {
    const session = repos.kiosks.getSession(sessionId);
    if (!session || session.kioskId !== kiosk.id) throw new KioskError('not-found', 'Session not found: start again.');
    if (session.state === 'ended') throw new KioskError('expired', 'This session has ended: start again.');
    if (session.expiresAt < now()) {
      close(session);
      throw new KioskError('expired', 'This session timed out: start again.');
    }
    return session;
  }

  const kioskMatch = (sessionId: string, photo: Photo, face: { cropPath: string | null } | undefined = undefined): KioskMatch => ({
    photoId: photo.id,
    thumbUrl: `/kiosk-api/sessions/${sessionId}/photos/${photo.id}/thumb`,
    previewUrl: `/kiosk-api/sessions/${sessionId}/photos/${photo.id}/preview`,
    faceUrl: face?.cropPath ? `/kiosk-api/sessions/${sessionId}/photos/${photo.id}/face` : null,
    width: photo.width,
    height: photo.height,
  });

  /** The face a shown photo was matched by, as stored (its place and close-up); undefined when it was found again since. */
  const shownFace = (photoId: number, faceId: number | undefined) =>
    faceId === undefined ? undefined : repos.faces.facesOfPhoto(photoId).find((f) => f.id === faceId);

  /**
   * Her faces in the "Maybe you?" photos she chose to take home: the face each matched by. Kept
   * with her description when she asks for new photos of her (follower-matching.ts).
   */
  function chosenMaybeFaces(session: KioskSession, chosen: readonly number[]): ChosenFace[] {
    const shown = new Map(repos.kiosks.shownFacesOf(session.id).map((s) => [s.photoId, s]));
    return chosen.flatMap((photoId) => {
      const face = shownFace(photoId, shown.get(photoId)?.maybe ? shown.get(photoId)!.faceId : undefined);
      return face ? [{ photoId, box: face.box }] : [];
    });
  }

  /**
   * A search's answer as the kiosk shows it: ready photos only, "do not publish" applied, the
   * session's photos recorded with what it showed before (none after a new selfie).
   */
  function present(
    session: KioskSession,
    found: Pick<MatchedSelfie, 'matches' | 'maybe' | 'tookMs'>,
    embedding: Float32Array,
    before: { photoIds: readonly number[]; faces: readonly ShownFace[] },
  ): KioskResults {
    const ready = (ms: readonly { photoId: number }[]) =>
      ms.flatMap((m) => {
        const p = repos.photos.getPhoto(m.photoId);
        return p && p.status === 'ready' ? [p] : [];
      });
    // "Do not publish": a photo whose matching face is an opted-out face is withheld (it is a
    // photo *of* that person, found by someone else's selfie: a lookalike, or a picture of them
    // held up to the camera). A photo that matched the searcher's own face stays, with the
    // opted-out bystander blurred in its images: withholding it would take the searcher's own
    // photo from them to protect a face that is already made unrecognisable. An opted-out
    // attendee searching again meets their own face as hidden too, so their new search is empty.
    const hidden = deps.hiddenFaces?.(
      session.eventId,
      [...found.matches, ...found.maybe].map((m) => m.photoId),
    );
    const shown = (ms: typeof found.matches) =>
      ms.filter((m) => !(hidden?.get(m.photoId) ?? []).some((f) => f.box.every((v, i) => v === m.box[i])));
    const photos = ready(shown(found.matches));
    const maybe = ready(shown(found.maybe));
    // The face each photo was first shown by; a photo once shown under "Maybe you?" stays one.
    const shownFaces = new Map(before.faces.map((f) => [f.photoId, { ...f }]));
    const matchedBy = new Map([...found.matches, ...found.maybe].map((m) => [m.photoId, m.faceId]));
    for (const [list, maybeNow] of [
      [photos, false],
      [maybe, true],
    ] as const) {
      for (const p of list) {
        const known = shownFaces.get(p.id);
        if (known) known.maybe ||= maybeNow;
        else shownFaces.set(p.id, { photoId: p.id, faceId: matchedBy.get(p.id)!, maybe: maybeNow });
      }
    }
    // "Maybe" photos are the session's too (to show and to choose); only the chosen ones go home.
    repos.kiosks.recordMatches(session.id, embedding, [
      ...new Set([...before.photoIds, ...photos.map((p) => p.id), ...maybe.map((p) => p.id)]),
    ]);
    repos.kiosks.recordShownFaces(session.id, [...shownFaces.values()]);
    return {
      matches: photos.map((p) => kioskMatch(session.id, p)),
      maybe: maybe.map((p) => {
        const face = shownFace(p.id, shownFaces.get(p.id)?.faceId);
        return kioskMatch(session.id, p, face && !closeUpMayShow(face.box, hidden?.get(p.id) ?? []) ? face : undefined);
      }),
      tookMs: found.tookMs,
    };
  }

  return {
    settingsOf,

    start(kiosk: KioskDevice): KioskSessionView {
      const id = randomBytes(16).toString('base64url');
      const started = now();
      repos.kiosks.startSession(id, kiosk.eventId, kiosk.id, started, started + SESSION_LIFETIME_MS);
      return { sessionId: id, expiresAt: new Date(started + SESSION_LIFETIME_MS).toISOString() };
    },

    async search(kiosk: KioskDevice, sessionId: string, image: Buffer): Promise<KioskResults> {
      const session = ownSession(kiosk, sessionId);
      const found = await deps.search.bySelfie(session.eventId, image);
      return present(session, found, found.embedding, { photoIds: [], faces: [] });
    },

    /**
     * "Maybe you?" photos the attendee tapped in: their faces join the search, which then finds
     * more photos near them. Every photo shown before stays the session's (chosen ones go home).
     */
    confirmMaybe(kiosk: KioskDevice, sessionId: string, photoIds: readonly number[]): KioskResults {
      const session = ownSession(kiosk, sessionId);
      const embedding = session.selfieEmbedding;
      if (!embedding) throw new KioskError('bad-request', 'Take a selfie first.');
      const allowed = new Set(session.matchedPhotoIds);
      const chosen = [...new Set(photoIds)];
      if (chosen.some((id) => !allowed.has(id))) throw new KioskError('forbidden', 'Only photos from this search can be confirmed.');
      const shown = repos.kiosks.shownFacesOf(session.id);
      const faceOf = new Map(shown.map((s) => [s.photoId, s.faceId]));
      const faceIds = chosen.flatMap((id) => faceOf.get(id) ?? []);
      const found = deps.search.withConfirmedFaces(session.eventId, embedding, faceIds);
      return present(session, found, embedding, { photoIds: session.matchedPhotoIds, faces: shown });
    },
    /**
     * The close-up (data-dir path) of the face a "Maybe you?" photo of this session was matched by.
     * Not found when the session did not show it under "Maybe you?", or when a face in it that
     * must not be published is near enough to show in the close-up (cut from the original, where
     * no face is blurred).
     */
    sessionFace(kiosk: KioskDevice, sessionId: string, photoId: number): string {
      const session = ownSession(kiosk, sessionId);
      const notFound = new KioskError('not-found', 'Face not found.');
      const shown = repos.kiosks.shownFacesOf(session.id).find((s) => s.photoId === photoId);
      const face = shown?.maybe ? shownFace(photoId, shown.faceId) : undefined;
      if (!face?.cropPath) throw notFound;
      const hidden = deps.hiddenFaces?.(session.eventId, [photoId]).get(photoId) ?? [];
      if (closeUpMayShow(face.box, hidden)) throw notFound;
      return face.cropPath;
    },

    /** A photo of the session's matches (for its thumbnails and previews); anything else is not found. */
    sessionPhoto(kiosk: KioskDevice, sessionId: string, photoId: number): Photo {
      const session = ownSession(kiosk, sessionId);
      const photo = session.matchedPhotoIds.includes(photoId) ? repos.photos.getPhoto(photoId) : undefined;
      if (!photo) throw new KioskError('not-found', 'Photo not found.');
      return photo;
    },

    /**
     * The attendee's way home for the chosen photos: one gallery link per session (asking again,
     * say for the QR after typing an email, updates the same gallery) and at most one waiting
     * delivery. No photos is fine for an attendee who only wants new photos of them.
     */
    takeHome(kiosk: KioskDevice, sessionId: string, request: TakeHomeRequest): TakenHome {
      const session = ownSession(kiosk, sessionId);
      const allowed = new Set(session.matchedPhotoIds);
      const chosen = [...new Set(request.photoIds)];
      if (chosen.some((id) => !allowed.has(id))) throw new KioskError('forbidden', 'Only photos from this search can be taken home.');
      if (!chosen.length && !(request.notifyOptIn && request.contact)) {
        throw new KioskError('bad-request', 'Choose at least one photo, or leave a contact and ask for new photos of you.');
      }
      const settings = settingsOf(session.eventId);
      const at = now();
      let link = linkOfSession.get(session.id);
      if (!link) {
        // A new link for this visit; or after the laptop restarted mid-visit a second one (only
        // the first one's hash was kept), which the first one she may have scanned then follows.
        const token = newToken();
        link = { token, expiresAt: at + settings.galleryLinkHours * 3_600_000 };
        repos.galleries.addLink(hashSecret(token), session.eventId, session.id, chosen, at, link.expiresAt);
        linkOfSession.set(session.id, link);
      }
      repos.galleries.setSessionLinkPhotos(session.id, chosen);
      let deliveryId: number | null = null;
      if (request.contact) {
        deliveryId = repos.galleries.saveSessionDelivery(
          session.eventId,
          session.id,
          request.contact.channel,
          request.contact.address,
          chosen,
          at,
        );
      }
      repos.kiosks.recordTakeHome(
        session.id,
        request.notifyOptIn,
        request.contact ? `${request.contact.channel}:${request.contact.address}` : null,
      );
      repos.kiosks.recordChosenFaces(session.id, request.notifyOptIn ? chosenMaybeFaces(session, chosen) : []);
      return { galleryToken: link.token, expiresAt: new Date(link.expiresAt).toISOString(), deliveryId };
    },

    /** Ends the session: the selfie's embedding is deleted now, or kept for the retention period if the attendee opted in. */
    end(kiosk: KioskDevice, sessionId: string): void {
      const session = repos.kiosks.getSession(sessionId);
      if (session && session.kioskId === kiosk.id && session.state !== 'ended') close(session);
    },

    /** New faces of a processed photo checked against opted-in attendees (follower-matching.ts); their galleries and deliveries grow. */
    newFaces(eventId: number, photoId: number, faceIds: readonly number[]): NewPhotosForFollower[] {
      return followers.newFaces(eventId, photoId, faceIds);
    },

    /** A photo whose faces could not be described again after a change of face network (follower-matching.ts). */
    facesNotDescribedAgain(eventId: number, photoId: number): NewPhotosForFollower[] {
      return followers.facesNotDescribedAgain(eventId, photoId);
    },

    /** Photos gone from the event (a RAW merged into its JPEG) that followers' descriptions waited for (follower-matching.ts). */
    photosGone(eventId: number): NewPhotosForFollower[] {
      return followers.photosGone(eventId);
    },

    /** Before the event's faces are described by another network: followers' faces noted, to rebuild them from (follower-matching.ts). */
    anchorFollowers(eventId: number, earlierSureDistance: number): AnchoredFollowers {
      return followers.anchorFollowers(eventId, earlierSureDistance);
    },

    /** Ends sessions kiosks abandoned and forgets opted-in embeddings past their retention. */
    sweep(): { ended: number; forgotten: number } {
      const at = now();
      const abandoned = repos.kiosks.abandonedSessionIds(at);
      for (const id of abandoned) {
        const session = repos.kiosks.getSession(id);
        if (session) close(session);
      }
      const forgotten = repos.kiosks.forgetExpiredFollowers(at);
      if (forgotten) followers.forget();
      return { ended: abandoned.length, forgotten };
    },
  };
}

export type KioskSessions = ReturnType<typeof createKioskSessions>;
