// "Do not publish": the organiser marks a person, or an attendee asks at the kiosk, and from then
// on that face is hidden wherever attendees see photos (galleries, their ZIP, other attendees'
// kiosk results) and in the organiser's exports. Which faces are hidden is computed from the
// current data every time, so a photo that lands later with that face is covered without a job.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { KioskDevice, NewOptOut, Photo, PublishOptOut, Repositories } from '../store/index.js';
import { MAX_KNN_K } from '../store/index.js';
import { cosineDistance } from '../vision/index.js';
import { KioskError } from './kiosk-error.js';

/** [x, y, w, h] in pixels of the original photo as seen upright, like every stored face box. */
export type FaceBoxTuple = [number, number, number, number];

export interface HiddenFace {
  faceId: number;
  box: FaceBoxTuple;
}

/** Makes the given faces unrecognisable in an image; boxes are in pixels of an upright image of `boxesOf` size. */
export type BlurFacesOf = (
  image: Buffer,
  boxes: readonly { x: number; y: number; w: number; h: number }[],
  boxesOf: { width: number; height: number },
) => Promise<Buffer>;

export interface DoNotPublishDeps {
  repos: Repositories;
  /** The selfie search's sure-match distance: an attendee's face is "theirs" within it, as at the kiosk. */
  threshold: number;
  dataDir: string;
  blur: BlurFacesOf;
  now?: () => number;
}

/** One record of the "Do not publish" list, with what it hides now. */
export interface OptOutRecord extends PublishOptOut {
  /** The person's name now (null when unnamed or removed). */
  currentName: string | null;
  /** Photos in which this record hides a face now. */
  photoCount: number;
}

export interface AttendeeOptOut {
  /** Persons the attendee's selfie matched, now opted out. */
  personIds: number[];
  /** Photos of the event in which their face is hidden now. */
  photoCount: number;
}

/** Bumped when blurring changes, so blurred copies made by an older way are made again. */
const BLUR_VERSION = 1;

/** Where blurred copies of previews live: beside the shared ones, one folder per photo. */
const BLURRED_DIR = join('media', 'blurred');

