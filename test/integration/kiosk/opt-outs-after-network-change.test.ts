// A kiosk attendee who asked not to be published is found by their selfie's descriptor. When the
// face network changes, the event's faces are described again and that descriptor (the selfie is
// never kept) can no longer be compared with them: before that, the opt-out is carried over to
// every person its descriptor hides, so their faces stay hidden once re-described.
import { describe, expect, it } from 'vitest';
import { createDoNotPublish } from '../../../src/kiosk/do-not-publish.js';
import type { NewFace } from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';

const temp = useTempDatabase();

/** A unit vector at cosine distance `d` from e0, in the e0-e<axis> plane. */
function at(d: number, axis = 1): Float32Array {
  const v = new Float32Array(128);
  v[0] = 1 - d;
  v[axis] = Math.sqrt(1 - (1 - d) ** 2);
  return v;
}

function face(embedding: Float32Array): NewFace {
  return {
    box: [10, 20, 100, 120],
    landmarks: new Float32Array(136),
    score: 0.99,
    quality: 0.8,
    sharpness: 0.6,
    frontal: 0.9,
    sizePx: 120,
    cropPath: null,
    embedding,
  };
}

function photoWithFace(eventId: number, name: string, embedding: Float32Array): number {
  const photoId = temp.repos.photos.addPhotoWithJob(
    { eventId, sourceId: null, path: `/cam/${name}`, sha256: `sha-${name}`, format: 'jpeg', sizeBytes: 1, mtimeMs: 1, landedAt: 0 },
    3,
    0,
  );
  return temp.repos.faces.replaceFacesOfPhoto(photoId, eventId, [face(embedding)], 0).faceIds[0]!;
}

describe('"do not publish" when the face network changes', () => {
  it("opts out every person whose face the attendee's selfie hides, at the old network's distance, and nobody else", () => {
    const repos = temp.repos;
    const eventId = repos.events.ensureEvent('gala', 0).id;
    // Her face in two persons (a later photo grouped apart), and a stranger just beyond the old distance.
    const hers = [photoWithFace(eventId, 'her-1.jpg', at(0.01)), photoWithFace(eventId, 'her-2.jpg', at(0.03, 2))];
    const stranger = photoWithFace(eventId, 'stranger.jpg', at(0.06, 3));
    const [first, second, other] = [
      repos.persons.createPerson(eventId, 0),
      repos.persons.createPerson(eventId, 0),
      repos.persons.createPerson(eventId, 0),
    ];
    repos.persons.setFacePerson([hers[0]!], first);
    repos.persons.setFacePerson([hers[1]!], second);
    repos.persons.setFacePerson([stranger], other);
    // At the kiosk: her first person was opted out by name, and her selfie's descriptor kept.
    const base = { eventId, source: 'kiosk' as const, kioskSessionId: null, note: null, createdAt: 1 };
    repos.optOuts.addOptOuts([
      { ...base, personId: first, personName: null, faceEmbedding: null },
      { ...base, personId: null, personName: null, faceEmbedding: at(0) },
    ]);
    // The shipped network's distance (0.5) would hide everyone in the old space; the old one's is used.
    const publishing = createDoNotPublish({
      repos,
      threshold: 0.5,
      dataDir: temp.dir,
      blur: () => Promise.reject(new Error('no blurring here')),
    });
    expect(publishing.pinDescriptorOptOutsToPersons(eventId, 0.0465)).toEqual([second]);
    const persons = repos.optOuts.activeOptOuts(eventId).flatMap((o) => (o.personId === null ? [] : [o.personId]));
    expect(persons.sort()).toEqual([first, second].sort());
    expect(repos.optOuts.activeOptOuts(eventId).find((o) => o.personId === second)?.note).toMatch(/face network changed/);
    // Once is enough: run again, nothing more is added.
    expect(publishing.pinDescriptorOptOutsToPersons(eventId, 0.0465)).toEqual([]);
  });
});
