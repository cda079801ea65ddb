// The laptops enrolled in a cloud event: their token's hash and their operation cursor.
import type pg from 'pg';
import type { Queryable } from './cloud-database.js';

export interface DeviceRow {
  /** The cloud's own id for the device (devices.id). */
  pk: number;
  cloudEventId: string;
  /** The laptop's id (made once per data dir). */
  deviceId: string;
  name: string;
  nextSeq: number;
  revokedAt: Date | null;
}

const DEVICE_COLUMNS =
  'id AS pk, cloud_event_id AS "cloudEventId", device_id AS "deviceId", name, next_seq AS "nextSeq", revoked_at AS "revokedAt"';

/**
 * Enrols a laptop, or enrols it again: the same device id gets a new token (the old one stops
 * working, its hash is replaced) and keeps its cursor, so a laptop that lost its token carries on
 * where the endpoint stopped. Whether a revoked laptop may come back is the caller's decision
 * (revokedAfter).
 */
export async function enrolDevice(
  q: Queryable,
  device: { cloudEventId: string; deviceId: string; name: string; tokenHash: string },
): Promise<DeviceRow> {
  const { rows } = await q.query<DeviceRow>(
    `INSERT INTO devices (cloud_event_id, device_id, name, token_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (cloud_event_id, device_id) DO UPDATE
       SET token_hash = excluded.token_hash, name = excluded.name, enrolled_at = now(), revoked_at = NULL
     RETURNING ${DEVICE_COLUMNS}`,
    [device.cloudEventId, device.deviceId, device.name, device.tokenHash],
  );
  return rows[0]!;
}

/** Whether the event's laptop `deviceId` was revoked at or after `since`. */
export async function revokedAfter(q: Queryable, cloudEventId: string, deviceId: string, since: Date): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM devices WHERE cloud_event_id = $1 AND device_id = $2 AND revoked_at >= $3', [
    cloudEventId,
    deviceId,
    since,
  ]);
  return rows.length > 0;
}

export async function deviceByTokenHash(q: Queryable, tokenHash: string): Promise<DeviceRow | null> {
  const { rows } = await q.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE token_hash = $1`, [tokenHash]);
  return rows[0] ?? null;
}

/**
 * Takes the device's row lock for the rest of the transaction: two endpoint instances receiving
 * batches of one device apply them one after the other, each against the cursor the other left.
 */
export async function lockDevice(client: pg.PoolClient, pk: number): Promise<DeviceRow | null> {
  const { rows } = await client.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1 FOR UPDATE`, [pk]);
  return rows[0] ?? null;
}

export async function advanceDevice(client: pg.PoolClient, pk: number, nextSeq: number): Promise<void> {
  await client.query('UPDATE devices SET next_seq = $2, last_seen_at = now() WHERE id = $1', [pk, nextSeq]);
}

export async function markDeviceSeen(q: Queryable, pk: number): Promise<void> {
  await q.query('UPDATE devices SET last_seen_at = now() WHERE id = $1', [pk]);
}

/** Revokes a laptop of the event, named by the cloud's id for it or by its own device id; false when the event has no such laptop. */
export async function revokeDevice(q: Queryable, cloudEventId: string, which: { pk: number } | { deviceId: string }): Promise<boolean> {
  const { rowCount } =
    'pk' in which
      ? await q.query('UPDATE devices SET revoked_at = COALESCE(revoked_at, now()) WHERE cloud_event_id = $1 AND id = $2', [
          cloudEventId,
          which.pk,
        ])
      : await q.query('UPDATE devices SET revoked_at = COALESCE(revoked_at, now()) WHERE cloud_event_id = $1 AND device_id = $2', [
          cloudEventId,
          which.deviceId,
        ]);
  return (rowCount ?? 0) > 0;
}
