// Faces by person. Every people query asks "the faces of person P" without an event (counts and
// covers after each assignment, "do these two share a photo" during clustering, the people list's
// photo counts), and faces_event_person cannot answer that: each was a scan of all the event's
// faces, 130 ms of the main thread per photo at 100k faces. Forward-only: never edit; add 0007.
import type { Migration } from '../migrate.js';

export const migration0006FacesByPerson: Migration = {
  version: 6,
  name: 'faces-by-person',
  sql: `
    CREATE INDEX faces_person ON faces(person_id) WHERE person_id IS NOT NULL;
  `,
};
