// Face engine: quality detail per face, a binary-quantised copy of each face vector for fast
// pre-selection at 1M faces, person bookkeeping for stable ids, and a key/value table the
// engine uses to publish runtime facts (active ONNX provider) to `status` in other processes.
import type { Migration } from '../migrate.js';

export const migration0002FaceEngine: Migration = {
  version: 2,
  name: 'face-engine',
  sql: `
    ALTER TABLE faces ADD COLUMN sharpness REAL;
    ALTER TABLE faces ADD COLUMN frontal REAL;
    ALTER TABLE faces ADD COLUMN size_px REAL;

    ALTER TABLE photos ADD COLUMN face_count INTEGER;

    CREATE VIRTUAL TABLE face_embeddings_bits USING vec0(
      face_id INTEGER PRIMARY KEY,
      event_id INTEGER PARTITION KEY,
      embedding BIT[128]
    );

    ALTER TABLE persons ADD COLUMN face_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE persons ADD COLUMN cover_face_id INTEGER;
    CREATE INDEX persons_event ON persons(event_id);

    CREATE TABLE runtime_info (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
};
