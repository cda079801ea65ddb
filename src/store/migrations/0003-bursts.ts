// Bursts: near-identical consecutive frames of one scene, shown as their best frame.
// Only groups of two or more frames get a row; photos.burst_id stays NULL for the rest, which
// is nearly every photo of an event: no row per lone photo to write, keep in step or sync, and
// "one photo per burst" is `burst_id IS NULL OR id = best_photo_id`.
import type { Migration } from '../migrate.js';

export const migration0003Bursts: Migration = {
  version: 3,
  name: 'bursts',
  sql: `
    CREATE TABLE bursts (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      -- Deleting the best photo drops the burst (members fall back to NULL) until the next regroup.
      best_photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
      photo_count INTEGER NOT NULL CHECK (photo_count >= 2),
      started_at INTEGER NOT NULL,
      ended_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX bursts_event_started ON bursts(event_id, started_at);

    ALTER TABLE photos ADD COLUMN burst_id INTEGER REFERENCES bursts(id) ON DELETE SET NULL;
    CREATE INDEX photos_burst ON photos(burst_id) WHERE burst_id IS NOT NULL;
  `,
};
