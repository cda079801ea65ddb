// Which blobs an event holds (complete and verified), and the multipart uploads still open.
import type pg from 'pg';
import type { BlobKind } from '../../api/index.js';
import type { Queryable } from './cloud-database.js';

export interface BlobUploadRow {
  uploadId: string;
  cloudEventId: string;
  sha256: string;
  kind: BlobKind;
  size: number;
  contentType: string;
  devicePk: number | null;
  completedAt: Date | null;
}

const UPLOAD_COLUMNS =
  'upload_id AS "uploadId", cloud_event_id AS "cloudEventId", sha256, kind, size, content_type AS "contentType", device_pk AS "devicePk", completed_at AS "completedAt"';

export async function storedBlobHashes(q: Queryable, cloudEventId: string, sha256s: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ sha256: string }>('SELECT sha256 FROM blobs WHERE cloud_event_id = $1 AND sha256 = ANY($2::text[])', [
    cloudEventId,
    sha256s,
  ]);
  return new Set(rows.map((r) => r.sha256));
}

/**
 * Serialises the start of uploads of one blob of one event: a laptop whose start reaches two
 * endpoint instances at once (a retry after a timeout) finds its own open upload instead of
 * opening a second one.
 */
export async function lockBlob(client: pg.PoolClient, cloudEventId: string, sha256: string): Promise<void> {
  await lockBlobs(client, cloudEventId, [sha256]);
}

/**
 * The locks of several blobs of one event, taken in the order of the locks' own numbers, so that
 * two bundles sharing blobs wait for one another instead of each holding a lock the other needs.
 */
export async function lockBlobs(client: pg.PoolClient, cloudEventId: string, sha256s: readonly string[]): Promise<void> {
  if (sha256s.length === 0) return;
  await client.query(
    `SELECT pg_advisory_xact_lock(lock) FROM (
       SELECT DISTINCT hashtextextended('blob:' || $1 || ':' || sha256, 0) AS lock FROM unnest($2::text[]) AS sha256 ORDER BY lock
     ) AS locks`,
    [cloudEventId, sha256s],
  );
}

/**
 * The laptop's own newest upload of a blob still open with the same size, to resume. Only its
 * own: two laptops sending the same frame at once would otherwise share one upload, and the
 * first to finish (or to find the blob stored and abort) would close it under the other
 * (measured: a 500 on the second laptop's start).
 */
export async function openUploadOf(
  q: Queryable,
  cloudEventId: string,
  sha256: string,
  size: number,
  devicePk: number,
): Promise<BlobUploadRow | null> {
  const { rows } = await q.query<BlobUploadRow>(
    `SELECT ${UPLOAD_COLUMNS} FROM blob_uploads
     WHERE cloud_event_id = $1 AND sha256 = $2 AND size = $3 AND device_pk = $4 AND completed_at IS NULL
     ORDER BY started_at DESC LIMIT 1`,
    [cloudEventId, sha256, size, devicePk],
  );
  return rows[0] ?? null;
}

export async function insertUpload(q: Queryable, upload: Omit<BlobUploadRow, 'completedAt'>): Promise<void> {
  await q.query(
    `INSERT INTO blob_uploads (upload_id, cloud_event_id, sha256, kind, size, content_type, device_pk) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [upload.uploadId, upload.cloudEventId, upload.sha256, upload.kind, upload.size, upload.contentType, upload.devicePk],
  );
}

/** An upload of this event (another event's upload id reads as unknown). */
export async function uploadOfEvent(q: Queryable, cloudEventId: string, uploadId: string): Promise<BlobUploadRow | null> {
  const { rows } = await q.query<BlobUploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM blob_uploads WHERE cloud_event_id = $1 AND upload_id = $2`, [
    cloudEventId,
    uploadId,
  ]);
  return rows[0] ?? null;
}

export async function forgetUpload(q: Queryable, uploadId: string): Promise<void> {
  await q.query('DELETE FROM blob_uploads WHERE upload_id = $1', [uploadId]);
}

/** Records a verified blob and closes its upload; true when the blob is new to the event. */
export async function recordStoredBlob(q: Queryable, upload: BlobUploadRow): Promise<boolean> {
  const inserted = await insertStoredBlob(q, upload);
  await q.query('UPDATE blob_uploads SET completed_at = COALESCE(completed_at, now()) WHERE upload_id = $1', [upload.uploadId]);
  return inserted;
}

/** Counts a blob as stored in its event; false when it already was (another laptop, a bundle sent again). */
export async function insertStoredBlob(
  q: Queryable,
  blob: Pick<BlobUploadRow, 'cloudEventId' | 'sha256' | 'kind' | 'size'>,
): Promise<boolean> {
  return (await insertStoredBlobs(q, blob.cloudEventId, [blob])).has(blob.sha256);
}

/**
 * Counts blobs of one event as stored, in one statement (a bundle's 35 thumbnails were 70
 * statements with their audit rows, a PostgreSQL round trip each); the hashes that were new. A
 * blob already counted (a bundle sent again) is left as it is and not returned.
 */
export async function insertStoredBlobs(
  q: Queryable,
  cloudEventId: string,
  blobs: readonly Pick<BlobUploadRow, 'sha256' | 'kind' | 'size'>[],
): Promise<Set<string>> {
  if (blobs.length === 0) return new Set();
  const { rows } = await q.query<{ sha256: string }>(
    `INSERT INTO blobs (cloud_event_id, sha256, kind, size)
       SELECT $1, b.sha256, b.kind, b.size FROM unnest($2::text[], $3::text[], $4::bigint[]) AS b (sha256, kind, size)
     ON CONFLICT (cloud_event_id, sha256) DO NOTHING
     RETURNING sha256`,
    [cloudEventId, blobs.map((b) => b.sha256), blobs.map((b) => b.kind), blobs.map((b) => b.size)],
  );
  return new Set(rows.map((r) => r.sha256));
}

/** Forgets uploads swept as abandoned (a finished one is kept: it is the audit of a stored blob). */
export async function forgetOpenUploads(q: Queryable, uploadIds: readonly string[]): Promise<number> {
  if (uploadIds.length === 0) return 0;
  const { rowCount } = await q.query('DELETE FROM blob_uploads WHERE upload_id = ANY($1::text[]) AND completed_at IS NULL', [uploadIds]);
  return rowCount ?? 0;
}
