// Sync to a cloud endpoint: the device id, each event's enrolment, the operation log (appended
// with sequence numbers from a counter, in one transaction with the digests of what was sent),
// the blobs the endpoint should hold with their resumable upload state, and the rows an event's
// operations are made from, read in a few set-based queries.
import type { Database } from 'better-sqlite3';

export type SyncRunState = 'idle' | 'syncing' | 'offline' | 'error';
export type SyncBlobKind = 'thumb' | 'preview' | 'original';
export type SyncEntityKind = 'photo' | 'person' | 'face' | 'gallery' | 'delivery';

export interface SyncEnrolment {
  eventId: number;
  /** The device id the endpoint knows this event by; null for an event enrolled before each event had its own (the laptop's). */
  deviceId: string | null;
  endpoint: string;
  cloudEventId: string;
  cloudEventName: string;
  publicBaseUrl: string;
  deviceName: string;
  uploadOriginals: boolean;
  cloudFaceSearch: boolean;
  /** The sequence number the endpoint expects next from this device. */
  nextSeq: number;
  ackedSeq: number;
  hlc: { wall: number; counter: number };
  paused: boolean;
  bandwidthCap: number | null;
  state: SyncRunState;
  lastError: string | null;
  lastSyncedAt: number | null;
  bytesSent: number;
  enrolledAt: number;
}

/** What an enrolment starts with: the endpoint's answer and the device id it was made for. */
export type NewSyncEnrolment = Pick<
  SyncEnrolment,
  | 'eventId'
  | 'endpoint'
  | 'cloudEventId'
  | 'cloudEventName'
  | 'publicBaseUrl'
  | 'deviceName'
  | 'uploadOriginals'
  | 'cloudFaceSearch'
  | 'nextSeq'
> & {
  /** The device id this event was enrolled as. */
  deviceId: string;
};

export interface StoredSyncOp {
  seq: number;
  kind: string;
  /** The whole operation as sent (seq and hlc included). */
  json: string;
}

/** The digest of what was last put in the log for one entity. */
export interface SentDigest {
  entityKind: SyncEntityKind;
  entityKey: string;
  digest: string;
}

/** What one differ run puts in the log, decided from the enrolment row and the last digests. */
export interface SyncChangePlan {
  ops: { kind: string; json: string }[];
  /** Digests to record (a put) or forget (null: a remove). */
  digests: { entityKind: SyncEntityKind; entityKey: string; digest: string | null }[];
  hlc: { wall: number; counter: number };
  blobs: NewSyncBlob[];
  /** Files of photos an attendee now waits for (a new take-home link): they move up the queue if still waiting. */
  waitedFor?: readonly string[];
}

export interface NewSyncBlob {
  sha256: string;
  kind: SyncBlobKind;
  size: number;
  /** Absolute, or relative to the data dir. */
  path: string;
  contentType: string;
  /** A photo of a take-home link or a delivery: an attendee is waiting, it goes before the rest. */
  waitedFor: boolean;
}

export interface SyncBlob extends NewSyncBlob {
  uploadId: string | null;
  partSize: number | null;
  partCount: number | null;
}

export interface SyncPhotoRow {
  id: number;
  sha256: string;
  fileName: string;
  path: string;
  sizeBytes: number | null;
  capturedAt: number | null;
  width: number | null;
  height: number | null;
  format: string | null;
  /** The shared thumbnail and preview (relative to the data dir), before any blurring for attendees. */
  thumbnailPath: string | null;
  previewPath: string | null;
}

