// Attendee gallery links (stored by token hash) and the deliveries attendees asked for.
import type { Database } from 'better-sqlite3';

export interface GalleryLink {
  eventId: number;
  kioskSessionId: string | null;
  photoIds: number[];
  createdAt: number;
  expiresAt: number;
}

export type DeliveryChannel = 'email' | 'sms' | 'link';
export type DeliveryState = 'waiting' | 'sent' | 'failed';

export interface Delivery {
  id: number;
  eventId: number;
  kioskSessionId: string | null;
  channel: DeliveryChannel;
  address: string;
  state: DeliveryState;
  photoIds: number[];
  error: string | null;
  createdAt: number;
  sentAt: number | null;
  /** The session is kept to add new photos of the attendee. */
  followsNewPhotos: boolean;
}

interface LinkRow {
  event_id: number;
  kiosk_session_id: string | null;
  photo_ids_json: string;
  created_at: number;
  expires_at: number;
}

interface DeliveryRow {
  id: number;
  event_id: number;
  kiosk_session_id: string | null;
  channel: DeliveryChannel;
  address: string;
  state: DeliveryState;
  photo_ids_json: string;
  error: string | null;
  created_at: number;
  sent_at: number | null;
  follows: number;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  eventId: r.event_id,
  kioskSessionId: r.kiosk_session_id,
  channel: r.channel,
  address: r.address,
  state: r.state,
  photoIds: JSON.parse(r.photo_ids_json) as number[],
  error: r.error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  followsNewPhotos: r.follows === 1,
});

/** Ids of `existing` followed by those of `added` not already there. */
const union = (existing: readonly number[], added: readonly number[]): number[] => [...new Set([...existing, ...added])];

export function createGalleriesRepository(db: Database) {
  const insertLink = db.prepare(
    'INSERT INTO gallery_links (token_hash, event_id, kiosk_session_id, photo_ids_json, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const linkByHash = db.prepare<[string], LinkRow>(
    'SELECT event_id, kiosk_session_id, photo_ids_json, created_at, expires_at FROM gallery_links WHERE token_hash = ?',
  );
  const linksOfSession = db.prepare<[string], { token_hash: string; photo_ids_json: string }>(
    'SELECT token_hash, photo_ids_json FROM gallery_links WHERE kiosk_session_id = ?',
  );
  const setLinkPhotos = db.prepare('UPDATE gallery_links SET photo_ids_json = ? WHERE token_hash = ?');
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (event_id, kiosk_session_id, channel, address, state, photo_ids_json, created_at)
     VALUES (?, ?, ?, ?, 'waiting', ?, ?)`,
  );
  const deliverySelect = `
    SELECT d.*, CASE WHEN s.follow_until IS NOT NULL OR (s.notify_opt_in = 1 AND s.state != 'ended') THEN 1 ELSE 0 END AS follows
    FROM deliveries d LEFT JOIN kiosk_sessions s ON s.id = d.kiosk_session_id`;
  const deliveriesOfEvent = db.prepare<[number, number], DeliveryRow>(
    `${deliverySelect} WHERE d.event_id = ? ORDER BY d.created_at DESC, d.id DESC LIMIT ?`,
  );
  const deliveryById = db.prepare<[number], DeliveryRow>(`${deliverySelect} WHERE d.id = ?`);
  const deliveriesOfSession = db.prepare<[string], { id: number; photo_ids_json: string }>(
    `SELECT id, photo_ids_json FROM deliveries WHERE kiosk_session_id = ? AND state = 'waiting'`,
  );
  const setDeliveryPhotos = db.prepare('UPDATE deliveries SET photo_ids_json = ? WHERE id = ?');
  const updateDelivery = db.prepare('UPDATE deliveries SET channel = ?, address = ?, photo_ids_json = ? WHERE id = ?');

  return {
    addLink(
      tokenHash: string,
      eventId: number,
      kioskSessionId: string | null,
      photoIds: readonly number[],
      now: number,
      expiresAt: number,
    ): void {
      insertLink.run(tokenHash, eventId, kioskSessionId, JSON.stringify(photoIds), now, expiresAt);
    },
    linkByTokenHash(tokenHash: string): GalleryLink | undefined {
      const r = linkByHash.get(tokenHash);
      return r
        ? {
            eventId: r.event_id,
            kioskSessionId: r.kiosk_session_id,
            photoIds: JSON.parse(r.photo_ids_json) as number[],
            createdAt: r.created_at,
            expiresAt: r.expires_at,
          }
        : undefined;
    },
    addDelivery(
      eventId: number,
      kioskSessionId: string | null,
      channel: DeliveryChannel,
      address: string,
      photoIds: readonly number[],
      now: number,
    ): number {
      return Number(insertDelivery.run(eventId, kioskSessionId, channel, address, JSON.stringify(photoIds), now).lastInsertRowid);
    },
    /**
     * Every gallery link a kiosk session minted shows these photos: a session minted a second link
     * when the laptop restarted mid-visit (only a link's hash is kept, so the first cannot be
     * handed out again), and a link she scanned before must not keep her earlier choice.
     */
    setSessionLinkPhotos(kioskSessionId: string, photoIds: readonly number[]): void {
      db.transaction(() => {
        for (const l of linksOfSession.all(kioskSessionId)) setLinkPhotos.run(JSON.stringify(photoIds), l.token_hash);
      })();
    },
    /** The session's waiting delivery, created or changed (one per attendee, whatever they retyped). */
    saveSessionDelivery(
      eventId: number,
      kioskSessionId: string,
      channel: DeliveryChannel,
      address: string,
      photoIds: readonly number[],
      now: number,
    ): number {
      return db.transaction(() => {
        const existing = deliveriesOfSession.all(kioskSessionId)[0];
        if (!existing)
          return Number(insertDelivery.run(eventId, kioskSessionId, channel, address, JSON.stringify(photoIds), now).lastInsertRowid);
        updateDelivery.run(channel, address, JSON.stringify(photoIds), existing.id);
        return existing.id;
      })();
    },
    getDelivery(id: number): Delivery | undefined {
      const r = deliveryById.get(id);
      return r ? toDelivery(r) : undefined;
    },
    listDeliveries(eventId: number, limit = 500): Delivery[] {
      return deliveriesOfEvent.all(eventId, limit).map(toDelivery);
    },
    /**
     * New photos of an opted-in attendee join their gallery links and waiting deliveries.
     * Returns the ids of the deliveries that changed.
     */
    addPhotosForSession(kioskSessionId: string, photoIds: readonly number[]): number[] {
      return db.transaction(() => {
        for (const l of linksOfSession.all(kioskSessionId)) {
          setLinkPhotos.run(JSON.stringify(union(JSON.parse(l.photo_ids_json) as number[], photoIds)), l.token_hash);
        }
        const changed: number[] = [];
        for (const d of deliveriesOfSession.all(kioskSessionId)) {
          setDeliveryPhotos.run(JSON.stringify(union(JSON.parse(d.photo_ids_json) as number[], photoIds)), d.id);
          changed.push(d.id);
        }
        return changed;
      })();
    },
  };
}

export type GalleriesRepository = ReturnType<typeof createGalleriesRepository>;
