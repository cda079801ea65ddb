// Deliveries as the laptop sees them: whether each of its attendees' emails has gone out.
import type { Queryable } from './cloud-database.js';

export interface DeliveryStateRow {
  deliveryId: number;
  state: 'waiting' | 'sending' | 'sent' | 'failed';
  sentAt: Date | null;
  error: string | null;
}

export async function deliveryStatesOfDevice(q: Queryable, devicePk: number): Promise<DeliveryStateRow[]> {
  const { rows } = await q.query<DeliveryStateRow>(
    `SELECT local_id AS "deliveryId", state, sent_at AS "sentAt", error FROM deliveries WHERE device_pk = $1 ORDER BY local_id`,
    [devicePk],
  );
  return rows;
}

/**
 * The organiser's fix for a delivery that failed (a mistyped address): the new address, and the
 * delivery waits to be sent again, at once and with its full count of tries (a given-up email's
 * address was deleted: this is how it goes out after all). Only a failed or waiting one: a sent delivery's address is gone
 * for good. False when the event has no such delivery in that state.
 */
export async function readdressDelivery(q: Queryable, cloudEventId: string, deliveryId: number, address: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE deliveries SET address = $3, state = 'waiting', error = NULL, claimed_until = NULL, failed_tries = 0, next_attempt_at = NULL
     WHERE cloud_event_id = $1 AND id = $2 AND state IN ('failed', 'waiting')`,
    [cloudEventId, deliveryId, address],
  );
  return (rowCount ?? 0) > 0;
}
