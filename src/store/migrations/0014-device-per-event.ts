// Each enrolled event is its own device to the endpoint. With one device id per laptop, a second
// local event enrolled into the same cloud event (a two-day wedding kept as "Day 1" and "Day 2")
// re-enrolled that device: the first event's token was revoked and both events' sequence numbers
// met in one log. NULL: enrolled before this, as the laptop's own device id (kept, so the endpoint
// still knows it).
import type { Migration } from '../migrate.js';

export const migration0014DevicePerEvent: Migration = {
  version: 14,
  name: 'device-per-event',
  sql: `
    ALTER TABLE sync_enrolments ADD COLUMN device_id TEXT;
  `,
};
