// New photos for attendees who asked for them ("send me new photos of me"): each new face of a
// processed photo checked against the selfies kept for them, as the kiosk's sure tier would.
import type { FollowerAnchor, FollowingSession, Repositories } from '../store/index.js';
import { pairReplacedFaces } from '../store/index.js';
import { cosineDistance } from '../vision/index.js';
import { expandedSelfie, expandQuery } from '../search/index.js';

export interface NewPhotosForFollower {
  sessionId: string;
  photoIds: number[];
  deliveryIds: number[];
}

export interface FollowerMatchingDeps {
  repos: Repositories;
  /** The event's sure-match distance (it tightens as the event grows): an opted-in attendee gets a new photo only on a sure match. */
  sureDistance(eventId: number): number;
  now?: () => number;
}

/** What noting followers' faces before a change of face network found (see `anchorFollowers`). */
export interface AnchoredFollowers {
  /** Attendees whose description will be rebuilt from their faces. */
  anchored: number;
  /** Their faces noted, in all. */
  faces: number;
  /** Attendees with no face of theirs to note (none surely theirs, no "Maybe you?" photo taken home): no new photo can be found for them. */
  withoutFaces: number;
}

/**
 * Photos a rebuilt description looks for at once, when the last of her faces is described again:
 * more than any one attendee is in at an event (an attendee of bench:match's events is in 20-40).
 */
const CATCH_UP_PHOTOS = 2000;

/**
 * Which of `faces` is in each earlier place (`places`, by index), by the rule that carries persons
 * and pins over a re-run (store/replaced-faces.ts): best overlap first, each face in one place.
 */
function facesInPlaces<F extends { box: FollowerAnchor['box'] }>(
  places: readonly FollowerAnchor['box'][],
  faces: readonly F[],
): Map<number, F> {
  const pairs = pairReplacedFaces(
    places,
    faces.map((f) => f.box),
  );
  return new Map([...pairs].map(([faceIndex, placeIndex]) => [placeIndex, faces[faceIndex]!]));
}

