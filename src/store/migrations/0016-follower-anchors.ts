// An attendee who asked for new photos of her is matched by the description of her selfie, kept
// for the days she agreed to (the picture itself is never kept). When the face network changes,
// the event's faces are described again and that description can no longer be compared with
// them: she would silently get no new photo. Before they are described again, her faces in the
// photos she got are noted here by place ([photo id, x, y, width, height] and, once that photo's
// faces are described again, the new face's id); her description is then rebuilt from those
// faces (kiosk/follower-matching.ts). NULL for every attendee whose description is current.
import type { Migration } from '../migrate.js';

export const migration0016FollowerAnchors: Migration = {
  version: 16,
  name: 'follower-anchors',
  sql: `
    ALTER TABLE kiosk_sessions ADD COLUMN follow_anchors_json TEXT;
  `,
};
