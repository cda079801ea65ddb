// What the organiser's page of a cloud event lists: photos, people and links, laptops and
// deliveries of every laptop. Deliveries never carry their address.
import type { Queryable } from './cloud-database.js';
import { CLOUD_PHOTO_COLUMNS, type CloudPhotoRow } from './photo-row.js';

export interface SummaryPhoto extends CloudPhotoRow {
  /** The laptops that hold it (not removed there). */
  devicePks: number[];
}

export interface SummaryPerson {
  id: number;
  devicePk: number;
  localId: number;
  name: string | null;
  nameHlc: string;
  doNotPublish: boolean;
  dnpHlc: string;
  faceCount: number;
}

export interface SummaryLink {
  id: number;
  personA: number;
  personB: number;
  state: 'suggested' | 'confirmed' | 'rejected';
  distance: number | null;
  decidedAt: Date | null;
}

export interface SummaryDevice {
  pk: number;
  deviceId: string;
  name: string;
  nextSeq: number;
  enrolledAt: Date;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
}

export interface SummaryDelivery {
  id: number;
  devicePk: number;
  localId: number;
  channel: string;
  state: 'waiting' | 'sending' | 'sent' | 'failed';
  attempts: number;
  photoCount: number;
  sentAt: Date | null;
  error: string | null;
  createdAt: Date;
}

export interface EventSummaryRows {
  photos: SummaryPhoto[];
  persons: SummaryPerson[];
  links: SummaryLink[];
  devices: SummaryDevice[];
  deliveries: SummaryDelivery[];
}

export async function eventSummaryRows(q: Queryable, cloudEventId: string): Promise<EventSummaryRows> {
  const photos = await q.query<SummaryPhoto>(
    `SELECT ${CLOUD_PHOTO_COLUMNS},
            -- int4: pg parses an int8[] as strings (only single int8 values are read as numbers, cloud-database.ts).
            array_agg(s.device_pk::int ORDER BY s.device_pk) AS "devicePks"
     FROM photos p JOIN photo_sources s ON s.photo_id = p.id AND s.removed_hlc IS NULL
     WHERE p.cloud_event_id = $1
     GROUP BY p.id ORDER BY p.captured_at NULLS LAST, p.id`,
    [cloudEventId],
  );
  const persons = await q.query<SummaryPerson>(
    `SELECT p.id, p.device_pk AS "devicePk", p.local_id AS "localId", p.name, p.name_hlc AS "nameHlc",
            p.do_not_publish AS "doNotPublish", p.dnp_hlc AS "dnpHlc",
            (SELECT count(*)::int FROM faces f WHERE f.device_pk = p.device_pk AND f.person_local_id = p.local_id AND f.removed_hlc IS NULL) AS "faceCount"
     FROM persons p WHERE p.cloud_event_id = $1 AND p.removed_hlc IS NULL ORDER BY p.id`,
    [cloudEventId],
  );
  const links = await q.query<SummaryLink>(
    `SELECT id, person_a AS "personA", person_b AS "personB", state, distance, decided_at AS "decidedAt"
     FROM person_links WHERE cloud_event_id = $1 ORDER BY id`,
    [cloudEventId],
  );
  const devices = await q.query<SummaryDevice>(
    `SELECT id AS pk, device_id AS "deviceId", name, next_seq AS "nextSeq", enrolled_at AS "enrolledAt",
            last_seen_at AS "lastSeenAt", revoked_at AS "revokedAt"
     FROM devices WHERE cloud_event_id = $1 ORDER BY id`,
    [cloudEventId],
  );
  const deliveries = await q.query<SummaryDelivery>(
    `SELECT id, device_pk AS "devicePk", local_id AS "localId", channel, state, attempts,
            cardinality(photo_sha256s) AS "photoCount", sent_at AS "sentAt", error, created_at AS "createdAt"
     FROM deliveries WHERE cloud_event_id = $1 ORDER BY id`,
    [cloudEventId],
  );
  return { photos: photos.rows, persons: persons.rows, links: links.rows, devices: devices.rows, deliveries: deliveries.rows };
}
