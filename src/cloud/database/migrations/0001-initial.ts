// The cloud's first schema (PostgreSQL). Forward-only: never edit after it has shipped; add
// 0002-… instead. Photos are named by (event, sha256) whoever sent them; what a laptop made
// (faces, persons, links, deliveries) keeps its device of origin and its local id there.
import type { CloudMigration } from '../migrate.js';

export const migration0001Initial: CloudMigration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE cloud_events (
      id text PRIMARY KEY,
      name text NOT NULL,
      upload_originals boolean NOT NULL DEFAULT false,
      cloud_face_search boolean NOT NULL DEFAULT false,
      organiser_token_hash text UNIQUE NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE join_codes (
      code_hash text PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz
    );

    CREATE TABLE devices (
      id bigserial PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      device_id text NOT NULL,
      name text NOT NULL,
      token_hash text UNIQUE NOT NULL,
      next_seq bigint NOT NULL DEFAULT 1,
      enrolled_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz,
      revoked_at timestamptz,
      UNIQUE (cloud_event_id, device_id)
    );

    CREATE TABLE applied_batches (
      device_pk bigint NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
      idempotency_key text NOT NULL,
      response jsonb NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (device_pk, idempotency_key)
    );

    CREATE TABLE photos (
      id bigserial PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      sha256 text NOT NULL,
      file_name text NOT NULL,
      captured_at timestamptz,
      width int,
      height int,
      thumb_sha256 text,
      preview_sha256 text,
      original_sha256 text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (cloud_event_id, sha256)
    );

    -- The union of a photo's sources; a removed source is a tombstone. A photo is shown while
    -- at least one of its sources is not removed.
    CREATE TABLE photo_sources (
      photo_id bigint NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
      device_pk bigint NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
      file_name text NOT NULL,
      hlc text NOT NULL,
      removed_hlc text,
      PRIMARY KEY (photo_id, device_pk)
    );

    CREATE TABLE persons (
      id bigserial PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      device_pk bigint NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
      local_id bigint NOT NULL,
      name text,
      name_hlc text NOT NULL,
      do_not_publish boolean NOT NULL DEFAULT false,
      dnp_hlc text NOT NULL,
      removed_hlc text,
      UNIQUE (device_pk, local_id)
    );

    CREATE TABLE person_links (
      id bigserial PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      person_a bigint NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
      person_b bigint NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
      state text NOT NULL CHECK (state IN ('suggested', 'confirmed', 'rejected')),
      distance real,
      decided_at timestamptz,
      CHECK (person_a < person_b),
      UNIQUE (person_a, person_b)
    );

    CREATE TABLE faces (
      id bigserial PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      device_pk bigint NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
      local_id bigint NOT NULL,
      photo_id bigint NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
      box real[] NOT NULL CHECK (array_length(box, 1) = 4),
      person_local_id bigint,
      descriptor bytea,
      hlc text NOT NULL,
      removed_hlc text,
      UNIQUE (device_pk, local_id)
    );

    CREATE TABLE gallery_links (
      token_hash text PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      device_pk bigint REFERENCES devices(id) ON DELETE SET NULL,
      photo_sha256s text[] NOT NULL DEFAULT '{}',
      alias_of text REFERENCES gallery_links(token_hash) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      hlc text
    );

    CREATE TABLE deliveries (
      id bigserial PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      device_pk bigint NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
      local_id bigint NOT NULL,
      channel text NOT NULL,
      address text,
      gallery_token_hash text,
      photo_sha256s text[] NOT NULL DEFAULT '{}',
      state text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sending', 'sent', 'failed')),
      attempts int NOT NULL DEFAULT 0,
      claimed_until timestamptz,
      message_id text,
      sent_at timestamptz,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (device_pk, local_id)
    );
    CREATE INDEX deliveries_waiting ON deliveries (state, claimed_until) WHERE state IN ('waiting', 'sending');

    -- A blob listed here is complete and verified; its store key is events/<cloud_event_id>/<sha256>.
    CREATE TABLE blobs (
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      sha256 text NOT NULL,
      kind text NOT NULL,
      size bigint NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (cloud_event_id, sha256)
    );

    CREATE TABLE blob_uploads (
      upload_id text PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      sha256 text NOT NULL,
      kind text NOT NULL,
      size bigint NOT NULL,
      content_type text NOT NULL,
      device_pk bigint REFERENCES devices(id) ON DELETE SET NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz
    );
    CREATE INDEX blob_uploads_open ON blob_uploads (cloud_event_id, sha256) WHERE completed_at IS NULL;

    -- "What was uploaded and when is auditable": one row per applied batch and per finished blob.
    CREATE TABLE uploads_audit (
      id bigserial PRIMARY KEY,
      cloud_event_id text NOT NULL REFERENCES cloud_events(id) ON DELETE CASCADE,
      device_pk bigint REFERENCES devices(id) ON DELETE SET NULL,
      what text NOT NULL CHECK (what IN ('ops', 'blob')),
      detail jsonb NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
