// The camera's UTC offset at capture (EXIF OffsetTimeOriginal, "+02:00" → 120), so an export can
// write the capture time back as the camera's own wall clock in its own zone: captured_at alone is
// an instant, and the laptop's zone is not the camera's. NULL: the camera recorded no offset.
import type { Migration } from '../migrate.js';

export const migration0013CaptureOffset: Migration = {
  version: 13,
  name: 'capture-offset',
  sql: `
    ALTER TABLE photos ADD COLUMN captured_offset_minutes INTEGER;
  `,
};
