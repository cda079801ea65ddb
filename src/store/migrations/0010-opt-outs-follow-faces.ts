// A "do not publish" mark follows the person's faces: when faces of an opted-out person move to
// another person (the organiser merges two people, a re-cluster regroups them, a split takes
// some away), the person they move to is opted out too, with a record that says why. Without
// it a merge deleted the opted-out person and their mark with it, and their face was published
// again. Erring this way blurs too much at worst (the organiser can publish the other person
// again); the other way would publish someone who asked not to be. Forward-only: never edit.
import type { Migration } from '../migrate.js';

export const migration0010OptOutsFollowFaces: Migration = {
  version: 10,
  name: 'opt-outs-follow-faces',
  sql: `
    CREATE TRIGGER publish_opt_outs_follow_faces
    AFTER UPDATE OF person_id ON faces
    WHEN NEW.person_id IS NOT NULL AND OLD.person_id IS NOT NULL AND NEW.person_id != OLD.person_id
     AND EXISTS (SELECT 1 FROM publish_opt_outs WHERE person_id = OLD.person_id AND revoked_at IS NULL)
     AND NOT EXISTS (SELECT 1 FROM publish_opt_outs WHERE person_id = NEW.person_id AND revoked_at IS NULL)
    BEGIN
      INSERT INTO publish_opt_outs (event_id, person_id, person_name, source, kiosk_session_id, note, created_at)
      SELECT o.event_id, NEW.person_id, (SELECT name FROM persons WHERE id = NEW.person_id), o.source, o.kiosk_session_id,
             'Carried over: faces of opted-out person ' || OLD.person_id || ' were moved to this person',
             CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
        FROM publish_opt_outs o
       WHERE o.person_id = OLD.person_id AND o.revoked_at IS NULL
       ORDER BY o.id
       LIMIT 1;
    END;
  `,
};
