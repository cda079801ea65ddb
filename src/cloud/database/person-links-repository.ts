// Links between persons of different laptops who are the same attendee: suggested by descriptor
// distance, confirmed or rejected by the organiser.
import type { Queryable } from './cloud-database.js';

export interface PersonDescriptors {
  personId: number;
  devicePk: number;
  /** The stored descriptors of the person's faces (little-endian float32s). */
  descriptors: Buffer[];
}

/**
 * Serialises link suggestion within an event: a batch suggesting links waits for another's commit,
 * so it sees that batch's faces (without this, two laptops' concurrent batches could each miss the
 * other's new persons).
 */
export async function lockEventLinks(q: Queryable, cloudEventId: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`links:${cloudEventId}`]);
}

/** Each live person's live faces' descriptors (only stored when the event opts into cloud face search). */
export async function personDescriptors(q: Queryable, cloudEventId: string): Promise<PersonDescriptors[]> {
  const { rows } = await q.query<PersonDescriptors>(
    `SELECT p.id AS "personId", p.device_pk AS "devicePk", array_agg(f.descriptor) AS descriptors
     FROM persons p
     JOIN faces f ON f.device_pk = p.device_pk AND f.person_local_id = p.local_id
     WHERE p.cloud_event_id = $1 AND p.removed_hlc IS NULL AND f.removed_hlc IS NULL AND f.descriptor IS NOT NULL
     GROUP BY p.id, p.device_pk`,
    [cloudEventId],
  );
  return rows;
}

/** Every pair the event already has a link for, whatever its state (a rejected pair is never suggested again). */
export async function linkedPairs(q: Queryable, cloudEventId: string): Promise<[number, number][]> {
  const { rows } = await q.query<{ a: number; b: number }>(
    'SELECT person_a AS a, person_b AS b FROM person_links WHERE cloud_event_id = $1',
    [cloudEventId],
  );
  return rows.map((r) => [r.a, r.b]);
}

export async function insertSuggestedLinks(
  q: Queryable,
  cloudEventId: string,
  links: readonly { a: number; b: number; distance: number }[],
): Promise<void> {
  if (links.length === 0) return;
  await q.query(
    `INSERT INTO person_links (cloud_event_id, person_a, person_b, state, distance)
     SELECT $1, a, b, 'suggested', d FROM unnest($2::bigint[], $3::bigint[], $4::real[]) AS t(a, b, d)
     ON CONFLICT (person_a, person_b) DO NOTHING`,
    [cloudEventId, links.map((l) => l.a), links.map((l) => l.b), links.map((l) => l.distance)],
  );
}

/** The organiser's decision on a link of their event; false when the event has no such link. */
export async function decidePersonLink(
  q: Queryable,
  cloudEventId: string,
  linkId: number,
  state: 'confirmed' | 'rejected',
): Promise<boolean> {
  const { rowCount } = await q.query('UPDATE person_links SET state = $3, decided_at = now() WHERE cloud_event_id = $1 AND id = $2', [
    cloudEventId,
    linkId,
    state,
  ]);
  return (rowCount ?? 0) > 0;
}
