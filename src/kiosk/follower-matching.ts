// New photos for attendees who asked for them ("send me new photos of me"): each new face of a
// processed photo checked against the selfies kept for them, as the kiosk's sure tier would.
import type { Repositories } from '../store/index.js';
import { cosineDistance } from '../vision/index.js';
import { expandedSelfie } from '../search/index.js';

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

export function createFollowerMatching(deps: FollowerMatchingDeps) {
  const { repos } = deps;
  const now = deps.now ?? Date.now;
  /**
   * Each follower's expanded query (the selfie and its surest matches among the photos she was
   * shown), kept while her photos stay the same: a new photo of hers makes it again.
   */
  const expandedQueries = new Map<string, { photos: number; threshold: number; query: Float32Array | null }>();
  const expandedQueryOf = (follower: { id: string; embedding: Float32Array; matchedPhotoIds: readonly number[] }, threshold: number) => {
    const known = expandedQueries.get(follower.id);
    if (known && known.photos === follower.matchedPhotoIds.length && known.threshold === threshold) return known.query;
    const faces = follower.matchedPhotoIds.flatMap((id) => repos.faces.facesOfPhoto(id));
    const vectors = repos.faceVectors.vectorsOf(faces.map((f) => f.id)).flatMap((v) => (v ? [{ vector: v }] : []));
    const query = expandedSelfie(follower.embedding, vectors, threshold);
    expandedQueries.set(follower.id, { photos: follower.matchedPhotoIds.length, threshold, query });
    return query;
  };

  return {
    /**
     * The opted-in attendees a processed photo's new faces belong to; their galleries and
     * deliveries grow. A face is hers when within the sure distance of her selfie or of the query
     * the kiosk's sure tier expands to (the selfie and its surest matches, rebuilt from the photos
     * she was shown): as at the kiosk, her event photos look more like one another than like her
     * selfie. Simulated on bench:match's held-out event (each selfie answered at its first 40
     * photos, the other 120 arriving after): 94.2% of her new photos delivered at precision 0.994,
     * where the selfie alone delivered 88.3% at 0.999 (match-calibration.md). Persons are not read
     * here, unlike the kiosk's sure tier.
     */
    newFaces(eventId: number, photoId: number, faceIds: readonly number[]): NewPhotosForFollower[] {
      if (!faceIds.length) return [];
      const following = repos.kiosks.followingSessions(eventId, now());
      if (!following.length) return [];
      const vectors = repos.faceVectors.vectorsOf(faceIds).filter((v): v is Float32Array => v !== undefined);
      const threshold = deps.sureDistance(eventId);
      const found: NewPhotosForFollower[] = [];
      for (const f of following) {
        if (f.matchedPhotoIds.includes(photoId)) continue;
        const expanded = expandedQueryOf(f, threshold);
        const hers = (v: Float32Array) =>
          cosineDistance(f.embedding, v) <= threshold || (expanded !== null && cosineDistance(expanded, v) <= threshold);
        if (!vectors.some(hers)) continue;
        repos.kiosks.setMatchedPhotos(f.id, [...f.matchedPhotoIds, photoId]);
        found.push({ sessionId: f.id, photoIds: [photoId], deliveryIds: repos.galleries.addPhotosForSession(f.id, [photoId]) });
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
