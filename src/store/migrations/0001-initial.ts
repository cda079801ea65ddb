// The first schema. Forward-only: never edit after it has shipped; add 0002-... instead.
import type { Migration } from '../migrate.js';

export const migration0001Initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      settings_json TEXT NOT NULL DEFAULT '{}',
      created_at INTEGER NOT NULL
    );

    CREATE TABLE sources (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      path TEXT NOT NULL,
      label TEXT,
      state TEXT NOT NULL DEFAULT 'watching' CHECK (state IN ('watching', 'offline', 'removed')),
      error TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (event_id, path)
    );

    -- One row per distinct content (sha256) per event. A file that failed before it could be
    -- hashed (vanished, unreadable, truncated) keeps sha256 NULL and is unique by path instead.
    CREATE TABLE photos (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
      path TEXT NOT NULL,
      file_name TEXT NOT NULL,
      format TEXT,
      sha256 TEXT,
      size_bytes INTEGER,
      mtime_ms INTEGER,
      status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
      error TEXT,
      landed_at INTEGER NOT NULL,
      admitted_at INTEGER,
      ready_at INTEGER,
      width INTEGER,
      height INTEGER,
      captured_at INTEGER,
      camera_make TEXT,
      camera_model TEXT,
      camera_serial TEXT,
      lens TEXT,
      orientation INTEGER,
      phash TEXT,
      preview_path TEXT,
      thumbnail_path TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX photos_event_sha256 ON photos(event_id, sha256) WHERE sha256 IS NOT NULL;
    CREATE UNIQUE INDEX photos_event_unhashed_path ON photos(event_id, path) WHERE sha256 IS NULL;
    CREATE INDEX photos_event_status ON photos(event_id, status);
    CREATE INDEX photos_event_path ON photos(event_id, path);

    -- Other files whose bytes an event already has: a copy, or a rename by the tethering tool.
    CREATE TABLE duplicates (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
      path TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('copy', 'rename')),
      seen_at INTEGER NOT NULL,
      UNIQUE (event_id, path, sha256)
    );
    CREATE INDEX duplicates_event_path ON duplicates(event_id, path);

    CREATE TABLE persons (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      name TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    CREATE TABLE faces (
      id INTEGER PRIMARY KEY,
      photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
      box_x REAL NOT NULL,
      box_y REAL NOT NULL,
      box_w REAL NOT NULL,
      box_h REAL NOT NULL,
      landmarks BLOB,
      score REAL NOT NULL,
      quality REAL,
      crop_path TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX faces_photo ON faces(photo_id);
    CREATE INDEX faces_event_person ON faces(event_id, person_id);

    -- Cosine distance on L2-normalised descriptors; partitioned so a search never leaves its event.
    CREATE VIRTUAL TABLE face_embeddings USING vec0(
      face_id INTEGER PRIMARY KEY,
      event_id INTEGER PARTITION KEY,
      embedding FLOAT[128] distance_metric=cosine
    );

    CREATE VIRTUAL TABLE clip_embeddings USING vec0(
      photo_id INTEGER PRIMARY KEY,
      event_id INTEGER PARTITION KEY,
      embedding FLOAT[512] distance_metric=cosine
    );

    CREATE TABLE kiosk_sessions (
      id TEXT PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      state TEXT NOT NULL CHECK (state IN ('consented', 'searching', 'matched', 'ended')),
      notify_opt_in INTEGER NOT NULL DEFAULT 0,
      contact TEXT,
      selfie_path TEXT,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      ended_at INTEGER
    );

    CREATE TABLE deliveries (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      kiosk_session_id TEXT REFERENCES kiosk_sessions(id) ON DELETE SET NULL,
      channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'link')),
      address TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('waiting', 'sent', 'failed')),
      photo_ids_json TEXT NOT NULL DEFAULT '[]',
      error TEXT,
      created_at INTEGER NOT NULL,
      sent_at INTEGER
    );

    -- Durable work queue. One kind per pipeline stage so a stage can be re-run on its own.
    CREATE TABLE jobs (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      photo_id INTEGER REFERENCES photos(id) ON DELETE CASCADE,
      state TEXT NOT NULL CHECK (state IN ('queued', 'leased', 'done', 'failed')),
      priority INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      run_after INTEGER NOT NULL,
      lease_owner TEXT,
      lease_expires_at INTEGER,
      last_error TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER
    );
    CREATE INDEX jobs_claimable ON jobs(state, priority DESC, run_after, id);
    CREATE INDEX jobs_event_state ON jobs(event_id, state);
    CREATE UNIQUE INDEX jobs_one_open_per_photo_kind ON jobs(photo_id, kind) WHERE state IN ('queued', 'leased');

    -- Changes waiting to be synced to the cloud endpoint, drained in batches when online.
    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      topic TEXT NOT NULL,
      entity_id INTEGER,
      payload_json TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      sent_at INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT
    );
    CREATE INDEX outbox_unsent ON outbox(sent_at, id);
  `,
};
