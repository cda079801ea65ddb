// Kiosk devices and their pairing, what a kiosk session keeps while it runs (and after, only
// for attendees who opted in), and attendee gallery links. Tokens and codes are stored as
// SHA-256 hashes: a copied database file does not hand out working kiosk or gallery access.
import type { Migration } from '../migrate.js';

export const migration0004KiosksAndGalleries: Migration = {
  version: 4,
  name: 'kiosks-and-galleries',
  sql: `
    CREATE TABLE kiosk_devices (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      paired_at INTEGER NOT NULL,
      last_seen_at INTEGER,
      revoked_at INTEGER
    );

    CREATE TABLE pairing_codes (
      code_hash TEXT PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used_at INTEGER
    );

    ALTER TABLE kiosk_sessions ADD COLUMN kiosk_id INTEGER REFERENCES kiosk_devices(id) ON DELETE SET NULL;
    -- The selfie's face embedding: kept while the session runs, after it only until follow_until
    -- for an attendee who asked for new photos of them. The selfie image itself is never stored.
    ALTER TABLE kiosk_sessions ADD COLUMN selfie_embedding BLOB;
    ALTER TABLE kiosk_sessions ADD COLUMN matched_photo_ids_json TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE kiosk_sessions ADD COLUMN follow_until INTEGER;
    CREATE INDEX kiosk_sessions_following ON kiosk_sessions(event_id, follow_until) WHERE follow_until IS NOT NULL;

    CREATE TABLE gallery_links (
      token_hash TEXT PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      kiosk_session_id TEXT REFERENCES kiosk_sessions(id) ON DELETE SET NULL,
      photo_ids_json TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX gallery_links_session ON gallery_links(kiosk_session_id);
    CREATE INDEX deliveries_session ON deliveries(kiosk_session_id);
  `,
};
