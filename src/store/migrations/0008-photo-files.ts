// RAW+JPEG pairs: one capture is one photo with two files. The photos row stays the file that is
// processed and shown (the camera's JPEG when there is one); the capture's other file (the RAW,
// kept for editing and offered in organiser exports) is a row here. A file's bytes are known to
// the event through either table, so a pair's second file never becomes a second photo, after a
// restart, a rename or a re-import. Forward-only: never edit; add 0009.
import type { Migration } from '../migrate.js';

export const migration0008PhotoFiles: Migration = {
  version: 8,
  name: 'photo-files',
  sql: `
    CREATE TABLE photo_files (
      id INTEGER PRIMARY KEY,
      event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
      source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
      path TEXT NOT NULL,
      file_name TEXT NOT NULL,
      format TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      -- 'raw': the sensor file; 'rendered': the camera's JPEG/HEIF when the RAW is the photo's own file.
      role TEXT NOT NULL CHECK (role IN ('raw', 'rendered')),
      -- How the two files were found to be one capture: same folder and name, same capture time and
      -- camera serial (a camera writing RAW and JPEG to two card folders), or merged by repair.
      paired_by TEXT NOT NULL CHECK (paired_by IN ('name', 'capture', 'repair')),
      added_at INTEGER NOT NULL,
      UNIQUE (event_id, sha256)
    );
    -- The partner of IMG_0412.CR3 is looked up by its folder and name (IMG_0412.*): a range on
    -- path, on photos(event_id, path) from 0001 and on this index.
    CREATE INDEX photo_files_photo ON photo_files(photo_id);
    CREATE INDEX photo_files_event_path ON photo_files(event_id, path);

    -- Pairs across folders: the same capture time on the same camera body.
    CREATE INDEX photos_event_capture ON photos(event_id, captured_at) WHERE captured_at IS NOT NULL;
  `,
};
