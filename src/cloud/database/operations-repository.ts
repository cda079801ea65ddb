// Applying a laptop's operations to the merged cloud event, one SQL statement per operation, each
// an upsert that encodes its merge rule. Called inside the batch's transaction, under the device's
// row lock. Hybrid logical clock stamps compare as strings, byte by byte (COLLATE "C": a database
// created with a natural-language collation would otherwise order '-' and digits its own way).
import type pg from 'pg';
import type { SyncOperation } from '../../api/index.js';

type Op<K extends SyncOperation['kind']> = Extract<SyncOperation, { kind: K }>;

/** Who sent the operation: the event it is scoped to and the device that made it. */
export interface OperationOrigin {
  cloudEventId: string;
  devicePk: number;
}

export async function storedBatchResponse(client: pg.PoolClient, devicePk: number, idempotencyKey: string): Promise<unknown> {
  const { rows } = await client.query<{ response: unknown }>(
    'SELECT response FROM applied_batches WHERE device_pk = $1 AND idempotency_key = $2',
    [devicePk, idempotencyKey],
  );
  return rows[0]?.response ?? null;
}

export async function recordBatch(client: pg.PoolClient, devicePk: number, idempotencyKey: string, response: unknown): Promise<void> {
  await client.query('INSERT INTO applied_batches (device_pk, idempotency_key, response) VALUES ($1, $2, $3)', [
    devicePk,
    idempotencyKey,
    JSON.stringify(response),
  ]);
}

/**
 * Locks the photos a batch will touch, all at once and in one fixed order (by key), before any is
 * written. Two laptops sending the same photos in different orders would otherwise lock their
 * rows in opposite orders and deadlock, again on every retry (measured: 300 shared photos in
 * opposite orders failed five retries in a row). Everything else a batch writes is its own
 * device's, serialised by the device's row lock.
 */
