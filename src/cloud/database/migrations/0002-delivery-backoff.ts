// Emails that the SMTP server refuses for now (4xx, no connection) are retried after a growing
// pause and given up after a few tries, instead of every round for ever: each delivery counts its
// failed tries and says when it may be tried next. Forward-only: never edit after it has shipped.
import type { CloudMigration } from '../migrate.js';

export const migration0002DeliveryBackoff: CloudMigration = {
  version: 2,
  name: 'delivery-backoff',
  sql: `
    ALTER TABLE deliveries
      ADD COLUMN failed_tries int NOT NULL DEFAULT 0,
      ADD COLUMN next_attempt_at timestamptz;
  `,
};
