// One in-memory FaceIndex per event, built lazily from sqlite-vec (the source of truth) and kept
// in step by the caller as faces are stored or deleted; and photo search over such an index.
import { bestFacePerPhoto, MAX_KNN_K, type FaceVectorsRepository, type NearestPhoto, type NearestPhotosQuery } from '../store/index.js';
import { FaceIndex, type FaceIndexOptions, type FaceIndexRow } from './face-index.js';

export type FaceIndexSource = Pick<FaceVectorsRepository, 'eachVector' | 'vectorsOf'>;
export type FacesLookup = Pick<FaceVectorsRepository, 'facesOf'>;

export interface FaceIndexCache {
  /** The event's index, built from the stored vectors on first use. */
  forEvent(eventId: number): FaceIndex;
  /** Call after the vectors are committed; events not yet loaded are left to their lazy build. */
  facesAdded(eventId: number, rows: readonly FaceIndexRow[]): void;
  /** Call after the vectors are deleted. */
  facesRemoved(eventId: number, faceIds: readonly number[]): void;
  /** Drops an event's index (event closed or deleted); the next search rebuilds it. */
  forget(eventId: number): void;
  /**
   * A photo's faces were stored (and maybe earlier ones of it replaced): brings a loaded index in
   * step. The index is a cache: on any failure it is dropped and the next search rebuilds it.
   */
  photoFacesChanged(eventId: number, faceIds: readonly number[], replacedFaceIds: readonly number[]): void;
  loadedEvents(): number[];
}

export function createFaceIndexCache(source: FaceIndexSource, options: Omit<FaceIndexOptions, 'exactVectorsOf'> = {}): FaceIndexCache {
  const indexes = new Map<number, FaceIndex>();
  // Large events keep no float copy; their few final candidates are read back from sqlite-vec.
  const indexOptions: FaceIndexOptions = { ...options, exactVectorsOf: (ids) => source.vectorsOf(ids) };
  return {
    forEvent(eventId) {
      let index = indexes.get(eventId);
      if (!index) {
        index = FaceIndex.build(source.eachVector(eventId), indexOptions);
        indexes.set(eventId, index);
      }
      return index;
    },
    facesAdded(eventId, rows) {
      indexes.get(eventId)?.add(rows);
    },
    facesRemoved(eventId, faceIds) {
      indexes.get(eventId)?.remove(faceIds);
    },
    forget(eventId) {
      indexes.delete(eventId);
    },
    photoFacesChanged(eventId, faceIds, replacedFaceIds) {
      const index = indexes.get(eventId);
      if (!index) return;
      try {
        if (replacedFaceIds.length) index.remove(replacedFaceIds);
        if (faceIds.length) {
          const vectors = source.vectorsOf(faceIds);
          index.add(
            faceIds.flatMap((faceId, i) => {
              const embedding = vectors[i];
              return embedding ? [{ faceId, embedding }] : [];
            }),
          );
        }
      } catch {
        // Rebuilt from the database (the source of truth) on the next search.
        indexes.delete(eventId);
      }
    },
    loadedEvents() {
      return [...indexes.keys()];
    },
  };
}

// Faces asked for per wanted photo on the first pass, doubled while neither the photo limit nor
// the threshold is reached: the same policy as the repository's nearestPhotos.
const FACES_PER_PHOTO_GUESS = 2;

/** Photos with a face within maxDistance of the query, each once with its best face, best first. */
export function nearestPhotosInIndex(
  index: FaceIndex,
  faces: FacesLookup,
  query: Float32Array,
  q: Pick<NearestPhotosQuery, 'limit' | 'maxDistance'>,
): NearestPhoto[] {
  if (q.limit <= 0) return [];
  let k = Math.min(MAX_KNN_K, q.limit * FACES_PER_PHOTO_GUESS);
  for (;;) {
    const nearest = index.nearest(query, k, { maxDistance: q.maxDistance });
    const photos = bestFacePerPhoto(nearest, faces.facesOf(nearest.map((n) => n.faceId)), q.maxDistance, q.limit);
    const exhausted = nearest.length < k || (nearest.at(-1)?.distance ?? Infinity) > q.maxDistance || k >= MAX_KNN_K;
    if (photos.length >= q.limit || exhausted) return photos;
    k = Math.min(MAX_KNN_K, k * 2);
  }
}
