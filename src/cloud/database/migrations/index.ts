// Every cloud migration in order. Add a new file and a line here; never edit a shipped one.
import type { CloudMigration } from '../migrate.js';
import { migration0001Initial } from './0001-initial.js';
import { migration0002DeliveryBackoff } from './0002-delivery-backoff.js';

export const CLOUD_MIGRATIONS: readonly CloudMigration[] = [migration0001Initial, migration0002DeliveryBackoff];
