// Photos with one face of a chosen descriptor, written straight into a test database, for tests
// of what is decided from distances (search, person expansion, opt-outs) without the face engine.
import type { NewFace, Repositories } from '../../src/store/index.js';

/**
 * A unit vector at cosine distance `d` from e0, in the e0-e<axis> plane. Faces on different axes
 * do not pull each other in through query expansion (the selfie plus its surest matches).
 */
export function vectorAt(d: number, axis = 1): Float32Array {
  const v = new Float32Array(128);
  v[0] = 1 - d;
  v[axis] = Math.sqrt(1 - (1 - d) ** 2);
  return v;
}

/** A unit vector mixing e0, e1 and e3 with these weights. */
export function vectorMixing(a: number, b: number, c: number): Float32Array {
  const v = new Float32Array(128);
  v[0] = a;
  v[1] = b;
  v[3] = c;
  const n = Math.hypot(a, b, c);
  return v.map((x) => x / n);
}

/** A clear face of this descriptor at `box` (as the face stage would write it). */
export function faceAt(embedding: Float32Array, box: NewFace['box'] = [10, 20, 100, 120]): NewFace {
  return {
    box,
    landmarks: new Float32Array(136),
    score: 0.99,
    quality: 0.8,
    sharpness: 0.6,
    frontal: 0.9,
    sizePx: box[2],
    cropPath: null,
    embedding,
  };
}

/** A photo `/cam/<name>` of the event with one face of this descriptor. */
export function photoWithFace(
  repos: Repositories,
  eventId: number,
  name: string,
  embedding: Float32Array,
): { photoId: number; faceId: number } {
  const photoId = repos.photos.addPhotoWithJob(
    { eventId, sourceId: null, path: `/cam/${name}`, sha256: `sha-${name}`, format: 'jpeg', sizeBytes: 1, mtimeMs: 1, landedAt: 0 },
    3,
    0,
  );
  const [faceId] = repos.faces.replaceFacesOfPhoto(photoId, eventId, [faceAt(embedding)], 0).faceIds;
  return { photoId, faceId: faceId! };
}