export function createFollowerMatching(deps: FollowerMatchingDeps) {
  const { repos } = deps;
  const now = deps.now ?? Date.now;
  /**
   * Each follower's expanded query (the selfie, its surest matches among the photos she was shown,
   * and her faces in the "Maybe you?" photos she took home), kept while her photos stay the same: a
   * new photo of hers makes it again.
   */
  const expandedQueries = new Map<string, { photos: number; threshold: number; query: Float32Array | null }>();
  const expandedQueryOf = (follower: FollowingSession, threshold: number) => {
    const known = expandedQueries.get(follower.id);
    if (known && known.photos === follower.matchedPhotoIds.length && known.threshold === threshold) return known.query;
    // Found by place, as her faces are after a re-run: the photo's faces may have been found again since.
    const chosenIds = follower.chosenFaces.flatMap((c) => facesInPlaces([c.box], repos.faces.facesOfPhoto(c.photoId)).get(0)?.id ?? []);
    const chosen = repos.faceVectors.vectorsOf(chosenIds).filter((v): v is Float32Array => v !== undefined);
    // A chosen face is a seed once: it is a face of her photos too, and would be among her surest
    // matches as well if the event's sure distance were looser now than when the kiosk showed it.
    const faces = follower.matchedPhotoIds.flatMap((id) => repos.faces.facesOfPhoto(id)).filter((f) => !chosenIds.includes(f.id));
    const vectors = repos.faceVectors.vectorsOf(faces.map((f) => f.id)).flatMap((v) => (v ? [{ vector: v }] : []));
    const query = expandedSelfie(follower.embedding, vectors, threshold, chosen);
    expandedQueries.set(follower.id, { photos: follower.matchedPhotoIds.length, threshold, query });
    return query;
  };

  /**
   * Her faces in a photo whose faces were just described again, found by place among its new
   * faces (`faces`, read only when she waits for this photo; none when it could not be described
   * again). Her description is then rebuilt from every face of hers found so far: the mean of
   * their descriptors. Returns the follower as she is now, and whether this photo completed it.
   */
  const rebuildFrom = (
    f: FollowingSession,
    photoId: number,
    faces: () => readonly { id: number; box: FollowerAnchor['box'] }[],
  ): { follower: FollowingSession; completed: boolean } => {
    const anchors = f.anchors!;
    const here = anchors.filter((a) => a.photoId === photoId);
    if (!here.length) return { follower: f, completed: false };
    const inPlace = facesInPlaces(
      here.map((a) => a.box),
      faces(),
    );
    // A face not found again in its place is no longer one to rebuild her from.
    const updated = anchors.flatMap((a): FollowerAnchor[] => {
      if (a.photoId !== photoId) return [a];
      const face = inPlace.get(here.indexOf(a));
      return face ? [{ ...a, faceId: face.id }] : [];
    });
    const found = updated.filter((a) => a.faceId !== null);
    const vectors = repos.faceVectors.vectorsOf(found.map((a) => a.faceId!)).filter((v): v is Float32Array => v !== undefined);
    if (!vectors.length) {
      repos.kiosks.setFollowerAnchors(f.id, updated);
      return { follower: { ...f, anchors: updated }, completed: false };
    }
    const description = expandQuery(vectors[0]!, vectors.slice(1));
    repos.kiosks.rebuildFollowerDescription(f.id, description, updated);
    const waiting = updated.filter((a) => a.faceId === null && repos.photos.getPhoto(a.photoId) !== undefined);
    return { follower: { ...f, embedding: description, anchors: updated }, completed: waiting.length === 0 };
  };

  /** Records photos as hers: her gallery and deliveries grow. */
  const deliver = (f: FollowingSession, photoIds: readonly number[]): NewPhotosForFollower => {
    repos.kiosks.setMatchedPhotos(f.id, [...f.matchedPhotoIds, ...photoIds]);
    return { sessionId: f.id, photoIds: [...photoIds], deliveryIds: repos.galleries.addPhotosForSession(f.id, photoIds) };
  };

  /**
   * Once her last noted face is described again (or its photo could not be): the event searched
   * for her once, for her photos described again before her description was ready.
   */
  const catchUp = (eventId: number, f: FollowingSession, threshold: number, found: NewPhotosForFollower[]): FollowingSession => {
    const missed = repos.faceVectors
      .nearestPhotos(eventId, f.embedding, { limit: CATCH_UP_PHOTOS, maxDistance: threshold })
      .map((p) => p.photoId)
      .filter((id) => !f.matchedPhotoIds.includes(id));
    if (!missed.length) return f;
    found.push(deliver(f, missed));
    return { ...f, matchedPhotoIds: [...f.matchedPhotoIds, ...missed] };
  };

  return {
    /**
     * Before the event's faces are described by another network: each follower's faces in the
     * photos she got, noted by place, so that her description can be rebuilt from them once they
     * are described again. Her kept description (the selfie itself is never kept) cannot be
     * compared with faces of another network, and without this she would silently get no new
     * photo. A face is hers when it is the photo's nearest to her description and within
     * `threshold`, the sure distance of the network that described them both, or when she took its
     * "Maybe you?" photo home (so that an attendee whose selfie found her only among "Maybe you?"
     * photos is not left with nothing).
     */
    anchorFollowers(eventId: number, threshold: number): AnchoredFollowers {
      const result: AnchoredFollowers = { anchored: 0, faces: 0, withoutFaces: 0 };
      for (const f of repos.kiosks.followingSessions(eventId, now())) {
        let anchors: FollowerAnchor[];
        if (f.anchors) {
          // Changed again before her faces were all described: the same places, described anew.
          anchors = f.anchors.map((a) => ({ ...a, faceId: null }));
        } else {
          anchors = [];
          for (const photoId of f.matchedPhotoIds) {
            const faces = repos.faces.facesOfPhoto(photoId);
            const vectors = repos.faceVectors.vectorsOf(faces.map((face) => face.id));
            const nearest = faces
              .map((face, i) => ({ box: face.box, distance: vectors[i] ? cosineDistance(f.embedding, vectors[i]) : Infinity }))
              .filter((c) => c.distance <= threshold)
              .sort((x, y) => x.distance - y.distance)[0];
            if (nearest) anchors.push({ photoId, box: nearest.box, faceId: null });
          }
          // Her faces in the "Maybe you?" photos she took home: she said they are hers.
          for (const chosen of f.chosenFaces) {
            if (!anchors.some((a) => a.photoId === chosen.photoId))
              anchors.push({ photoId: chosen.photoId, box: chosen.box, faceId: null });
          }
        }
        repos.kiosks.setFollowerAnchors(f.id, anchors);
        expandedQueries.delete(f.id);
        if (anchors.length) {
          result.anchored++;
          result.faces += anchors.length;
        } else result.withoutFaces++;
      }
      return result;
    },

    /**
     * The opted-in attendees a processed photo's new faces belong to; their galleries and
     * deliveries grow. A face is hers when within the sure distance of her selfie or of the query
     * the kiosk's sure tier expands to (the selfie and its surest matches, rebuilt from the photos
     * she was shown): as at the kiosk, her event photos look more like one another than like her
     * selfie. Simulated on bench:match's held-out event (each selfie answered at its first 40
     * photos, the other 120 arriving after): 94.2% of her new photos delivered at precision 0.994,
     * where the selfie alone delivered 88.3% at 0.999 (match-calibration.md). Her faces in the
     * "Maybe you?" photos she took home join the query's seeds: with photos arriving one by one on
     * the joined descriptors' event, 95.9% of her new photos instead of 95.1%, at the same 33 wrong
     * photos. Persons are not read here, unlike the kiosk's sure tier.
     *
     * An attendee whose description is rebuilt from her faces (after a change of face network) is
     * matched by that description alone: it is already the mean of her event faces, and expanding
     * it again with them let in more strangers. Simulated as above on the joined descriptors'
     * event (match-2026-12-07T0206Z's ingest), precision / recall of her new photos: 0.991 / 0.945
     * alone, 0.987 / 0.947 expanded, against 0.990 / 0.948 for her selfie expanded. Until one of
     * her faces is described again she cannot be matched; when the last one is, the event is
     * searched for her once, for the photos described again before it.
     */
    newFaces(eventId: number, photoId: number, faceIds: readonly number[]): NewPhotosForFollower[] {
      const following = repos.kiosks.followingSessions(eventId, now());
      if (!following.length) return [];
      const vectors = faceIds.length ? repos.faceVectors.vectorsOf(faceIds).filter((v): v is Float32Array => v !== undefined) : [];
      const threshold = deps.sureDistance(eventId);
      const found: NewPhotosForFollower[] = [];
      // The photo's faces with their places, read once for every follower waiting for it.
      let placed: ReturnType<Repositories['faces']['facesOfPhoto']> | undefined;
      const photoFaces = () => (placed ??= faceIds.length ? repos.faces.facesOfPhoto(photoId) : []);
      for (const followed of following) {
        let f = followed;
        if (f.anchors) {
          // A photo of hers described again with no face (the new detector finds none) settles
          // its place too: without it her one catch-up search would never run.
          const rebuilt = rebuildFrom(f, photoId, photoFaces);
          f = rebuilt.follower;
          if (!f.anchors!.some((a) => a.faceId !== null)) continue;
          if (rebuilt.completed) f = catchUp(eventId, f, threshold, found);
          if (f.matchedPhotoIds.includes(photoId)) continue;
          if (!vectors.some((v) => cosineDistance(f.embedding, v) <= threshold)) continue;
          found.push(deliver(f, [photoId]));
          continue;
        }
        if (!vectors.length || f.matchedPhotoIds.includes(photoId)) continue;
        const expanded = expandedQueryOf(f, threshold);
        const hers = (v: Float32Array) =>
          cosineDistance(f.embedding, v) <= threshold || (expanded !== null && cosineDistance(expanded, v) <= threshold);
        if (!vectors.some(hers)) continue;
        found.push(deliver(f, [photoId]));
      }
      return found;
    },
    /**
     * A photo whose faces could not be described again (its file is gone or unreadable now): it
     * keeps its earlier faces, of the earlier network, which cannot rebuild her description. Its
     * place is settled without a face, so that her catch-up search still runs when it was the last.
     */
    facesNotDescribedAgain(eventId: number, photoId: number): NewPhotosForFollower[] {
      const found: NewPhotosForFollower[] = [];
      for (const followed of repos.kiosks.followingSessions(eventId, now())) {
        if (!followed.anchors) continue;
        const rebuilt = rebuildFrom(followed, photoId, () => []);
        if (rebuilt.completed) catchUp(eventId, rebuilt.follower, deps.sureDistance(eventId), found);
      }
      return found;
    },
    /**
     * Photos gone from the event since her faces were noted: a RAW merged into its capture's JPEG
     * (capture-merge.ts, and `repair` while the engine was closed). Their places are settled
     * without a face, as above: a gone photo was never re-checked, so when it was the last one her
     * description waited for, her catch-up search never ran. The kept photo is not searched for
     * her here: its faces may still be the earlier network's.
     */
    photosGone(eventId: number): NewPhotosForFollower[] {
      const found: NewPhotosForFollower[] = [];
      for (const followed of repos.kiosks.followingSessions(eventId, now())) {
        // Only places still waiting: a face found again before its photo left is already in her
        // description, and her catch-up search has run or waits for another photo.
        const gone = new Set(
          followed.anchors?.filter((a) => a.faceId === null && repos.photos.getPhoto(a.photoId) === undefined).map((a) => a.photoId),
        );
        let f = followed;
        let completed = false;
        for (const photoId of gone) {
          const rebuilt = rebuildFrom(f, photoId, () => []);
          f = rebuilt.follower;
          completed ||= rebuilt.completed;
        }
        if (completed) catchUp(eventId, f, deps.sureDistance(eventId), found);
      }
      return found;
    },
    /** Forgets the kept queries (after followers' selfies were deleted). */
    forget(): void {
      expandedQueries.clear();
    },
  };
}

export type FollowerMatching = ReturnType<typeof createFollowerMatching>;
