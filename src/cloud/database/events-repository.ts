// Cloud events, their organiser token and join codes (hashes only: a leaked database opens nothing).
import type { Queryable } from './cloud-database.js';

export interface CloudEventRow {
  id: string;
  name: string;
  uploadOriginals: boolean;
  cloudFaceSearch: boolean;
  createdAt: Date;
}

const EVENT_COLUMNS = 'id, name, upload_originals AS "uploadOriginals", cloud_face_search AS "cloudFaceSearch", created_at AS "createdAt"';
const JOINED_EVENT_COLUMNS =
  'e.id, e.name, e.upload_originals AS "uploadOriginals", e.cloud_face_search AS "cloudFaceSearch", e.created_at AS "createdAt"';

export async function insertCloudEvent(
  q: Queryable,
  event: { id: string; name: string; uploadOriginals: boolean; cloudFaceSearch: boolean; organiserTokenHash: string },
): Promise<void> {
  await q.query(
    'INSERT INTO cloud_events (id, name, upload_originals, cloud_face_search, organiser_token_hash) VALUES ($1, $2, $3, $4, $5)',
    [event.id, event.name, event.uploadOriginals, event.cloudFaceSearch, event.organiserTokenHash],
  );
}

export async function cloudEventById(q: Queryable, id: string): Promise<CloudEventRow | null> {
  const { rows } = await q.query<CloudEventRow>(`SELECT ${EVENT_COLUMNS} FROM cloud_events WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function cloudEventByOrganiserTokenHash(q: Queryable, tokenHash: string): Promise<CloudEventRow | null> {
  const { rows } = await q.query<CloudEventRow>(`SELECT ${EVENT_COLUMNS} FROM cloud_events WHERE organiser_token_hash = $1`, [tokenHash]);
  return rows[0] ?? null;
}

export async function updateCloudEventSettings(
  q: Queryable,
  id: string,
  settings: { uploadOriginals?: boolean | undefined; cloudFaceSearch?: boolean | undefined },
): Promise<CloudEventRow | null> {
  const { rows } = await q.query<CloudEventRow>(
    `UPDATE cloud_events SET upload_originals = COALESCE($2, upload_originals), cloud_face_search = COALESCE($3, cloud_face_search)
     WHERE id = $1 RETURNING ${EVENT_COLUMNS}`,
    [id, settings.uploadOriginals ?? null, settings.cloudFaceSearch ?? null],
  );
  return rows[0] ?? null;
}

export async function insertJoinCode(q: Queryable, cloudEventId: string, codeHash: string, expiresAt: Date): Promise<void> {
  await q.query('INSERT INTO join_codes (code_hash, cloud_event_id, expires_at) VALUES ($1, $2, $3)', [codeHash, cloudEventId, expiresAt]);
}

/** The event a join code opens (and when the code was made), while the code is neither expired nor revoked. A code serves several laptops. */
export async function cloudEventByJoinCode(
  q: Queryable,
  codeHash: string,
  now: Date,
): Promise<{ event: CloudEventRow; codeCreatedAt: Date } | null> {
  const { rows } = await q.query<CloudEventRow & { codeCreatedAt: Date }>(
    `SELECT ${JOINED_EVENT_COLUMNS}, j.created_at AS "codeCreatedAt" FROM join_codes j JOIN cloud_events e ON e.id = j.cloud_event_id
     WHERE j.code_hash = $1 AND j.revoked_at IS NULL AND j.expires_at > $2`,
    [codeHash, now],
  );
  const row = rows[0];
  if (!row) return null;
  const { codeCreatedAt, ...event } = row;
  return { event, codeCreatedAt };
}
