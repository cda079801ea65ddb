// Search recall through people: a selfie that clearly matches one of a person's faces also
// finds that person's photos where their face is farther than the threshold.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { photosForEmbedding, tieredPhotosForEmbedding } from '../../../src/search/index.js';
import type { NewFace } from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';

const temp = useTempDatabase();

/** A unit vector at cosine distance `d` from e0, in the e0-e1 plane (e2 for a second person). */
function at(d: number, axis = 1): Float32Array {
  const v = new Float32Array(128);
  v[0] = 1 - d;
  v[axis] = Math.sqrt(1 - (1 - d) ** 2);
  return v;
}

function face(embedding: Float32Array): NewFace {
  return { box: [10, 20, 100, 120], landmarks: new Float32Array(136), score: 0.99, quality: 0.8, sharpness: 0.6, frontal: 0.9, sizePx: 120, cropPath: null, embedding };
}

function photoWithFace(eventId: number, name: string, embedding: Float32Array): { photoId: number; faceId: number } {
  const photoId = temp.repos.photos.addPhotoWithJob({ eventId, sourceId: null, path: `/cam/${name}`, sha256: `sha-${name}`, format: 'jpeg', sizeBytes: 1, mtimeMs: 1, landedAt: 0 }, 3, 0);
  const [faceId] = temp.repos.faces.replaceFacesOfPhoto(photoId, eventId, [face(embedding)], 0).faceIds;
  return { photoId, faceId: faceId! };
}

describe('selfie search through person clusters', () => {
  it("adds the clearly matched person's photos beyond the threshold, and nobody else's", () => {
    const T = 0.04;
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const front = photoWithFace(eventId, 'front.jpg', at(0.01));
    const profile = photoWithFace(eventId, 'profile.jpg', at(0.055));
    const stranger = photoWithFace(eventId, 'stranger.jpg', at(0.05, 2));
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([front.faceId, profile.faceId], person);
    const other = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([stranger.faceId], other);

    const query = at(0);
    const withPeople = photosForEmbedding(temp.repos, eventId, query, { threshold: T, mode: 'exact' });
    expect(withPeople.map((m) => [m.path, m.via])).toEqual([
      ['/cam/front.jpg', 'face'],
      ['/cam/profile.jpg', 'person'],
    ]);
    const facesOnly = photosForEmbedding(temp.repos, eventId, query, { threshold: T, mode: 'exact', expandByPerson: false });
    expect(facesOnly.map((m) => m.path)).toEqual(['/cam/front.jpg']);
  });

  it('does not expand from a borderline match', () => {
    const T = 0.04;
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const near = photoWithFace(eventId, 'near.jpg', at(0.035));
    const far = photoWithFace(eventId, 'far.jpg', at(0.05));
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([near.faceId, far.faceId], person);
    expect(photosForEmbedding(temp.repos, eventId, at(0), { threshold: T, mode: 'exact' }).map((m) => m.path)).toEqual(['/cam/near.jpg']);
  });
});

describe('"maybe you?" photos', () => {
  it('are the photos just beyond the sure threshold, kept apart from the sure ones, nearest first, and never a stranger beyond the maybe threshold', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    photoWithFace(eventId, 'sure.jpg', at(0.02));
    photoWithFace(eventId, 'maybe-far.jpg', at(0.065));
    photoWithFace(eventId, 'maybe-near.jpg', at(0.05));
    photoWithFace(eventId, 'stranger.jpg', at(0.2, 2));
    const found = tieredPhotosForEmbedding(temp.repos, eventId, at(0), { threshold: 0.04, maybeThreshold: 0.07, mode: 'exact' });
    expect(found.sure.map((m) => m.path)).toEqual(['/cam/sure.jpg']);
    expect(found.maybe.map((m) => m.path)).toEqual(['/cam/maybe-near.jpg', '/cam/maybe-far.jpg']);
  });

  it('never repeat a photo the person expansion already made sure', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const front = photoWithFace(eventId, 'front.jpg', at(0.01));
    const profile = photoWithFace(eventId, 'profile.jpg', at(0.055));
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([front.faceId, profile.faceId], person);
    const found = tieredPhotosForEmbedding(temp.repos, eventId, at(0), { threshold: 0.04, maybeThreshold: 0.07, mode: 'exact' });
    expect(found.sure.map((m) => m.path)).toEqual(['/cam/front.jpg', '/cam/profile.jpg']);
    expect(found.maybe).toEqual([]);
  });
});
