// Take-home links in the cloud: the kiosk's links (same token hash as on the laptop) and the
// links minted for emails (alias_of the kiosk's link). What the cloud gallery pages show.
import { hashSecret } from '../../config/index.js';
import type { CloudDatabase } from './cloud-database.js';
import { CLOUD_PHOTO_COLUMNS, type CloudPhotoRow } from './photo-row.js';

export interface GalleryPhoto extends CloudPhotoRow {
  originalSha256: string | null;
  /** Whether each blob has arrived (complete and verified); a page leaves out what it cannot show yet. */
  thumbStored: boolean;
  previewStored: boolean;
  originalStored: boolean;
}

export interface OpenedGallery {
  event: { id: string; name: string };
  /** In the link's order. Left out: photos no laptop holds any more, and photos of a person who asked not to be published. */
  photos: GalleryPhoto[];
  expiresAt: Date;
  /** Drawn on previews, downloads and the ZIP (the laptop's event setting, sent with its links); null: none. */
  watermark: string | null;
}

/**
 * Opens a take-home link by its token (hashed as the laptop hashes it, so the kiosk's token works
 * here). An email's link follows `alias_of` to the kiosk link whose photos it shows, with its own
 * expiry.
 */
export async function openGallery(
  db: CloudDatabase,
  token: string,
  now: Date = new Date(),
): Promise<OpenedGallery | 'not-found' | 'expired'> {
  // The watermark: the kiosk link's for an email's link that follows one; a link's own when a
  // laptop sent it; for an email's link whose kiosk link never reached the cloud, any laptop's of
  // the event that watermarks (rather than show unmarked photos a photographer chose to mark).
  const { rows } = await db.pool.query<{
    cloudEventId: string;
    eventName: string;
    expiresAt: Date;
    photoSha256s: string[];
    watermark: string | null;
  }>(
    `SELECT l.cloud_event_id AS "cloudEventId", e.name AS "eventName", l.expires_at AS "expiresAt",
            COALESCE(target.photo_sha256s, l.photo_sha256s) AS "photoSha256s",
            CASE WHEN target.token_hash IS NOT NULL THEN target.watermark
                 WHEN l.device_pk IS NOT NULL THEN l.watermark
                 ELSE (SELECT k.watermark FROM gallery_links k
                       WHERE k.cloud_event_id = l.cloud_event_id AND k.device_pk IS NOT NULL AND k.watermark IS NOT NULL
                       ORDER BY k.created_at DESC LIMIT 1)
            END AS "watermark"
     FROM gallery_links l
     JOIN cloud_events e ON e.id = l.cloud_event_id
     LEFT JOIN gallery_links target ON target.token_hash = l.alias_of
     WHERE l.token_hash = $1`,
    [hashSecret(token)],
  );
  const link = rows[0];
  if (!link) return 'not-found';
  if (link.expiresAt.getTime() <= now.getTime()) return 'expired';
  const photos = await db.pool.query<GalleryPhoto>(
    `SELECT ${CLOUD_PHOTO_COLUMNS}, p.original_sha256 AS "originalSha256",
            EXISTS (SELECT 1 FROM blobs b WHERE b.cloud_event_id = p.cloud_event_id AND b.sha256 = p.thumb_sha256) AS "thumbStored",
            EXISTS (SELECT 1 FROM blobs b WHERE b.cloud_event_id = p.cloud_event_id AND b.sha256 = p.preview_sha256) AS "previewStored",
            EXISTS (SELECT 1 FROM blobs b WHERE b.cloud_event_id = p.cloud_event_id AND b.sha256 = p.original_sha256) AS "originalStored"
     FROM photos p
     WHERE p.cloud_event_id = $1 AND p.sha256 = ANY($2::text[])
       AND EXISTS (SELECT 1 FROM photo_sources s WHERE s.photo_id = p.id AND s.removed_hlc IS NULL)
       AND NOT EXISTS (
         SELECT 1 FROM faces f JOIN persons pe ON pe.device_pk = f.device_pk AND pe.local_id = f.person_local_id
         WHERE f.photo_id = p.id AND f.removed_hlc IS NULL AND pe.removed_hlc IS NULL
           AND (pe.do_not_publish OR EXISTS (
             SELECT 1 FROM person_links k JOIN persons o ON o.id = CASE WHEN k.person_a = pe.id THEN k.person_b ELSE k.person_a END
             WHERE k.state = 'confirmed' AND (k.person_a = pe.id OR k.person_b = pe.id) AND o.do_not_publish AND o.removed_hlc IS NULL)))
     ORDER BY array_position($2::text[], p.sha256)`,
    [link.cloudEventId, link.photoSha256s],
  );
  return {
    event: { id: link.cloudEventId, name: link.eventName },
    photos: photos.rows,
    expiresAt: link.expiresAt,
    watermark: link.watermark,
  };
}
