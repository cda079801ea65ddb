// The organiser's page shows each photo's thumbnail: which blob that is, and whether it has arrived.
import type { Queryable } from './cloud-database.js';

/** The photo's thumbnail hash and whether its blob is stored; null when the event has no such photo. */
export async function thumbnailOfPhoto(
  q: Queryable,
  cloudEventId: string,
  photoId: number,
): Promise<{ thumbSha256: string | null; stored: boolean } | null> {
  const { rows } = await q.query<{ thumbSha256: string | null; stored: boolean }>(
    `SELECT p.thumb_sha256 AS "thumbSha256", (b.sha256 IS NOT NULL) AS stored
     FROM photos p LEFT JOIN blobs b ON b.cloud_event_id = p.cloud_event_id AND b.sha256 = p.thumb_sha256
     WHERE p.cloud_event_id = $1 AND p.id = $2`,
    [cloudEventId, photoId],
  );
  return rows[0] ?? null;
}
