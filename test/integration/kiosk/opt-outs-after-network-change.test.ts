// A kiosk attendee who asked not to be published is found by their selfie's descriptor. When the
// face network changes, the event's faces are described again and that descriptor (the selfie is
// never kept) can no longer be compared with them: before that, the opt-out is carried over to
// every person its descriptor hides, so their faces stay hidden once re-described.
import { describe, expect, it } from 'vitest';
import { createDoNotPublish } from '../../../src/kiosk/do-not-publish.js';
import { useTempDatabase } from '../../support/database.js';
import { photoWithFace as addPhotoWithFace, vectorAt } from '../../support/faces-in-database.js';

const temp = useTempDatabase();

const at = vectorAt;
const photoWithFace = (eventId: number, name: string, embedding: Float32Array) =>
  addPhotoWithFace(temp.repos, eventId, name, embedding).faceId;

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
