// A take-home link carries its event's watermark (the laptop's Settings → Watermark), so the cloud
// draws it on previews, downloads and ZIPs as the laptop's gallery does. Null: none.
// Forward-only: never edit after it has shipped.
import type { CloudMigration } from '../migrate.js';

export const migration0003GalleryWatermark: CloudMigration = {
  version: 3,
  name: 'gallery-watermark',
  sql: `
    ALTER TABLE gallery_links ADD COLUMN watermark text;
  `,
};