export async function lockPhotos(client: pg.PoolClient, cloudEventId: string, sha256s: readonly string[]): Promise<void> {
  if (sha256s.length === 0) return;
  await client.query(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended($1 || ':' || sha, 0) AS k FROM unnest($2::text[]) AS sha ORDER BY k
     ) AS keys`,
    [cloudEventId, sha256s],
  );
}

/**
 * A photo is (event, sha256) whoever sent it: the first sender creates it, later senders fill in
 * what they know (a blob reference sent again replaces the earlier one: it is the newer render).
 * The device's own source is upserted; a put after a remove brings the source back.
 * Several puts at once, as two statements whatever their number (a batch of 500 photos took ~1 s
 * as 1,000 statements on a busy machine); their sha256s must be distinct (one statement may
 * not change a row twice), which the caller ensures.
 */
export async function putPhotos(client: pg.PoolClient, from: OperationOrigin, ops: readonly Op<'photo.put'>[]): Promise<void> {
  if (ops.length === 0) return;
  const column = <T>(pick: (op: Op<'photo.put'>) => T): T[] => ops.map(pick);
  await client.query(
    `INSERT INTO photos (cloud_event_id, sha256, file_name, captured_at, width, height, thumb_sha256, preview_sha256, original_sha256)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[])
     ON CONFLICT (cloud_event_id, sha256) DO UPDATE SET
       file_name = excluded.file_name,
       captured_at = COALESCE(excluded.captured_at, photos.captured_at),
       width = COALESCE(excluded.width, photos.width),
       height = COALESCE(excluded.height, photos.height),
       thumb_sha256 = COALESCE(excluded.thumb_sha256, photos.thumb_sha256),
       preview_sha256 = COALESCE(excluded.preview_sha256, photos.preview_sha256),
       original_sha256 = COALESCE(excluded.original_sha256, photos.original_sha256)`,
    [
      from.cloudEventId,
      column((op) => op.sha256),
      column((op) => op.fileName),
      column((op) => op.capturedAt),
      column((op) => op.width),
      column((op) => op.height),
      column((op) => op.thumb?.sha256 ?? null),
      column((op) => op.preview?.sha256 ?? null),
      column((op) => op.original?.sha256 ?? null),
    ],
  );
  await client.query(
    `INSERT INTO photo_sources (photo_id, device_pk, file_name, hlc)
     SELECT p.id, $2, t.file_name, t.hlc
     FROM unnest($3::text[], $4::text[], $5::text[]) AS t(sha256, file_name, hlc)
     JOIN photos p ON p.cloud_event_id = $1 AND p.sha256 = t.sha256
     ON CONFLICT (photo_id, device_pk) DO UPDATE SET
       file_name = excluded.file_name,
       hlc = excluded.hlc,
       removed_hlc = CASE WHEN photo_sources.removed_hlc COLLATE "C" > excluded.hlc COLLATE "C" THEN photo_sources.removed_hlc END
     WHERE excluded.hlc COLLATE "C" > photo_sources.hlc COLLATE "C"`,
    [from.cloudEventId, from.devicePk, column((op) => op.sha256), column((op) => op.fileName), column((op) => op.hlc)],
  );
}

/** One photo.put (see putPhotos). */
export async function putPhoto(client: pg.PoolClient, from: OperationOrigin, op: Op<'photo.put'>): Promise<void> {
  await putPhotos(client, from, [op]);
}

/** A tombstone on this device's source only: the photo stays while another laptop still holds it. */
export async function removePhotoSource(client: pg.PoolClient, from: OperationOrigin, op: Op<'photo.remove'>): Promise<void> {
  await client.query(
    `UPDATE photo_sources s SET removed_hlc = $4
     FROM photos p
     WHERE p.id = s.photo_id AND p.cloud_event_id = $1 AND p.sha256 = $2 AND s.device_pk = $3
       AND s.hlc COLLATE "C" < $4 COLLATE "C"
       AND (s.removed_hlc IS NULL OR s.removed_hlc COLLATE "C" < $4 COLLATE "C")`,
    [from.cloudEventId, op.sha256, from.devicePk, op.hlc],
  );
}

/**
 * Last writer wins per field: the name and the do-not-publish flag each keep the stamp of their
 * last change, and a field takes an incoming value only when it changes it with a later stamp (so
 * a laptop that only flips do-not-publish does not make its old name "newer" than another's).
 */
export async function putPerson(client: pg.PoolClient, from: OperationOrigin, op: Op<'person.put'>): Promise<void> {
  await client.query(
    `INSERT INTO persons (cloud_event_id, device_pk, local_id, name, name_hlc, do_not_publish, dnp_hlc)
     VALUES ($1, $2, $3, $4, $5, $6, $5)
     ON CONFLICT (device_pk, local_id) DO UPDATE SET
       name = CASE WHEN excluded.name_hlc COLLATE "C" > persons.name_hlc COLLATE "C" THEN excluded.name ELSE persons.name END,
       name_hlc = CASE WHEN excluded.name_hlc COLLATE "C" > persons.name_hlc COLLATE "C" AND excluded.name IS DISTINCT FROM persons.name
                       THEN excluded.name_hlc ELSE persons.name_hlc END,
       do_not_publish = CASE WHEN excluded.dnp_hlc COLLATE "C" > persons.dnp_hlc COLLATE "C" THEN excluded.do_not_publish ELSE persons.do_not_publish END,
       dnp_hlc = CASE WHEN excluded.dnp_hlc COLLATE "C" > persons.dnp_hlc COLLATE "C" AND excluded.do_not_publish IS DISTINCT FROM persons.do_not_publish
                      THEN excluded.dnp_hlc ELSE persons.dnp_hlc END,
       removed_hlc = CASE WHEN persons.removed_hlc COLLATE "C" > excluded.name_hlc COLLATE "C" THEN persons.removed_hlc END`,
    [from.cloudEventId, from.devicePk, op.personId, op.name, op.hlc, op.doNotPublish],
  );
}

export async function removePerson(client: pg.PoolClient, from: OperationOrigin, op: Op<'person.remove'>): Promise<void> {
  await client.query(
    `UPDATE persons SET removed_hlc = $3
     WHERE device_pk = $1 AND local_id = $2 AND (removed_hlc IS NULL OR removed_hlc COLLATE "C" < $3 COLLATE "C")`,
    [from.devicePk, op.personId, op.hlc],
  );
}

/**
 * A face keeps its device of origin. Its photo may not have arrived (another laptop's batch, or
 * an outbox that sent the face first): a bare photo row stands in until a photo.put fills it; it
 * is not shown, having no source. The descriptor is kept only when the event opts into cloud face
 * search (`keepDescriptor`); otherwise it is dropped here, never stored.
 */
export async function putFace(client: pg.PoolClient, from: OperationOrigin, op: Op<'face.put'>, keepDescriptor: boolean): Promise<void> {
  const { rows } = await client.query<{ id: number }>(
    `WITH existing AS (SELECT id FROM photos WHERE cloud_event_id = $1 AND sha256 = $2),
          made AS (INSERT INTO photos (cloud_event_id, sha256, file_name) SELECT $1, $2, $2 WHERE NOT EXISTS (SELECT 1 FROM existing)
                   ON CONFLICT (cloud_event_id, sha256) DO NOTHING RETURNING id)
     SELECT id FROM existing UNION ALL SELECT id FROM made`,
    [from.cloudEventId, op.photoSha256],
  );
  const photoId =
    rows[0]?.id ??
    (
      await client.query<{ id: number }>('SELECT id FROM photos WHERE cloud_event_id = $1 AND sha256 = $2', [
        from.cloudEventId,
        op.photoSha256,
      ])
    ).rows[0]!.id;
  const descriptor = keepDescriptor && op.descriptor !== null ? Buffer.from(op.descriptor, 'base64') : null;
  await client.query(
    `INSERT INTO faces (cloud_event_id, device_pk, local_id, photo_id, box, person_local_id, descriptor, hlc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (device_pk, local_id) DO UPDATE SET
       photo_id = excluded.photo_id, box = excluded.box, person_local_id = excluded.person_local_id,
       descriptor = excluded.descriptor, hlc = excluded.hlc,
       removed_hlc = CASE WHEN faces.removed_hlc COLLATE "C" > excluded.hlc COLLATE "C" THEN faces.removed_hlc END
     WHERE excluded.hlc COLLATE "C" > faces.hlc COLLATE "C"`,
    [from.cloudEventId, from.devicePk, op.faceId, photoId, op.box, op.personId, descriptor, op.hlc],
  );
}

/**
 * Several face.puts of distinct faces in three statements instead of two or three each (the
 * photos they sit on made first when a face arrives before its photo): a 2,000-photo event brings
 * ~7,000 faces, and one statement per face kept its batches waiting on PostgreSQL round trips
 * (bench:sync). The same rules as putFace, row by row.
 */
export async function putFaces(
  client: pg.PoolClient,
  from: OperationOrigin,
  ops: readonly Op<'face.put'>[],
  keepDescriptor: boolean,
): Promise<void> {
  if (ops.length === 0) return;
  const column = <T>(pick: (op: Op<'face.put'>) => T): T[] => ops.map(pick);
  await client.query(
    `INSERT INTO photos (cloud_event_id, sha256, file_name)
     SELECT $1, s, s FROM unnest($2::text[]) AS s
     ON CONFLICT (cloud_event_id, sha256) DO NOTHING`,
    [from.cloudEventId, [...new Set(column((op) => op.photoSha256))]],
  );
  await client.query(
    `INSERT INTO faces (cloud_event_id, device_pk, local_id, photo_id, box, person_local_id, descriptor, hlc)
     SELECT $1, $2, t.local_id, p.id, ARRAY[t.x, t.y, t.w, t.h]::real[], t.person_local_id, t.descriptor, t.hlc
     FROM unnest($3::bigint[], $4::text[], $5::real[], $6::real[], $7::real[], $8::real[], $9::bigint[], $10::bytea[], $11::text[])
       AS t(local_id, photo_sha256, x, y, w, h, person_local_id, descriptor, hlc)
     JOIN photos p ON p.cloud_event_id = $1 AND p.sha256 = t.photo_sha256
     ON CONFLICT (device_pk, local_id) DO UPDATE SET
       photo_id = excluded.photo_id, box = excluded.box, person_local_id = excluded.person_local_id,
       descriptor = excluded.descriptor, hlc = excluded.hlc,
       removed_hlc = CASE WHEN faces.removed_hlc COLLATE "C" > excluded.hlc COLLATE "C" THEN faces.removed_hlc END
     WHERE excluded.hlc COLLATE "C" > faces.hlc COLLATE "C"`,
    [
      from.cloudEventId,
      from.devicePk,
      column((op) => op.faceId),
      column((op) => op.photoSha256),
      column((op) => op.box[0]),
      column((op) => op.box[1]),
      column((op) => op.box[2]),
      column((op) => op.box[3]),
      column((op) => op.personId),
      column((op) => (keepDescriptor && op.descriptor !== null ? Buffer.from(op.descriptor, 'base64') : null)),
      column((op) => op.hlc),
    ],
  );
}

export async function removeFace(client: pg.PoolClient, from: OperationOrigin, op: Op<'face.remove'>): Promise<void> {
  await client.query(
    `UPDATE faces SET removed_hlc = $3
     WHERE device_pk = $1 AND local_id = $2 AND (removed_hlc IS NULL OR removed_hlc COLLATE "C" < $3 COLLATE "C")`,
    [from.devicePk, op.faceId, op.hlc],
  );
}

/**
 * A take-home link minted at the kiosk, under the same token hash so the same token opens it in
 * the cloud. Only the device that made it may change it: a put from anyone else changes nothing.
 */
export async function putGalleryLink(client: pg.PoolClient, from: OperationOrigin, op: Op<'gallery.put'>): Promise<void> {
  await client.query(
    `INSERT INTO gallery_links (token_hash, cloud_event_id, device_pk, photo_sha256s, created_at, expires_at, hlc, watermark)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (token_hash) DO UPDATE SET
       photo_sha256s = excluded.photo_sha256s, expires_at = excluded.expires_at, hlc = excluded.hlc, watermark = excluded.watermark
     WHERE gallery_links.device_pk = excluded.device_pk AND gallery_links.cloud_event_id = excluded.cloud_event_id
       AND (gallery_links.hlc IS NULL OR excluded.hlc COLLATE "C" > gallery_links.hlc COLLATE "C")`,
    [op.tokenHash, from.cloudEventId, from.devicePk, op.photoSha256s, op.createdAt, op.expiresAt, op.hlc, op.watermark ?? null],
  );
}

/**
 * An attendee's request for an email. Sent again, it updates the photos; the address changes only
 * while the email has not gone out (an address deleted after sending never comes back), and a
 * failed delivery given a new address is tried again.
 */
export async function putDelivery(client: pg.PoolClient, from: OperationOrigin, op: Op<'delivery.put'>): Promise<void> {
  await client.query(
    `INSERT INTO deliveries (cloud_event_id, device_pk, local_id, channel, address, gallery_token_hash, photo_sha256s, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (device_pk, local_id) DO UPDATE SET
       photo_sha256s = excluded.photo_sha256s,
       gallery_token_hash = excluded.gallery_token_hash,
       address = CASE WHEN deliveries.state IN ('waiting', 'failed') THEN excluded.address ELSE deliveries.address END,
       state = CASE WHEN deliveries.state = 'failed' AND excluded.address IS DISTINCT FROM deliveries.address THEN 'waiting' ELSE deliveries.state END,
       error = CASE WHEN deliveries.state = 'failed' AND excluded.address IS DISTINCT FROM deliveries.address THEN NULL ELSE deliveries.error END`,
    [from.cloudEventId, from.devicePk, op.deliveryId, op.channel, op.address, op.galleryTokenHash, op.photoSha256s, op.createdAt],
  );
}

/** Audit rows of one device, in one statement and in this order (a bundle's stored blobs). */
export async function auditUploads(
  q: Pick<pg.PoolClient, 'query'>,
  from: OperationOrigin,
  what: 'ops' | 'blob',
  details: readonly Record<string, unknown>[],
): Promise<void> {
  if (details.length === 0) return;
  await q.query(
    `INSERT INTO uploads_audit (cloud_event_id, device_pk, what, detail)
       SELECT $1, $2, $3, u.detail FROM unnest($4::jsonb[]) WITH ORDINALITY AS u (detail, n) ORDER BY u.n`,
    [from.cloudEventId, from.devicePk, what, details.map((d) => JSON.stringify(d))],
  );
}

/** One audit row: what a device uploaded and when (a batch's counts by kind, or a finished blob). */
export async function auditUpload(
  q: Pick<pg.PoolClient, 'query'>,
  from: OperationOrigin,
  what: 'ops' | 'blob',
  detail: Record<string, unknown>,
): Promise<void> {
  await q.query('INSERT INTO uploads_audit (cloud_event_id, device_pk, what, detail) VALUES ($1, $2, $3, $4)', [
    from.cloudEventId,
    from.devicePk,
    what,
    JSON.stringify(detail),
  ]);
}
