// The organiser's people edits survive automatic clustering: faces they placed (by merging or
// splitting people) are pinned to that person, and persons they named, merged or split are
// confirmed, so an automatic merge never absorbs them or joins two of them.
import type { Migration } from '../migrate.js';

export const migration0005OrganiserPeople: Migration = {
  version: 5,
  name: 'organiser-people',
  sql: `
    ALTER TABLE faces ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
    ALTER TABLE persons ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1));
    UPDATE persons SET confirmed = 1 WHERE name IS NOT NULL;
  `,
};
