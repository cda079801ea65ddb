// Creating a cloud event and what its organiser and laptops may do with it: join codes, settings,
// the policy laptops read at each sync, and the organiser's summary of every laptop's work.
import type { CloudEventPolicy } from '../api/index.js';
import { hashSecret, newToken } from '../config/index.js';
import {
  cloudEventByOrganiserTokenHash,
  decidePersonLink,
  eventSummaryRows,
  insertCloudEvent,
  insertJoinCode,
  updateCloudEventSettings,
  type CloudDatabase,
  type CloudEventRow,
  type SummaryDelivery,
  type SummaryDevice,
  type SummaryLink,
  type SummaryPhoto,
} from './database/index.js';
import { CloudRequestError, notFound } from './cloud-errors.js';
import { JOIN_CODE_LIFETIME_MS, newCloudEventId, newJoinCode, normaliseJoinCode } from './cloud-secrets.js';
import { mergePeople } from './merge/index.js';

export interface NewCloudEvent {
  name: string;
  uploadOriginals?: boolean;
  cloudFaceSearch?: boolean;
}

export interface CreatedCloudEvent {
  cloudEventId: string;
  /** Shown once: the endpoint keeps only its hash. */
  organiserToken: string;
  joinCode: string;
  joinCodeExpiresAt: Date;
}

export async function createCloudEvent(db: CloudDatabase, event: NewCloudEvent, now: Date = new Date()): Promise<CreatedCloudEvent> {
  const cloudEventId = newCloudEventId();
  const organiserToken = newToken();
  await insertCloudEvent(db.pool, {
    id: cloudEventId,
    name: event.name,
    uploadOriginals: event.uploadOriginals ?? false,
    cloudFaceSearch: event.cloudFaceSearch ?? false,
    organiserTokenHash: hashSecret(organiserToken),
  });
  const { joinCode, expiresAt } = await addJoinCode(db, cloudEventId, now);
  return { cloudEventId, organiserToken, joinCode, joinCodeExpiresAt: expiresAt };
}

/** A new join code for the event (earlier ones keep working until they expire). */
export async function addJoinCode(
  db: CloudDatabase,
  cloudEventId: string,
  now: Date = new Date(),
): Promise<{ joinCode: string; expiresAt: Date }> {
  const joinCode = newJoinCode();
  const expiresAt = new Date(now.getTime() + JOIN_CODE_LIFETIME_MS);
  await insertJoinCode(db.pool, cloudEventId, hashSecret(normaliseJoinCode(joinCode)), expiresAt);
  return { joinCode, expiresAt };
}

export function eventPolicy(event: CloudEventRow, publicBaseUrl: string): CloudEventPolicy {
  return {
    cloudEventId: event.id,
    eventName: event.name,
    uploadOriginals: event.uploadOriginals,
    cloudFaceSearch: event.cloudFaceSearch,
    publicBaseUrl,
  };
}

/**
 * The organiser's event, from the bearer token and the event named in the address. Another
 * event's id reads as not found, so a token tells nothing about which other events exist.
 */
export async function authenticateOrganiser(
  db: CloudDatabase,
  authorization: string | undefined,
  cloudEventId: string,
): Promise<CloudEventRow> {
  const token = bearerToken(authorization);
  if (!token)
    throw new CloudRequestError(
      401,
      'unauthorised',
      'This needs the organiser token of the event: send it as "Authorization: Bearer <token>".',
    );
  const event = await cloudEventByOrganiserTokenHash(db.pool, hashSecret(token));
  if (!event)
    throw new CloudRequestError(401, 'unauthorised', 'This organiser token is not valid: use the one printed when the event was created.');
  if (event.id !== cloudEventId) throw notFound('No such cloud event for this organiser token.');
  return event;
}

export function bearerToken(authorization: string | undefined): string | null {
  const match = /^Bearer\s+([A-Za-z0-9_-]{16,200})\s*$/i.exec(authorization ?? '');
  return match ? match[1]! : null;
}

export async function changeEventSettings(
  db: CloudDatabase,
  cloudEventId: string,
  settings: { uploadOriginals?: boolean | undefined; cloudFaceSearch?: boolean | undefined },
): Promise<CloudEventRow> {
  const event = await updateCloudEventSettings(db.pool, cloudEventId, settings);
  if (!event) throw notFound('No such cloud event.');
  return event;
}

export async function decideLink(
  db: CloudDatabase,
  cloudEventId: string,
  linkId: number,
  decision: 'confirmed' | 'rejected',
): Promise<void> {
  if (!(await decidePersonLink(db.pool, cloudEventId, linkId, decision))) throw notFound(`This event has no person link ${linkId}.`);
}

export interface OrganiserPerson {
  id: number;
  devicePk: number;
  localId: number;
  /** The name this laptop gave. */
  name: string | null;
  doNotPublish: boolean;
  faceCount: number;
  /** Across confirmed links: the name written last, and do-not-publish when any laptop asked it. */
  merged: { groupId: number; name: string | null; doNotPublish: boolean };
  links: { id: number; otherPersonId: number; state: SummaryLink['state']; distance: number | null }[];
}

export interface OrganiserSummary {
  event: CloudEventRow;
  photos: SummaryPhoto[];
  people: OrganiserPerson[];
  devices: SummaryDevice[];
  /** Never with the address: it is the attendee's, and deleted once the email is sent. */
  deliveries: SummaryDelivery[];
}

export async function organiserSummary(db: CloudDatabase, event: CloudEventRow): Promise<OrganiserSummary> {
  const rows = await eventSummaryRows(db.pool, event.id);
  // A link to a person its laptop removed since is not shown (the person is not listed either).
  const live = new Set(rows.persons.map((p) => p.id));
  rows.links = rows.links.filter((l) => live.has(l.personA) && live.has(l.personB));
  const merged = mergePeople(
    rows.persons,
    rows.links.filter((l) => l.state === 'confirmed').map((l) => [l.personA, l.personB] as const),
  );
  const people = rows.persons.map((p) => ({
    id: p.id,
    devicePk: p.devicePk,
    localId: p.localId,
    name: p.name,
    doNotPublish: p.doNotPublish,
    faceCount: p.faceCount,
    merged: merged.get(p.id)!,
    links: rows.links
      .filter((l) => l.personA === p.id || l.personB === p.id)
      .map((l) => ({ id: l.id, otherPersonId: l.personA === p.id ? l.personB : l.personA, state: l.state, distance: l.distance })),
  }));
  return { event, photos: rows.photos, people, devices: rows.devices, deliveries: rows.deliveries };
}
