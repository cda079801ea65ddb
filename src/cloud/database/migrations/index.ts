// Every cloud migration in order. Add a new file and a line here; never edit a shipped one.
import type { CloudMigration } from '../migrate.js';
import { migration0001Initial } from './0001-initial.js';
import { migration0002DeliveryBackoff } from './0002-delivery-backoff.js';
import { migration0003GalleryWatermark } from './0003-gallery-watermark.js';

export const CLOUD_MIGRATIONS: readonly CloudMigration[] = [
  migration0001Initial,
  migration0002DeliveryBackoff,
  migration0003GalleryWatermark,
];
