// "Do not publish": a person the organiser marked, or an attendee who asked at the kiosk, has
// their face blurred wherever attendees and exports see photos. Each opt-out is a record that is
// never deleted, only revoked (who, when, why), so the organiser can show what was asked and
// honoured. Forward-only: never edit; add 0010.
import type { Migration } from '../migrate.js';

export const migration0009DoNotPublish: Migration = {
  version: 9,
  name: 'do-not-publish',
  sql: `
    CREATE TABLE publish_opt_outs (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      -- The person opted out. NULL for a kiosk attendee's own face (below), or when the person
      -- was later removed: the record stays for the audit.
      person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
      -- The person's name when the opt-out was made, for the record after a rename or removal.
      person_name TEXT,
      -- A kiosk attendee's selfie descriptor (128 float32), kept only to find their face in
      -- photos (those there now and those still to come) and blur it.
      face_embedding BLOB,
      source TEXT NOT NULL CHECK (source IN ('kiosk', 'organiser')),
      kiosk_session_id TEXT REFERENCES kiosk_sessions(id) ON DELETE SET NULL,
      note TEXT,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER,
      revoked_by TEXT,
      revoke_reason TEXT
    );
    CREATE INDEX publish_opt_outs_active ON publish_opt_outs(event_id) WHERE revoked_at IS NULL;
  `,
};
