// Scene search over one event's CLIP embeddings: by text, "more like this" from a photo, and
// either combined with a face filter ("photos of this person on stage") by ranking only the
// photos the face filter allows.
import type { Repositories } from '../store/index.js';

export interface SceneResult {
  photoId: number;
  path: string;
  /** Cosine similarity to the query (higher is closer). */
  score: number;
}

export interface SceneQuery {
  limit: number;
  /** Only these photos (a face filter); undefined = the whole event. */
  restrictTo?: ReadonlySet<number>;
  /** Leave this photo out ("more like this" should not return the photo itself). */
  exclude?: number;
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Photos ranked by similarity to a (normalised) CLIP query vector, best first. */
export function rankScenes(repos: Repositories, eventId: number, query: Float32Array, q: SceneQuery): SceneResult[] {
  let ranked: { photoId: number; score: number }[];
  if (q.restrictTo) {
    // A face filter leaves few photos: score them directly rather than search the whole event.
    ranked = [...q.restrictTo].flatMap((photoId) => {
      const e = repos.clipVectors.embeddingOf(photoId);
      return e ? [{ photoId, score: dot(query, e) }] : [];
    });
    ranked.sort((a, b) => b.score - a.score || a.photoId - b.photoId);
  } else {
    ranked = repos.clipVectors.nearest(eventId, query, q.limit + (q.exclude === undefined ? 0 : 1));
  }
  return ranked
    .filter((r) => r.photoId !== q.exclude)
    .slice(0, q.limit)
    .flatMap((r) => {
      const photo = repos.photos.getPhoto(r.photoId);
      return photo ? [{ photoId: r.photoId, path: photo.path, score: Math.round(r.score * 10_000) / 10_000 }] : [];
    });
}
