// An attendee who takes home a "Maybe you?" photo has said that face is hers. When she also asks
// for new photos of her, those faces are kept with her description, by place ([{photoId, box}]):
// they sharpen the query her new photos are matched by, and after a change of face network her
// description is rebuilt from them too (kiosk/follower-matching.ts). NULL when she chose none, and
// deleted with her description.
import type { Migration } from '../migrate.js';

export const migration0017ChosenMaybeFaces: Migration = {
  version: 17,
  name: 'chosen-maybe-faces',
  sql: `
    ALTER TABLE kiosk_sessions ADD COLUMN chosen_faces_json TEXT;
  `,
};
