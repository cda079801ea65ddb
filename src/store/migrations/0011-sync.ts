// Sync to a cloud endpoint (issue 21): this laptop's device id, each event's enrolment (endpoint,
// cloud event, policy, the operation counter and the hybrid clock), the operation log, what was
// last put in it per entity, and the resumable state of blob uploads. Ordinary rowid tables (not
// WITHOUT ROWID): salvage of a damaged file copies every table in rowid order. Forward-only: never edit.
import type { Migration } from '../migrate.js';

export const migration0011Sync: Migration = {
  version: 11,
  name: 'sync',
  sql: `
    -- One row: the id this data dir's device sends with every operation (random, url-safe).
    CREATE TABLE sync_device (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      device_id TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );

    -- An event enrolled with a cloud event. The device token is NOT here: it lives in a 0600 file
    -- under <data dir>/sync/, so a copied database hands out no cloud access.
    CREATE TABLE sync_enrolments (
      event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
      endpoint TEXT NOT NULL,
      cloud_event_id TEXT NOT NULL,
      cloud_event_name TEXT NOT NULL,
      public_base_url TEXT NOT NULL,
      device_name TEXT NOT NULL,
      upload_originals INTEGER NOT NULL CHECK (upload_originals IN (0, 1)),
      cloud_face_search INTEGER NOT NULL CHECK (cloud_face_search IN (0, 1)),
      -- The next sequence number to give an operation. Sequence numbers come from this counter,
      -- in the transaction that appends the operation, never from a rowid (SQLite reuses the
      -- rowid of a deleted newest row, and the endpoint must never see a number twice).
      next_seq INTEGER NOT NULL CHECK (next_seq >= 1),
      -- The highest sequence number the endpoint acknowledged (next_seq - 1 when all are).
      acked_seq INTEGER NOT NULL,
      -- The hybrid logical clock: the last stamp's wall time (ms) and counter.
      hlc_wall INTEGER NOT NULL DEFAULT 0,
      hlc_counter INTEGER NOT NULL DEFAULT 0,
      paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
      -- Upload cap in bytes per second; NULL: none.
      bandwidth_cap INTEGER CHECK (bandwidth_cap IS NULL OR bandwidth_cap > 0),
      state TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'syncing', 'offline', 'error')),
      last_error TEXT,
      last_synced_at INTEGER,
      bytes_sent INTEGER NOT NULL DEFAULT 0,
      enrolled_at INTEGER NOT NULL
    );

    -- The operation log (outbox) of an enrolled event: the protocol's operations, in order.
    -- Acknowledged operations are deleted.
    CREATE TABLE sync_ops (
      event_id INTEGER NOT NULL REFERENCES sync_enrolments(event_id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      kind TEXT NOT NULL,
      op_json TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (event_id, seq)
    );

    -- Per entity (photo by sha256, face, person, gallery link, delivery by local id): the digest
    -- of the payload last put in the log, so only changes become operations.
    CREATE TABLE sync_sent_state (
      event_id INTEGER NOT NULL REFERENCES sync_enrolments(event_id) ON DELETE CASCADE,
      entity_kind TEXT NOT NULL,
      entity_key TEXT NOT NULL,
      digest TEXT NOT NULL,
      PRIMARY KEY (event_id, entity_kind, entity_key)
    );

    -- Files the endpoint should hold (thumbnails, previews, originals when the event opts in),
    -- by content hash; upload_id set while a multipart upload runs, so a restart resumes it.
    CREATE TABLE sync_blobs (
      event_id INTEGER NOT NULL REFERENCES sync_enrolments(event_id) ON DELETE CASCADE,
      sha256 TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('thumb', 'preview', 'original')),
      size INTEGER NOT NULL,
      path TEXT NOT NULL,
      content_type TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'uploaded')),
      upload_id TEXT,
      part_size INTEGER,
      part_count INTEGER,
      added_at INTEGER NOT NULL,
      uploaded_at INTEGER,
      PRIMARY KEY (event_id, sha256)
    );
    CREATE INDEX sync_blobs_pending ON sync_blobs(event_id, state, kind);

    -- Each finished part of a running upload, recorded as it finishes.
    CREATE TABLE sync_blob_parts (
      event_id INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      upload_id TEXT NOT NULL,
      part_number INTEGER NOT NULL,
      etag TEXT NOT NULL,
      PRIMARY KEY (event_id, sha256, part_number),
      FOREIGN KEY (event_id, sha256) REFERENCES sync_blobs(event_id, sha256) ON DELETE CASCADE
    );

    -- SHA-256 of media files (thumbnails, previews, blurred copies, originals), hashed once per
    -- (path, size, mtime).
    CREATE TABLE media_hashes (
      path TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      sha256 TEXT NOT NULL
    );
  `,
};
