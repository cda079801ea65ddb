// Kiosk devices, one-time pairing codes and kiosk sessions. Codes and device tokens arrive
// here already hashed; this module never sees a usable secret.
import type { Database } from 'better-sqlite3';

export interface KioskDevice {
  id: number;
  eventId: number;
  name: string;
  pairedAt: number;
  lastSeenAt: number | null;
}

export type KioskSessionState = 'consented' | 'searching' | 'matched' | 'ended';

export interface KioskSession {
  id: string;
  eventId: number;
  kioskId: number | null;
  state: KioskSessionState;
  notifyOptIn: boolean;
  contact: string | null;
  selfieEmbedding: Float32Array | null;
  matchedPhotoIds: number[];
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
  followUntil: number | null;
}

/** A session kept after its end because the attendee asked for new photos of them. */
export interface FollowingSession {
  id: string;
  embedding: Float32Array;
  matchedPhotoIds: number[];
  /**
   * Her faces in the photos she got, when her description came from an earlier face network
   * (migration 0016): her description is rebuilt from them as they are described again. Null
   * when her description is current.
   */
  anchors: FollowerAnchor[] | null;
  /** Her faces in the "Maybe you?" photos she took home (migration 0017): she said they are hers. */
  chosenFaces: ChosenFace[];
}

/** A face an attendee said is hers by taking its "Maybe you?" photo home, by place (as anchors are). */
export interface ChosenFace {
  photoId: number;
  box: FollowerAnchor['box'];
}

/** A photo a running session showed, with the face it matched by; `maybe` once shown under "Maybe you?" (migration 0018). */
export interface ShownFace {
  photoId: number;
  faceId: number;
  maybe: boolean;
}

/** One of her faces, by place; `faceId` once that photo's faces were described again. */
export interface FollowerAnchor {
  photoId: number;
  box: [x: number, y: number, width: number, height: number];
  faceId: number | null;
}

interface DeviceRow {
  id: number;
  event_id: number;
  name: string;
  paired_at: number;
  last_seen_at: number | null;
}

interface SessionRow {
  id: string;
  event_id: number;
  kiosk_id: number | null;
  state: KioskSessionState;
  notify_opt_in: number;
  contact: string | null;
  selfie_embedding: Buffer | null;
  matched_photo_ids_json: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  follow_until: number | null;
  follow_anchors_json: string | null;
  chosen_faces_json: string | null;
  shown_faces_json: string | null;
}

const toDevice = (r: DeviceRow): KioskDevice => ({
  id: r.id,
  eventId: r.event_id,
  name: r.name,
  pairedAt: r.paired_at,
  lastSeenAt: r.last_seen_at,
});

