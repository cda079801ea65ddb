// Files an attendee is waiting for go up first: the thumbnails and previews of photos in a
// take-home link or a delivery, before the rest of the event's. Measured with bench:sync (2,000
// photos over 50 Mbit/s): thumbnails then previews in the order photos landed kept a link minted
// at the kiosk waiting until every thumbnail and its own previews were up.
import type { Migration } from '../migrate.js';

export const migration0012WaitedForBlobs: Migration = {
  version: 12,
  name: 'waited-for-blobs',
  sql: `
    ALTER TABLE sync_blobs ADD COLUMN waited_for INTEGER NOT NULL DEFAULT 0 CHECK (waited_for IN (0, 1));
  `,
};
