// What a running kiosk session showed, kept in the database rather than in the engine's memory:
// each photo shown with the face it matched by, and whether it was shown under "Maybe you?"
// ([{photoId, faceId, maybe}]). A tapped "Maybe you?" photo searches by that face, and one taken
// home with "send me new photos" keeps it (migration 0017); kept in memory, an engine restarted
// mid-session lost both. NULL once the session ends, however it ends.
import type { Migration } from '../migrate.js';

export const migration0018KioskShownFaces: Migration = {
  version: 18,
  name: 'kiosk-shown-faces',
  sql: `
    ALTER TABLE kiosk_sessions ADD COLUMN shown_faces_json TEXT;
  `,
};