export function createDoNotPublish(deps: DoNotPublishDeps) {
  const { repos } = deps;
  const now = deps.now ?? Date.now;

  /** Faces of the event within the threshold of a descriptor, nearest first (sqlite-vec, doubling k like nearestPhotos). */
  function facesNear(eventId: number, embedding: Float32Array, threshold = deps.threshold): number[] {
    let k = 64;
    for (;;) {
      const found = repos.faceVectors.nearestFaces(eventId, embedding, k, 'exact');
      const within = found.filter((f) => f.distance <= threshold);
      if (within.length < found.length || found.length < k || k >= MAX_KNN_K) return within.map((f) => f.faceId);
      k = Math.min(MAX_KNN_K, k * 2);
    }
  }

  function hiddenFaces(eventId: number, photoIds?: readonly number[]): Map<number, HiddenFace[]> {
    const active = repos.optOuts.activeOptOuts(eventId);
    const out = new Map<number, HiddenFace[]>();
    if (!active.length) return out;
    const persons = new Set(active.flatMap((o) => (o.personId === null ? [] : [o.personId])));
    const descriptors = active.flatMap((o) => (o.faceEmbedding ? [o.faceEmbedding] : []));
    const add = (photoId: number, face: HiddenFace) => {
      const list = out.get(photoId) ?? [];
      if (!list.some((f) => f.faceId === face.faceId)) list.push(face);
      out.set(photoId, list);
    };
    if (photoIds) {
      // A few photos (a gallery image, a ZIP): their faces checked one by one.
      for (const photoId of new Set(photoIds)) {
        const faces = repos.faces.facesOfPhoto(photoId).filter((f) => f.eventId === eventId);
        const vectors = descriptors.length ? repos.faceVectors.vectorsOf(faces.map((f) => f.id)) : [];
        faces.forEach((f, i) => {
          const v = vectors[i];
          const hidden =
            (f.personId !== null && persons.has(f.personId)) ||
            (v !== undefined && descriptors.some((d) => cosineDistance(d, v) <= deps.threshold));
          if (hidden) add(photoId, { faceId: f.id, box: f.box });
        });
      }
    } else {
      for (const f of repos.faces.facesOfPersons(eventId, [...persons])) add(f.photoId, { faceId: f.id, box: f.box });
      for (const d of descriptors) {
        for (const f of repos.faceVectors.facesOf(facesNear(eventId, d)).values()) add(f.photoId, { faceId: f.faceId, box: f.box });
      }
    }
    for (const list of out.values()) list.sort((a, b) => a.faceId - b.faceId);
    return out;
  }

  /** Photos in which one record hides a face now. */
  function photosOfRecord(o: PublishOptOut): Set<number> {
    const photos = new Set<number>();
    if (o.personId !== null) for (const id of repos.faces.photoIdsOfPerson(o.eventId, o.personId)) photos.add(id);
    if (o.faceEmbedding) for (const f of repos.faceVectors.facesOf(facesNear(o.eventId, o.faceEmbedding)).values()) photos.add(f.photoId);
    return photos;
  }

  function inside(relative: string): string {
    const root = resolve(deps.dataDir);
    const full = resolve(root, relative);
    if (!full.startsWith(root + sep)) throw new Error(`Media path ${relative} is outside the data folder`);
    return full;
  }

  return {
    hiddenFaces,

    /**
     * Before an event's faces are described by another network: a kiosk attendee's opt-out
     * finds their face by the selfie's descriptor, which the new network's descriptors cannot be
     * compared with (the selfie itself is never kept). So every person with a face that such a
     * descriptor hides now (compared in the old network's space, at its own `threshold`) is
     * opted out by name of person; persons survive the re-description (a re-described face keeps
     * its person) and later faces join them. Returns the persons added.
     */
    pinDescriptorOptOutsToPersons(eventId: number, threshold: number): number[] {
      const active = repos.optOuts.activeOptOuts(eventId);
      const optedOut = new Set(active.flatMap((o) => (o.personId === null ? [] : [o.personId])));
      const added: NewOptOut[] = [];
      for (const o of active) {
        if (!o.faceEmbedding) continue;
        const persons = repos.faces.personsOfFaces(facesNear(eventId, o.faceEmbedding, threshold));
        for (const personId of [...new Set(persons.values())].filter((p): p is number => p !== null).sort((a, b) => a - b)) {
          if (optedOut.has(personId)) continue;
          optedOut.add(personId);
          added.push({
            eventId,
            personId,
            personName: repos.persons.getPerson(eventId, personId)?.name ?? null,
            faceEmbedding: null,
            source: o.source,
            kioskSessionId: o.kioskSessionId,
            note: `Carried over: the face network changed, and opt-out ${o.id}'s selfie matched a face of this person`,
            createdAt: now(),
          });
        }
      }
      if (added.length) repos.optOuts.addOptOuts(added);
      return added.map((a) => a.personId!);
    },

    /** True when no opt-out is in force: attendeeMedia is then every photo's shared file. */
    showsEveryFace: (eventId: number): boolean => repos.optOuts.activeOptOuts(eventId).length === 0,

    /** Persons of the event with an opt-out in force, and since when (the console's badge). */
    optedOutPersons(eventId: number): Map<number, { since: number; source: PublishOptOut['source'] }> {
      const out = new Map<number, { since: number; source: PublishOptOut['source'] }>();
      for (const o of repos.optOuts.activeOptOuts(eventId)) {
        if (o.personId !== null && !out.has(o.personId)) out.set(o.personId, { since: o.createdAt, source: o.source });
      }
      return out;
    },

    /** The audit list: every record, revoked ones too, with the photos each hides now (0 once revoked). */
    records(eventId: number): OptOutRecord[] {
      return repos.optOuts.listOptOuts(eventId).map((o) => ({
        ...o,
        currentName: o.personId === null ? null : (repos.persons.getPerson(eventId, o.personId)?.name ?? null),
        photoCount: o.revokedAt === null ? photosOfRecord(o).size : 0,
      }));
    },

    /** The organiser marks a person "do not publish"; marking one already marked changes nothing. */
    markPerson(eventId: number, personId: number, note: string | null = null): OptOutRecord {
      const person = repos.persons.getPerson(eventId, personId);
      if (!person) throw new KioskError('not-found', `Person ${personId} not found in this event: check the id in the People list.`);
      const existing = repos.optOuts.activeOptOuts(eventId).find((o) => o.personId === personId);
      const id =
        existing?.id ??
        repos.optOuts.addOptOuts([
          {
            eventId,
            personId,
            personName: person.name,
            faceEmbedding: null,
            source: 'organiser',
            kioskSessionId: null,
            note,
            createdAt: now(),
          },
        ])[0]!;
      const record = repos.optOuts.getOptOut(id)!;
      return { ...record, currentName: person.name, photoCount: photosOfRecord(record).size };
    },

    /** The organiser publishes a person again: every opt-out in force for them is revoked (kept in the list, with why). */
    unmarkPerson(eventId: number, personId: number, reason: string | null = null): number {
      if (!repos.persons.getPerson(eventId, personId)) {
        throw new KioskError('not-found', `Person ${personId} not found in this event: check the id in the People list.`);
      }
      return repos.optOuts.revokeOptOutsOfPerson(eventId, personId, 'organiser', reason, now());
    },

    /** Revokes one record (a kiosk attendee's face has no person to unmark). */
    revoke(eventId: number, optOutId: number, reason: string | null = null): void {
      if (!repos.optOuts.revokeOptOut(eventId, optOutId, 'organiser', reason, now())) {
        throw new KioskError('not-found', `No opt-out ${optOutId} in force in this event: see the "Do not publish" list.`);
      }
    },

    /**
     * An attendee at the kiosk asks not to be published: the persons their selfie matched are
     * opted out, and their selfie's descriptor is kept as an opt-out face, so their face is found
     * also in photos not (yet) grouped into those persons and in photos that arrive later.
     * Asking twice in one session records nothing more.
     */
    optOutAttendee(kiosk: KioskDevice, sessionId: string): AttendeeOptOut {
      const session = repos.kiosks.getSession(sessionId);
      if (!session || session.kioskId !== kiosk.id) throw new KioskError('not-found', 'Session not found: start again.');
      if (session.state === 'ended' || session.expiresAt < now()) throw new KioskError('expired', 'This session has ended: start again.');
      const embedding = session.selfieEmbedding;
      if (!embedding) throw new KioskError('bad-request', 'Take your selfie first, so we know which face not to publish.');
      const eventId = session.eventId;
      const already = repos.optOuts.activeOptOuts(eventId).filter((o) => o.kioskSessionId === sessionId);
      const faces = repos.faceVectors.facesOf(facesNear(eventId, embedding));
      const personIds = [
        ...new Set([...repos.faces.personsOfFaces([...faces.keys()]).values()].filter((p): p is number => p !== null)),
      ].sort((a, b) => a - b);
      if (!already.length) {
        const at = now();
        const base = { eventId, source: 'kiosk' as const, kioskSessionId: sessionId, note: null, createdAt: at };
        repos.optOuts.addOptOuts([
          ...personIds.map((personId) => ({
            ...base,
            personId,
            personName: repos.persons.getPerson(eventId, personId)?.name ?? null,
            faceEmbedding: null,
          })),
          { ...base, personId: null, personName: null, faceEmbedding: embedding },
        ]);
      }
      return {
        personIds: already.length ? already.flatMap((o) => (o.personId === null ? [] : [o.personId])) : personIds,
        photoCount: hiddenFaces(eventId).size,
      };
    },

    /**
     * The media file an attendee may see for a photo (relative to the data dir): the shared
     * preview or thumbnail when no face in it is hidden, else a blurred copy made once and kept
     * under media/blurred, named by the photo, the file and the faces it hides. The shared
     * preview and the original are never changed.
     */
    async attendeeMedia(photo: Photo, kind: 'thumb' | 'preview'): Promise<string | null> {
      const shared = kind === 'thumb' ? photo.thumbnailPath : photo.previewPath;
      if (!shared) return null;
      const hidden = hiddenFaces(photo.eventId, [photo.id]).get(photo.id);
      if (!hidden?.length) return shared;
      // Without the photo's size its face boxes cannot be placed on the preview: show nothing
      // rather than a face that must not be shown.
      if (!photo.width || !photo.height) return null;
      const key = createHash('sha256')
        .update(JSON.stringify([BLUR_VERSION, shared, hidden.map((f) => [f.faceId, ...f.box.map((n) => Math.round(n))])]))
        .digest('hex')
        .slice(0, 16);
      const folder = join(BLURRED_DIR, String(photo.id));
      const relative = join(folder, `${kind}-${key}${extname(shared)}`);
      const target = inside(relative);
      try {
        await stat(target);
        return relative;
      } catch {
        // Not made yet (or the opt-outs changed): made below.
      }
      const bytes = await deps.blur(
        await readFile(inside(shared)),
        hidden.map((f) => ({ x: f.box[0], y: f.box[1], w: f.box[2], h: f.box[3] })),
        { width: photo.width, height: photo.height },
      );
      await mkdir(dirname(target), { recursive: true });
      // Copies of the same kind made for an earlier set of opt-outs are of no use any more.
      for (const old of await readdir(dirname(target))) {
        if (old.startsWith(`${kind}-`) && old !== `${kind}-${key}${extname(shared)}`) await rm(join(dirname(target), old), { force: true });
      }
      const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
      await writeFile(temp, bytes);
      await rename(temp, target);
      return relative;
    },
  };
}

export type DoNotPublish = ReturnType<typeof createDoNotPublish>;