/** A media file's content hash, valid while its size and modification time are these (mtime in whole ms). */
export interface MediaHash {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** A media file's content hash under its absolute path, the key the differ looks it up by. */
export interface MediaFileHash extends MediaHash {
  path: string;
}

export interface SyncFaceRow {
  id: number;
  photoSha256: string;
  box: [number, number, number, number];
  personId: number | null;
}

export interface SyncPersonRow {
  id: number;
  name: string | null;
  doNotPublish: boolean;
}

export interface SyncLinkRow {
  tokenHash: string;
  photoIds: number[];
  createdAt: number;
  expiresAt: number;
}

export interface SyncDeliveryRow {
  id: number;
  channel: 'email' | 'sms';
  address: string;
  galleryTokenHash: string | null;
  photoIds: number[];
  createdAt: number;
}

/** An event's current state, as the operations describe it. */
export interface SyncSourceRows {
  photos: SyncPhotoRow[];
  faces: SyncFaceRow[];
  persons: SyncPersonRow[];
  links: SyncLinkRow[];
  deliveries: SyncDeliveryRow[];
}

interface PhotoRow {
  id: number;
  sha256: string;
  file_name: string;
  path: string;
  size_bytes: number | null;
  captured_at: number | null;
  width: number | null;
  height: number | null;
  format: string | null;
  thumbnail_path: string | null;
  preview_path: string | null;
}

interface FaceRow {
  id: number;
  sha256: string;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
  person_id: number | null;
}

const toPhoto = (r: PhotoRow): SyncPhotoRow => ({
  id: r.id,
  sha256: r.sha256,
  fileName: r.file_name,
  path: r.path,
  sizeBytes: r.size_bytes,
  capturedAt: r.captured_at,
  width: r.width,
  height: r.height,
  format: r.format,
  thumbnailPath: r.thumbnail_path,
  previewPath: r.preview_path,
});

const toFace = (r: FaceRow): SyncFaceRow => ({
  id: r.id,
  photoSha256: r.sha256,
  box: [r.box_x, r.box_y, r.box_w, r.box_h],
  personId: r.person_id,
});

interface EnrolmentRow {
  event_id: number;
  device_id: string | null;
  endpoint: string;
  cloud_event_id: string;
  cloud_event_name: string;
  public_base_url: string;
  device_name: string;
  upload_originals: number;
  cloud_face_search: number;
  next_seq: number;
  acked_seq: number;
  hlc_wall: number;
  hlc_counter: number;
  paused: number;
  bandwidth_cap: number | null;
  state: SyncRunState;
  last_error: string | null;
  last_synced_at: number | null;
  bytes_sent: number;
  enrolled_at: number;
}

const toEnrolment = (r: EnrolmentRow): SyncEnrolment => ({
  eventId: r.event_id,
  deviceId: r.device_id,
  endpoint: r.endpoint,
  cloudEventId: r.cloud_event_id,
  cloudEventName: r.cloud_event_name,
  publicBaseUrl: r.public_base_url,
  deviceName: r.device_name,
  uploadOriginals: r.upload_originals === 1,
  cloudFaceSearch: r.cloud_face_search === 1,
  nextSeq: r.next_seq,
  ackedSeq: r.acked_seq,
  hlc: { wall: r.hlc_wall, counter: r.hlc_counter },
  paused: r.paused === 1,
  bandwidthCap: r.bandwidth_cap,
  state: r.state,
  lastError: r.last_error,
  lastSyncedAt: r.last_synced_at,
  bytesSent: r.bytes_sent,
  enrolledAt: r.enrolled_at,
});

interface BlobRow {
  sha256: string;
  kind: SyncBlobKind;
  size: number;
  path: string;
  content_type: string;
  upload_id: string | null;
  part_size: number | null;
  part_count: number | null;
  waited_for: number;
}

const toBlob = (r: BlobRow): SyncBlob => ({
  sha256: r.sha256,
  kind: r.kind,
  size: r.size,
  path: r.path,
  contentType: r.content_type,
  uploadId: r.upload_id,
  partSize: r.part_size,
  partCount: r.part_count,
  waitedFor: r.waited_for === 1,
});

/** Thumbnails first (what an attendee sees first), then previews, then originals. */
const BLOB_ORDER = `CASE kind WHEN 'thumb' THEN 0 WHEN 'preview' THEN 1 ELSE 2 END`;

export function createSyncRepository(db: Database) {
  const deviceRow = db.prepare<[], { device_id: string }>('SELECT device_id FROM sync_device WHERE id = 1');
  const insertDevice = db.prepare('INSERT INTO sync_device (id, device_id, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING');
  const enrolmentOf = db.prepare<[number], EnrolmentRow>('SELECT * FROM sync_enrolments WHERE event_id = ?');
  const allEnrolments = db.prepare<[], EnrolmentRow>('SELECT * FROM sync_enrolments ORDER BY event_id');
  const deleteEnrolment = db.prepare('DELETE FROM sync_enrolments WHERE event_id = ?');
  const insertEnrolment = db.prepare(
    `INSERT INTO sync_enrolments (event_id, device_id, endpoint, cloud_event_id, cloud_event_name, public_base_url, device_name,
       upload_originals, cloud_face_search, next_seq, acked_seq, hlc_wall, hlc_counter, paused, bandwidth_cap, enrolled_at)
     VALUES (@eventId, @deviceId, @endpoint, @cloudEventId, @cloudEventName, @publicBaseUrl, @deviceName,
       @uploadOriginals, @cloudFaceSearch, @nextSeq, @nextSeq - 1, @hlcWall, @hlcCounter, @paused, @bandwidthCap, @now)`,
  );
  const updatePolicy = db.prepare(
    `UPDATE sync_enrolments SET cloud_event_name = ?, public_base_url = ?, upload_originals = ?, cloud_face_search = ? WHERE event_id = ?`,
  );
  const sentDigests = db.prepare<[number], { entity_kind: string; entity_key: string; digest: string }>(
    'SELECT entity_kind, entity_key, digest FROM sync_sent_state WHERE event_id = ?',
  );
  // The digests of a few entities ([kind, key] pairs as a JSON array), by the primary key.
  const sentDigestsOf = db.prepare<[string, number], { entity_kind: string; entity_key: string; digest: string }>(
    // CROSS JOIN keeps json_each outside: one primary-key lookup per entity, not a scan of the event's digests per entity.
    `SELECT s.entity_kind, s.entity_key, s.digest FROM json_each(?) j
       CROSS JOIN sync_sent_state s ON s.event_id = ? AND s.entity_kind = j.value ->> 0 AND s.entity_key = j.value ->> 1`,
  );
  // A page of the event's digests in primary-key order, after the last one read.
  const sentDigestPage = db.prepare<[number, string, string, number], { entity_kind: string; entity_key: string; digest: string }>(
    `SELECT entity_kind, entity_key, digest FROM sync_sent_state
      WHERE event_id = ? AND (entity_kind, entity_key) > (?, ?) ORDER BY entity_kind, entity_key LIMIT ?`,
  );
  const logVersionOf = (row: EnrolmentRow) => `${row.enrolled_at}:${row.next_seq}:${row.hlc_wall}:${row.hlc_counter}`;
  const insertOp = db.prepare('INSERT INTO sync_ops (event_id, seq, kind, op_json, created_at) VALUES (?, ?, ?, ?, ?)');
  const upsertDigest = db.prepare(
    `INSERT INTO sync_sent_state (event_id, entity_kind, entity_key, digest) VALUES (?, ?, ?, ?)
     ON CONFLICT (event_id, entity_kind, entity_key) DO UPDATE SET digest = excluded.digest`,
  );
  const deleteDigest = db.prepare('DELETE FROM sync_sent_state WHERE event_id = ? AND entity_kind = ? AND entity_key = ?');
  const advance = db.prepare('UPDATE sync_enrolments SET next_seq = ?, hlc_wall = ?, hlc_counter = ? WHERE event_id = ?');
  const upsertBlob = db.prepare(
    `INSERT INTO sync_blobs (event_id, sha256, kind, size, path, content_type, added_at, waited_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (event_id, sha256) DO UPDATE SET path = CASE WHEN sync_blobs.upload_id IS NULL THEN excluded.path ELSE sync_blobs.path END,
       waited_for = max(sync_blobs.waited_for, excluded.waited_for)
       WHERE sync_blobs.state = 'pending'`,
  );
  const opsFrom = db.prepare<[number, number, number], { seq: number; kind: string; op_json: string }>(
    'SELECT seq, kind, op_json FROM sync_ops WHERE event_id = ? AND seq >= ? ORDER BY seq LIMIT ?',
  );
  const deleteOpsUpTo = db.prepare('DELETE FROM sync_ops WHERE event_id = ? AND seq <= ?');
  const setAcked = db.prepare('UPDATE sync_enrolments SET acked_seq = max(acked_seq, ?) WHERE event_id = ?');
  const countOps = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM sync_ops WHERE event_id = ?');
  const markWaited = db.prepare(
    `UPDATE sync_blobs SET waited_for = 1 WHERE event_id = ? AND sha256 = ? AND state = 'pending' AND waited_for = 0`,
  );
  const pendingBlobs = db.prepare<[number, number], BlobRow>(
    `SELECT sha256, kind, size, path, content_type, upload_id, part_size, part_count, waited_for FROM sync_blobs
      WHERE event_id = ? AND state = 'pending' ORDER BY waited_for DESC, ${BLOB_ORDER}, added_at, sha256 LIMIT ?`,
  );
  const blobsLeft = db.prepare<[number], { n: number; bytes: number | null }>(
    `SELECT count(*) AS n, sum(size) AS bytes FROM sync_blobs WHERE event_id = ? AND state = 'pending'`,
  );
  const startUpload = db.prepare('UPDATE sync_blobs SET upload_id = ?, part_size = ?, part_count = ? WHERE event_id = ? AND sha256 = ?');
  const forgetParts = db.prepare('DELETE FROM sync_blob_parts WHERE event_id = ? AND sha256 = ?');
  const insertPart = db.prepare(
    `INSERT INTO sync_blob_parts (event_id, sha256, upload_id, part_number, etag) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (event_id, sha256, part_number) DO UPDATE SET etag = excluded.etag, upload_id = excluded.upload_id`,
  );
  const partsOf = db.prepare<[number, string, string], { part_number: number; etag: string }>(
    'SELECT part_number, etag FROM sync_blob_parts WHERE event_id = ? AND sha256 = ? AND upload_id = ? ORDER BY part_number',
  );
  const blobDone = db.prepare(
    `UPDATE sync_blobs SET state = 'uploaded', upload_id = NULL, part_size = NULL, part_count = NULL, uploaded_at = ? WHERE event_id = ? AND sha256 = ?`,
  );
  const dropBlob = db.prepare('DELETE FROM sync_blobs WHERE event_id = ? AND sha256 = ?');
  const setState = db.prepare('UPDATE sync_enrolments SET state = ?, last_error = ? WHERE event_id = ?');
  const setSynced = db.prepare(`UPDATE sync_enrolments SET last_synced_at = ?, state = 'idle', last_error = NULL WHERE event_id = ?`);
  const addBytes = db.prepare('UPDATE sync_enrolments SET bytes_sent = bytes_sent + ? WHERE event_id = ?');
  const setPaused = db.prepare('UPDATE sync_enrolments SET paused = ? WHERE event_id = ?');
  const setCap = db.prepare('UPDATE sync_enrolments SET bandwidth_cap = ? WHERE event_id = ?');
  const hashesOf = db.prepare<[string], { path: string; size: number; mtime_ms: number; sha256: string }>(
    'SELECT path, size, mtime_ms, sha256 FROM media_hashes WHERE path IN (SELECT value FROM json_each(?))',
  );
  const saveHash = db.prepare(
    `INSERT INTO media_hashes (path, size, mtime_ms, sha256) VALUES (?, ?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256`,
  );

  // The rows operations are made from: ready photos with a content hash (a photo still being
  // processed has no thumbnail to show), their faces, the event's persons with their "do not
  // publish" mark, take-home links, and deliveries still waiting to be sent by email or SMS.
  // The event's photos as operations describe them, and their faces, a page of photos at a time
  // (by photo id), for a differ run that gives the event loop back between pages.
  const photoPageRows = db.prepare<[number, number, number], PhotoRow>(
    `SELECT id, sha256, file_name, path, size_bytes, captured_at, width, height, format, thumbnail_path, preview_path FROM photos
      WHERE event_id = ? AND id > ? AND status = 'ready' AND sha256 IS NOT NULL ORDER BY id LIMIT ?`,
  );
  const facePageRows = db.prepare<[number, number, number], FaceRow>(
    `SELECT f.id, p.sha256, f.box_x, f.box_y, f.box_w, f.box_h, f.person_id FROM photos p JOIN faces f ON f.photo_id = p.id
      WHERE p.event_id = ? AND p.id > ? AND p.id <= ? AND p.status = 'ready' AND p.sha256 IS NOT NULL ORDER BY f.id`,
  );
  // The same rows for a few photos just made ready (a JSON array of ids), for a differ run over them alone.
  const readyPhotoRows = db.prepare<[string, number], PhotoRow>(
    `SELECT p.id, p.sha256, p.file_name, p.path, p.size_bytes, p.captured_at, p.width, p.height, p.format, p.thumbnail_path, p.preview_path
       FROM json_each(?) j CROSS JOIN photos p ON p.id = j.value
      WHERE p.event_id = ? AND p.status = 'ready' AND p.sha256 IS NOT NULL ORDER BY p.id`,
  );
  const readyPhotoFaceRows = db.prepare<[string, number], FaceRow>(
    `SELECT f.id, p.sha256, f.box_x, f.box_y, f.box_w, f.box_h, f.person_id FROM json_each(?) j
       CROSS JOIN photos p ON p.id = j.value CROSS JOIN faces f ON f.photo_id = p.id
      WHERE p.event_id = ? AND p.status = 'ready' AND p.sha256 IS NOT NULL ORDER BY f.id`,
  );
  const personRows = db.prepare<[number], { id: number; name: string | null; opted_out: number }>(
    `SELECT p.id, p.name, EXISTS (SELECT 1 FROM publish_opt_outs o WHERE o.person_id = p.id AND o.revoked_at IS NULL) AS opted_out
       FROM persons p WHERE p.event_id = ? ORDER BY p.id`,
  );
  const linkRows = db.prepare<[number], { token_hash: string; photo_ids_json: string; created_at: number; expires_at: number }>(
    'SELECT token_hash, photo_ids_json, created_at, expires_at FROM gallery_links WHERE event_id = ? ORDER BY created_at, token_hash',
  );
  // A delivery's take-home link is the newest link of its kiosk session.
  const deliveryRows = db.prepare<
    [number],
    {
      id: number;
      channel: 'email' | 'sms';
      address: string;
      photo_ids_json: string;
      created_at: number;
      token_hash: string | null;
    }
  >(
    `SELECT d.id, d.channel, d.address, d.photo_ids_json, d.created_at,
            (SELECT l.token_hash FROM gallery_links l WHERE l.kiosk_session_id = d.kiosk_session_id AND d.kiosk_session_id IS NOT NULL
              ORDER BY l.created_at DESC LIMIT 1) AS token_hash
       FROM deliveries d
      WHERE d.event_id = ? AND d.state = 'waiting' AND d.channel IN ('email', 'sms') AND length(d.address) >= 3
      ORDER BY d.id`,
  );
  const descriptors = db.prepare<[bigint], { face_id: number; embedding: Buffer }>(
    'SELECT face_id, embedding FROM face_embeddings WHERE event_id = ?',
  );
  const markDelivery = db.prepare(
    // The consent screen promises the address is deleted once the message is sent.
    `UPDATE deliveries SET state = ?, sent_at = ?, error = ?, address = CASE WHEN ? = 'sent' THEN '' ELSE address END
      WHERE id = ? AND event_id = ? AND state NOT IN ('sent', ?)`,
  );

  /** The event's persons, take-home links and deliveries waiting to go, as operations describe them. */
  const sourceRest = (eventId: number): Pick<SyncSourceRows, 'persons' | 'links' | 'deliveries'> =>
    db.transaction(() => ({
      persons: personRows.all(eventId).map((r) => ({ id: r.id, name: r.name, doNotPublish: r.opted_out === 1 })),
      links: linkRows.all(eventId).map((r) => ({
        tokenHash: r.token_hash,
        photoIds: JSON.parse(r.photo_ids_json) as number[],
        createdAt: r.created_at,
        expiresAt: r.expires_at,
      })),
      deliveries: deliveryRows.all(eventId).map((r) => ({
        id: r.id,
        channel: r.channel,
        address: r.address,
        galleryTokenHash: r.token_hash,
        photoIds: JSON.parse(r.photo_ids_json) as number[],
        createdAt: r.created_at,
      })),
    }))();

  return {
    /** This data dir's device id, made with `make` the first time. */
    deviceId(make: () => string, now: number): string {
      const existing = deviceRow.get();
      if (existing) return existing.device_id;
      insertDevice.run(make(), now);
      return deviceRow.get()!.device_id;
    },

    enrolment(eventId: number): SyncEnrolment | undefined {
      const r = enrolmentOf.get(eventId);
      return r ? toEnrolment(r) : undefined;
    },

    enrolments(): SyncEnrolment[] {
      return allEnrolments.all().map(toEnrolment);
    },

    /**
     * Enrols the event, replacing an earlier enrolment: its log, digests and upload state go with
     * it, so the new endpoint (or the same one again) receives the whole event from `nextSeq`.
     * Pause, bandwidth cap and the clock are kept.
     */
    saveEnrolment(e: NewSyncEnrolment, now: number): SyncEnrolment {
      return db.transaction(() => {
        const before = enrolmentOf.get(e.eventId);
        deleteEnrolment.run(e.eventId);
        insertEnrolment.run({
          ...e,
          uploadOriginals: e.uploadOriginals ? 1 : 0,
          cloudFaceSearch: e.cloudFaceSearch ? 1 : 0,
          paused: before?.paused ?? 0,
          // The clock goes on: stamps after a new enrolment still sort after the earlier ones.
          hlcWall: before?.hlc_wall ?? 0,
          hlcCounter: before?.hlc_counter ?? 0,
          bandwidthCap: before?.bandwidth_cap ?? null,
          now,
        });
        return toEnrolment(enrolmentOf.get(e.eventId)!);
      })();
    },

    /** The endpoint's policy read again (the organiser may have changed it). */
    updatePolicy(
      eventId: number,
      p: { cloudEventName: string; publicBaseUrl: string; uploadOriginals: boolean; cloudFaceSearch: boolean },
    ): void {
      updatePolicy.run(p.cloudEventName, p.publicBaseUrl, p.uploadOriginals ? 1 : 0, p.cloudFaceSearch ? 1 : 0, eventId);
    },

    /**
     * A page of the digests of what was last put in the log, in a fixed order: `after` is the last
     * entity of the page before (null for the first). Read outside appendChanges's transaction, a
     * page at a time, with `logVersion` to tell whether another run wrote meanwhile.
     */
    sentDigestPage(eventId: number, after: readonly [string, string] | null, limit: number): SentDigest[] {
      return sentDigestPage
        .all(eventId, after?.[0] ?? '', after?.[1] ?? '', limit)
        .map((d) => ({ entityKind: d.entity_kind as SyncEntityKind, entityKey: d.entity_key, digest: d.digest }));
    },

    /**
     * What changes whenever a differ run appends to the log or the event is enrolled again (which
     * forgets every digest); null when not enrolled. A run that only forgets digests of links and
     * deliveries leaves it as it was: those carry no operation, so a run that read them before
     * they went forgets them again or leaves them, and appends nothing either way.
     */
    logVersion(eventId: number): string | null {
      const row = enrolmentOf.get(eventId);
      return row ? logVersionOf(row) : null;
    },

    /**
     * One differ run, in one transaction: `plan` sees the enrolment and the digests of what was
     * last put in the log, and returns the operations to append (without seq), the digests to
     * record, the clock's new state and the blobs the operations refer to. Sequence numbers come
     * from the enrolment's counter here. Returns how many operations were appended, and the log's
     * version after them (null when the event is not enrolled).
     */
    appendChanges(
      eventId: number,
      now: number,
      plan: (enrolment: SyncEnrolment, sent: Map<string, string>) => SyncChangePlan,
      /** Only these entities' digests (a run over a few photos): reading all 9,000 of an event was most of such a run. */
      only?: readonly (readonly [SyncEntityKind, string])[],
      /**
       * The digests as the caller read them (sentDigestPage) while the log was at `version`: used
       * as they are when no run has appended since, else read again here. Reading all 125,000 of
       * an event of 25,000 photos in here held the main thread 0.25 s in one piece.
       */
      asRead?: { version: string; sent: Map<string, string> },
    ): { appended: number; version: string | null } {
      return db.transaction(() => {
        const row = enrolmentOf.get(eventId);
        if (!row) return { appended: 0, version: null };
        let sent: Map<string, string>;
        if (asRead && asRead.version === logVersionOf(row)) sent = asRead.sent;
        else {
          sent = new Map<string, string>();
          const digests = only ? sentDigestsOf.iterate(JSON.stringify(only), eventId) : sentDigests.iterate(eventId);
          for (const d of digests) sent.set(`${d.entity_kind}:${d.entity_key}`, d.digest);
        }
        const enrolment = toEnrolment(row);
        const changes = plan(enrolment, sent);
        let seq = enrolment.nextSeq;
        for (const op of changes.ops) {
          // The seq goes first so the stored text is the operation exactly as sent.
          insertOp.run(eventId, seq, op.kind, `{"seq":${seq},${op.json.slice(1)}`, now);
          seq++;
        }
        for (const d of changes.digests) {
          if (d.digest === null) deleteDigest.run(eventId, d.entityKind, d.entityKey);
          else upsertDigest.run(eventId, d.entityKind, d.entityKey, d.digest);
        }
        for (const b of changes.blobs) upsertBlob.run(eventId, b.sha256, b.kind, b.size, b.path, b.contentType, now, b.waitedFor ? 1 : 0);
        for (const sha of changes.waitedFor ?? []) markWaited.run(eventId, sha);
        advance.run(seq, changes.hlc.wall, changes.hlc.counter, eventId);
        return { appended: changes.ops.length, version: logVersionOf(enrolmentOf.get(eventId)!) };
      })();
    },

    /** Operations from `fromSeq` on, in order. */
    opsFrom(eventId: number, fromSeq: number, limit: number): StoredSyncOp[] {
      return opsFrom.all(eventId, fromSeq, limit).map((r) => ({ seq: r.seq, kind: r.kind, json: r.op_json }));
    },

    /** The endpoint holds every operation up to `seq`: they leave the log. */
    acknowledge(eventId: number, seq: number): void {
      db.transaction(() => {
        deleteOpsUpTo.run(eventId, seq);
        setAcked.run(seq, eventId);
      })();
    },

    opsLeft(eventId: number): number {
      return countOps.get(eventId)!.n;
    },

    pendingBlobs(eventId: number, limit: number): SyncBlob[] {
      return pendingBlobs.all(eventId, limit).map(toBlob);
    },

    blobsLeft(eventId: number): { count: number; bytes: number } {
      const r = blobsLeft.get(eventId)!;
      return { count: r.n, bytes: r.bytes ?? 0 };
    },

    /** A multipart upload began: recorded before its first part goes, so a restart resumes it. */
    uploadStarted(eventId: number, sha256: string, upload: { uploadId: string; partSize: number; partCount: number }): void {
      db.transaction(() => {
        forgetParts.run(eventId, sha256);
        startUpload.run(upload.uploadId, upload.partSize, upload.partCount, eventId, sha256);
      })();
    },

    /** The endpoint no longer knows the upload: the next attempt starts a new one. */
    forgetUpload(eventId: number, sha256: string): void {
      db.transaction(() => {
        forgetParts.run(eventId, sha256);
        startUpload.run(null, null, null, eventId, sha256);
      })();
    },

    partDone(eventId: number, sha256: string, uploadId: string, partNumber: number, etag: string): void {
      insertPart.run(eventId, sha256, uploadId, partNumber, etag);
    },

    partsDone(eventId: number, sha256: string, uploadId: string): { partNumber: number; etag: string }[] {
      return partsOf.all(eventId, sha256, uploadId).map((r) => ({ partNumber: r.part_number, etag: r.etag }));
    },

    blobUploaded(eventId: number, sha256: string, now: number): void {
      db.transaction(() => {
        forgetParts.run(eventId, sha256);
        blobDone.run(now, eventId, sha256);
      })();
    },

    /** The blobs of a bundle the endpoint stored, in one transaction. */
    blobsUploaded(eventId: number, sha256s: readonly string[], now: number): void {
      db.transaction(() => {
        for (const sha256 of sha256s) {
          forgetParts.run(eventId, sha256);
          blobDone.run(now, eventId, sha256);
        }
      })();
    },

    /** A file that changed or vanished since it was listed: the next differ run lists its new content. */
    dropBlob(eventId: number, sha256: string): void {
      dropBlob.run(eventId, sha256);
    },

    setRunState(eventId: number, state: SyncRunState, lastError: string | null): void {
      setState.run(state, lastError, eventId);
    },

    synced(eventId: number, now: number): void {
      setSynced.run(now, eventId);
    },

    addBytesSent(eventId: number, bytes: number): void {
      addBytes.run(bytes, eventId);
    },

    setPaused(eventId: number, paused: boolean): void {
      setPaused.run(paused ? 1 : 0, eventId);
    },

    setBandwidthCap(eventId: number, bytesPerSecond: number | null): void {
      setCap.run(bytesPerSecond, eventId);
    },

    /**
     * The known hashes of these media files, by path, in one query: a differ run looks up 4,000
     * files, and a query each was a fifth of its time (bench:sync, 2,000 photos). Asked per chunk
     * of photos rather than for the whole table, which grows with every event the laptop keeps.
     */
    cachedHashes(paths: readonly string[]): Map<string, MediaHash> {
      const out = new Map<string, MediaHash>();
      if (!paths.length) return out;
      for (const r of hashesOf.iterate(JSON.stringify(paths))) out.set(r.path, { size: r.size, mtimeMs: r.mtime_ms, sha256: r.sha256 });
      return out;
    },

    /** Files hashed in one differ run, saved in one transaction (one commit each was most of the first run's database time). */
    saveHashes(hashes: readonly MediaFileHash[]): void {
      if (!hashes.length) return;
      db.transaction(() => {
        for (const h of hashes) saveHash.run(h.path, h.size, Math.round(h.mtimeMs), h.sha256);
      })();
    },

    /**
     * Up to `limit` of the event's photos after photo `afterId`, with their faces: the event as
     * operations describe it is read a page at a time (with sourceRest), so that a differ run over a
     * large event gives the event loop back between pages. Each page is read in one transaction; a
     * change between pages is the next run's.
     */
    sourcePhotoPage(eventId: number, afterId: number, limit: number): Pick<SyncSourceRows, 'photos' | 'faces'> {
      return db.transaction(() => {
        const photos = photoPageRows.all(eventId, afterId, limit).map(toPhoto);
        const faces = photos.length ? facePageRows.all(eventId, afterId, photos.at(-1)!.id).map(toFace) : [];
        return { photos, faces };
      })();
    },

    /** The rest of the event as operations describe it: its persons, take-home links and deliveries waiting to go. */
    sourceRest,

    /**
     * The rows of a few photos just made ready, with their faces and every person of the event
     * (a face names its person only when the person is sent too; persons are few): what a differ
     * run over those photos alone needs. No links or deliveries.
     */
    readyPhotoRows(eventId: number, photoIds: readonly number[]): SyncSourceRows {
      const ids = JSON.stringify(photoIds);
      return db.transaction(() => ({
        photos: readyPhotoRows.all(ids, eventId).map(toPhoto),
        faces: readyPhotoFaceRows.all(ids, eventId).map(toFace),
        persons: personRows.all(eventId).map((r) => ({ id: r.id, name: r.name, doNotPublish: r.opted_out === 1 })),
        links: [],
        deliveries: [],
      }))();
    },

    /** The event's face descriptors as stored (little-endian float32), by face id. */
    faceDescriptors(eventId: number): Map<number, Buffer> {
      const out = new Map<number, Buffer>();
      for (const r of descriptors.iterate(BigInt(eventId))) out.set(r.face_id, r.embedding);
      return out;
    },

    /** What the endpoint says became of deliveries: a sent one loses its address here too. */
    markDeliveries(
      eventId: number,
      states: readonly { deliveryId: number; state: 'sent' | 'failed'; sentAt: number | null; error: string | null }[],
    ): number {
      return db.transaction(() => {
        let changed = 0;
        for (const s of states) changed += markDelivery.run(s.state, s.sentAt, s.error, s.state, s.deliveryId, eventId, s.state).changes;
        return changed;
      })();
    },
  };
}

export type SyncRepository = ReturnType<typeof createSyncRepository>;