/** Copies out of the row's Buffer: its memory may be reused and need not be 4-byte aligned. */
const fromBlob = (b: Buffer): Float32Array => {
  const out = new Float32Array(b.byteLength / Float32Array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(b);
  return out;
};
const toBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

const toSession = (r: SessionRow): KioskSession => ({
  id: r.id,
  eventId: r.event_id,
  kioskId: r.kiosk_id,
  state: r.state,
  notifyOptIn: r.notify_opt_in === 1,
  contact: r.contact,
  selfieEmbedding: r.selfie_embedding ? fromBlob(r.selfie_embedding) : null,
  matchedPhotoIds: JSON.parse(r.matched_photo_ids_json) as number[],
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  endedAt: r.ended_at,
  followUntil: r.follow_until,
});

export function createKiosksRepository(db: Database) {
  const insertCode = db.prepare('INSERT INTO pairing_codes (code_hash, event_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
  const useCode = db.prepare<[number, string, number], { event_id: number }>(
    'UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING event_id',
  );
  const dropOldCodes = db.prepare('DELETE FROM pairing_codes WHERE expires_at < ?');
  const dropUnusedCodes = db.prepare('DELETE FROM pairing_codes WHERE used_at IS NULL');
  const insertDevice = db.prepare('INSERT INTO kiosk_devices (event_id, name, token_hash, paired_at) VALUES (?, ?, ?, ?)');
  const deviceByToken = db.prepare<[string], DeviceRow>(
    'SELECT id, event_id, name, paired_at, last_seen_at FROM kiosk_devices WHERE token_hash = ? AND revoked_at IS NULL',
  );
  const touch = db.prepare('UPDATE kiosk_devices SET last_seen_at = ? WHERE id = ?');
  const devicesOfEvent = db.prepare<[number], DeviceRow>(
    'SELECT id, event_id, name, paired_at, last_seen_at FROM kiosk_devices WHERE event_id = ? AND revoked_at IS NULL ORDER BY paired_at, id',
  );
  const revoke = db.prepare('UPDATE kiosk_devices SET revoked_at = ? WHERE id = ? AND event_id = ? AND revoked_at IS NULL');
  const sessionsSince = db.prepare<[number, number], { n: number }>(
    'SELECT COUNT(*) AS n FROM kiosk_sessions WHERE kiosk_id = ? AND created_at >= ?',
  );

  const insertSession = db.prepare(
    `INSERT INTO kiosk_sessions (id, event_id, kiosk_id, state, created_at, expires_at) VALUES (?, ?, ?, 'consented', ?, ?)`,
  );
  const sessionById = db.prepare<[string], SessionRow>('SELECT * FROM kiosk_sessions WHERE id = ?');
  const setMatched = db.prepare(
    `UPDATE kiosk_sessions SET state = 'matched', selfie_embedding = ?, matched_photo_ids_json = ? WHERE id = ? AND state != 'ended'`,
  );
  const setTakeHome = db.prepare('UPDATE kiosk_sessions SET notify_opt_in = ?, contact = ? WHERE id = ?');
  const endStmt = db.prepare(
    `UPDATE kiosk_sessions SET state = 'ended', ended_at = ?, follow_until = ?,
       selfie_embedding = CASE WHEN ? IS NULL THEN NULL ELSE selfie_embedding END,
       chosen_faces_json = CASE WHEN ? IS NULL THEN NULL ELSE chosen_faces_json END,
       shown_faces_json = NULL
     WHERE id = ? AND state != 'ended'`,
  );
  const following = db.prepare<[number, number], SessionRow>(
    'SELECT * FROM kiosk_sessions WHERE event_id = ? AND follow_until > ? AND selfie_embedding IS NOT NULL',
  );
  const setMatches = db.prepare('UPDATE kiosk_sessions SET matched_photo_ids_json = ? WHERE id = ?');
  const abandoned = db.prepare<[number], { id: string }>(`SELECT id FROM kiosk_sessions WHERE state != 'ended' AND expires_at < ?`);
  const forgetFollowed = db.prepare(
    `UPDATE kiosk_sessions SET selfie_embedding = NULL, follow_until = NULL, follow_anchors_json = NULL, chosen_faces_json = NULL
      WHERE follow_until IS NOT NULL AND follow_until <= ?`,
  );
  const setChosenFaces = db.prepare(`UPDATE kiosk_sessions SET chosen_faces_json = ? WHERE id = ? AND state != 'ended'`);
  const setShownFaces = db.prepare(`UPDATE kiosk_sessions SET shown_faces_json = ? WHERE id = ? AND state != 'ended'`);
  const shownFaces = db.prepare<[string], { shown_faces_json: string | null }>('SELECT shown_faces_json FROM kiosk_sessions WHERE id = ?');
  const setAnchors = db.prepare('UPDATE kiosk_sessions SET follow_anchors_json = ? WHERE id = ? AND selfie_embedding IS NOT NULL');
  const setDescription = db.prepare(
    'UPDATE kiosk_sessions SET selfie_embedding = ?, follow_anchors_json = ? WHERE id = ? AND selfie_embedding IS NOT NULL',
  );

  return {
    /**
     * The one live code: a new code voids every unused one (of any event), so a guesser always
     * faces one code in a million however often the operator pressed "New code".
     */
    addPairingCode: db.transaction((eventId: number, codeHash: string, now: number, expiresAt: number): void => {
      dropOldCodes.run(now);
      dropUnusedCodes.run();
      insertCode.run(codeHash, eventId, now, expiresAt);
    }),
    /** The event the code pairs with, once: a used or expired code gives undefined. */
    redeemPairingCode(codeHash: string, now: number): number | undefined {
      return useCode.get(now, codeHash, now)?.event_id;
    },
    addDevice(eventId: number, name: string, tokenHash: string, now: number): number {
      return Number(insertDevice.run(eventId, name, tokenHash, now).lastInsertRowid);
    },
    deviceByTokenHash(tokenHash: string): KioskDevice | undefined {
      const row = deviceByToken.get(tokenHash);
      return row ? toDevice(row) : undefined;
    },
    touchDevice(id: number, now: number): void {
      touch.run(now, id);
    },
    listDevices(eventId: number): KioskDevice[] {
      return devicesOfEvent.all(eventId).map(toDevice);
    },
    /** false when there is no such paired kiosk in the event. */
    revokeDevice(eventId: number, id: number, now: number): boolean {
      return revoke.run(now, id, eventId).changes > 0;
    },
    countSessionsSince(kioskId: number, since: number): number {
      return sessionsSince.get(kioskId, since)?.n ?? 0;
    },

    startSession(id: string, eventId: number, kioskId: number, now: number, expiresAt: number): void {
      insertSession.run(id, eventId, kioskId, now, expiresAt);
    },
    getSession(id: string): KioskSession | undefined {
      const row = sessionById.get(id);
      return row ? toSession(row) : undefined;
    },
    recordMatches(id: string, embedding: Float32Array, photoIds: readonly number[]): void {
      setMatched.run(toBlob(embedding), JSON.stringify(photoIds), id);
    },
    recordTakeHome(id: string, notifyOptIn: boolean, contact: string | null): void {
      setTakeHome.run(notifyOptIn ? 1 : 0, contact, id);
    },
    /**
     * Ends the session; its embedding and chosen faces are deleted now unless `followUntil` keeps
     * them for new photos, and what it showed is deleted in any case.
     */
    endSession(id: string, followUntil: number | null, now: number): boolean {
      return endStmt.run(now, followUntil, followUntil, followUntil, id).changes > 0;
    },
    followingSessions(eventId: number, now: number): FollowingSession[] {
      return following.all(eventId, now).map((r) => ({
        id: r.id,
        embedding: fromBlob(r.selfie_embedding!),
        matchedPhotoIds: JSON.parse(r.matched_photo_ids_json) as number[],
        anchors: r.follow_anchors_json === null ? null : (JSON.parse(r.follow_anchors_json) as FollowerAnchor[]),
        chosenFaces: r.chosen_faces_json === null ? [] : (JSON.parse(r.chosen_faces_json) as ChosenFace[]),
      }));
    },
    /** What a running session showed (replacing what it showed before); deleted when it ends. */
    recordShownFaces(id: string, faces: readonly ShownFace[]): void {
      setShownFaces.run(faces.length ? JSON.stringify(faces) : null, id);
    },
    /** What the session showed while it ran; nothing once it ended. */
    shownFacesOf(id: string): ShownFace[] {
      const json = shownFaces.get(id)?.shown_faces_json;
      return json ? (JSON.parse(json) as ShownFace[]) : [];
    },
    /** Her faces in the "Maybe you?" photos she took home, while her session runs (replacing any before). */
    recordChosenFaces(id: string, faces: readonly ChosenFace[]): void {
      setChosenFaces.run(faces.length ? JSON.stringify(faces) : null, id);
    },
    /** Notes (or updates) her faces to rebuild her description from; see FollowingSession.anchors. */
    setFollowerAnchors(id: string, anchors: readonly FollowerAnchor[]): void {
      setAnchors.run(JSON.stringify(anchors), id);
    },
    /** Her description rebuilt, in the current network's terms, from the anchors found so far. */
    rebuildFollowerDescription(id: string, embedding: Float32Array, anchors: readonly FollowerAnchor[]): void {
      setDescription.run(toBlob(embedding), JSON.stringify(anchors), id);
    },
    setMatchedPhotos(id: string, photoIds: readonly number[]): void {
      setMatches.run(JSON.stringify(photoIds), id);
    },
    /** Sessions a kiosk left without ending (a crash, a pulled plug). */
    abandonedSessionIds(now: number): string[] {
      return abandoned.all(now).map((r) => r.id);
    },
    /** Deletes the embeddings of opted-in attendees whose retention has run out. */
    forgetExpiredFollowers(now: number): number {
      return forgetFollowed.run(now).changes;
    },
  };
}

export type KiosksRepository = ReturnType<typeof createKiosksRepository>;
