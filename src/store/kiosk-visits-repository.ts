// Kiosk visits as the organiser's records read them: each session with the consent it started
// on, what went home (gallery link, deliveries) and what is still kept of the attendee.
import type { Database } from 'better-sqlite3';
import type { DeliveryChannel, DeliveryState } from './galleries-repository.js';
import type { KioskSessionState } from './kiosks-repository.js';

export interface KioskVisit {
  sessionId: string;
  eventId: number;
  kioskName: string | null;
  state: KioskSessionState;
  /** The session starts only after the attendee consented on the kiosk: this is when. */
  consentedAt: number;
  endedAt: number | null;
  /** Asked for new photos of them (the selfie descriptor kept until followUntil). */
  notifyOptIn: boolean;
  followUntil: number | null;
  selfieKept: boolean;
  /** The contact the attendee left, as stored now (null: none left, or deleted). */
  contact: string | null;
  matchedPhotoIds: number[];
  gallery: { photoIds: number[]; createdAt: number; expiresAt: number } | null;
  deliveries: {
    id: number;
    channel: DeliveryChannel;
    address: string;
    state: DeliveryState;
    photoIds: number[];
    createdAt: number;
    sentAt: number | null;
    error: string | null;
  }[];
}

interface VisitRow {
  id: string;
  event_id: number;
  kiosk_name: string | null;
  state: KioskSessionState;
  created_at: number;
  ended_at: number | null;
  notify_opt_in: number;
  follow_until: number | null;
  selfie_kept: number;
  contact: string | null;
  matched_photo_ids_json: string;
}

interface LinkRow {
  kiosk_session_id: string;
  photo_ids_json: string;
  created_at: number;
  expires_at: number;
}

interface DeliveryRow {
  id: number;
  kiosk_session_id: string;
  channel: DeliveryChannel;
  address: string;
  state: DeliveryState;
  photo_ids_json: string;
  created_at: number;
  sent_at: number | null;
  error: string | null;
}

const ids = (json: string): number[] => JSON.parse(json) as number[];

export function createKioskVisitsRepository(db: Database) {
  const visits = db.prepare<[number], VisitRow>(
    `SELECT s.id, s.event_id, k.name AS kiosk_name, s.state, s.created_at, s.ended_at, s.notify_opt_in, s.follow_until,
            s.selfie_embedding IS NOT NULL AS selfie_kept, s.contact, s.matched_photo_ids_json
       FROM kiosk_sessions s LEFT JOIN kiosk_devices k ON k.id = s.kiosk_id
      WHERE s.event_id = ? ORDER BY s.created_at, s.id`,
  );
  const links = db.prepare<[number], LinkRow>(
    `SELECT kiosk_session_id, photo_ids_json, created_at, expires_at FROM gallery_links
      WHERE event_id = ? AND kiosk_session_id IS NOT NULL ORDER BY created_at`,
  );
  const deliveries = db.prepare<[number], DeliveryRow>(
    `SELECT id, kiosk_session_id, channel, address, state, photo_ids_json, created_at, sent_at, error FROM deliveries
      WHERE event_id = ? AND kiosk_session_id IS NOT NULL ORDER BY created_at, id`,
  );

  return {
    /** Every kiosk visit of the event, oldest first, with its gallery link and deliveries. */
    visitsOfEvent(eventId: number): KioskVisit[] {
      const linkOf = new Map(links.all(eventId).map((l) => [l.kiosk_session_id, l]));
      const deliveriesOf = new Map<string, KioskVisit['deliveries']>();
      for (const d of deliveries.all(eventId)) {
        const list = deliveriesOf.get(d.kiosk_session_id) ?? [];
        list.push({
          id: d.id,
          channel: d.channel,
          address: d.address,
          state: d.state,
          photoIds: ids(d.photo_ids_json),
          createdAt: d.created_at,
          sentAt: d.sent_at,
          error: d.error,
        });
        deliveriesOf.set(d.kiosk_session_id, list);
      }
      return visits.all(eventId).map((r) => {
        const link = linkOf.get(r.id);
        return {
          sessionId: r.id,
          eventId: r.event_id,
          kioskName: r.kiosk_name,
          state: r.state,
          consentedAt: r.created_at,
          endedAt: r.ended_at,
          notifyOptIn: r.notify_opt_in === 1,
          followUntil: r.follow_until,
          selfieKept: r.selfie_kept === 1,
          contact: r.contact,
          matchedPhotoIds: ids(r.matched_photo_ids_json),
          gallery: link ? { photoIds: ids(link.photo_ids_json), createdAt: link.created_at, expiresAt: link.expires_at } : null,
          deliveries: deliveriesOf.get(r.id) ?? [],
        };
      });
    },
  };
}

export type KioskVisitsRepository = ReturnType<typeof createKioskVisitsRepository>;
