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
