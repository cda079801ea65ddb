// Which descriptor network made an event's stored face descriptors. Descriptors of two networks
// cannot be compared: a selfie described by the shipped network finds nothing (or the wrong
// people) among faces described by another. With this record the engine notices an event whose
// faces came from an earlier network and describes them again (core/face-descriptor-upgrade.ts).
// Every event before this migration was described by face-api's port of dlib's net.
import type { Migration } from '../migrate.js';

export const migration0015FaceDescriptorPerEvent: Migration = {
  version: 15,
  name: 'face-descriptor-per-event',
  sql: `
    CREATE TABLE event_face_descriptors (
      event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
      model TEXT NOT NULL,
      recorded_at INTEGER NOT NULL
    );
    INSERT INTO event_face_descriptors (event_id, model, recorded_at)
      SELECT id, 'face-api-resnet34-128d', created_at FROM events;
  `,
};
