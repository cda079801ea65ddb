// The SQL of the email queue: the `deliveries` rows laptops sent (delivery.put), claimed by one
// endpoint instance at a time, and the gallery link minted for each email. Several instances
// run this loop on one database; a row lock and a time-limited claim decide who sends.
import type pg from 'pg';

/** The pool, or one client of it. */
export type Queryable = Pick<pg.Pool, 'query'>;

export interface ClaimedDelivery {
  id: number;
  cloudEventId: string;
  eventName: string;
  address: string;
  /** The kiosk's take-home link (its sha256), when the attendee got one at the kiosk. */
  galleryTokenHash: string | null;
  photoSha256s: string[];
  photoCount: number;
  /** This claim's attempt number: a later update must match it to prove the claim is still ours. */
  attempts: number;
  /** Temporary refusals before this attempt (reset when the organiser gives a new address). */
  failedTries: number;
}

interface ClaimedRow {
  id: string | number;
  cloud_event_id: string;
  event_name: string;
  address: string;
  gallery_token_hash: string | null;
  photo_sha256s: string[];
  photo_count: number;
  attempts: number;
  failed_tries: number;
}

/**
 * Takes up to `limit` email deliveries that are waiting and due (`now` is past their backoff after
 * a refusal), or whose sender's claim ran out (it crashed or lost the database mid-send), and
 * claims them for `claimMs`. SKIP LOCKED lets two instances claim at once without waiting on, or
 * both taking, the same rows; the CTE runs the locking select exactly once.
 */
export async function claimWaitingDeliveries(db: Queryable, limit: number, claimMs: number, now: Date): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedRow>(
    `WITH picked AS (
       SELECT id FROM deliveries
        WHERE ((state = 'waiting' AND (next_attempt_at IS NULL OR next_attempt_at <= $3))
               OR (state = 'sending' AND claimed_until < now()))
          AND address IS NOT NULL
          AND channel = 'email'
        ORDER BY id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
     )
     UPDATE deliveries d
        SET state = 'sending',
            claimed_until = now() + make_interval(secs => $2::double precision / 1000),
            attempts = d.attempts + 1
       FROM picked, cloud_events e
      WHERE d.id = picked.id AND e.id = d.cloud_event_id
  RETURNING d.id, d.cloud_event_id, e.name AS event_name, d.address, d.gallery_token_hash, d.photo_sha256s,
            coalesce(nullif(cardinality(d.photo_sha256s), 0),
                     (SELECT cardinality(k.photo_sha256s) FROM gallery_links k WHERE k.token_hash = d.gallery_token_hash),
                     0) AS photo_count,
            d.attempts, d.failed_tries`,
    [limit, claimMs, now],
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      cloudEventId: r.cloud_event_id,
      eventName: r.event_name,
      address: r.address,
      galleryTokenHash: r.gallery_token_hash,
      photoSha256s: r.photo_sha256s,
      photoCount: Number(r.photo_count),
      attempts: Number(r.attempts),
      failedTries: Number(r.failed_tries),
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * Stores the email's own gallery link (only the token's hash). It shows the kiosk link's photos
 * (alias_of) when that link is in the cloud, else the delivery's own list of photos. `device_pk`
 * is null: the cloud minted it, no laptop did.
 */
export async function insertEmailGalleryLink(
  db: Queryable,
  link: { tokenHash: string; delivery: ClaimedDelivery; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO gallery_links (token_hash, cloud_event_id, device_pk, photo_sha256s, alias_of, created_at, expires_at)
     SELECT $1, $2, NULL, CASE WHEN k.token_hash IS NULL THEN $3::text[] ELSE '{}'::text[] END, k.token_hash, $4, $5
       FROM (SELECT 1) AS one
       LEFT JOIN gallery_links k ON k.token_hash = $6 AND k.cloud_event_id = $2`,
    [
      link.tokenHash,
      link.delivery.cloudEventId,
      link.delivery.photoSha256s,
      link.createdAt,
      link.expiresAt,
      link.delivery.galleryTokenHash,
    ],
  );
}

/**
 * The email is out: one statement records it and forgets the address, so there is no moment
 * where it is marked sent but the address is still kept (or the reverse). Returns false when the
 * claim was no longer ours (another instance took the delivery over after our claim ran out).
 */
export async function markDeliverySent(
  db: Queryable,
  delivery: ClaimedDelivery,
  sent: { messageId: string; sentAt: Date },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE deliveries
        SET state = 'sent', sent_at = $3, message_id = $4, address = NULL, error = NULL, claimed_until = NULL
      WHERE id = $1 AND state = 'sending' AND attempts = $2`,
    [delivery.id, delivery.attempts, sent.sentAt, sent.messageId],
  );
  return rowCount === 1;
}

/** How an attempt that did not send ends (send-waiting-deliveries.ts decides which). */
export type NotSent =
  /** Refused for good (5xx): failed, the address kept for the organiser to correct. */
  | { kind: 'refused'; error: string }
  /** Refused for now: waiting again, not to be claimed before `retryAt`. */
  | { kind: 'retry'; error: string; retryAt: Date }
  /** Refused for now once too often: failed, and the address forgotten as for a sent email. */
  | { kind: 'given-up'; error: string };

/**
 * Sending failed: the delivery is failed or waiting again as `outcome` says, with its reason, one
 * more failed try counted when the refusal was temporary. The link minted for this attempt is
 * removed with it: nobody ever received its token.
 */
export async function markDeliveryNotSent(
  db: Queryable,
  delivery: ClaimedDelivery,
  outcome: NotSent,
  unusedLinkHash: string,
): Promise<void> {
  await db.query(
    `WITH unused AS (DELETE FROM gallery_links WHERE token_hash = $5 AND device_pk IS NULL)
     UPDATE deliveries
        SET state = $3, error = $4, claimed_until = NULL,
            failed_tries = failed_tries + $6,
            next_attempt_at = $7,
            address = CASE WHEN $8 THEN NULL ELSE address END
      WHERE id = $1 AND state = 'sending' AND attempts = $2`,
    [
      delivery.id,
      delivery.attempts,
      outcome.kind === 'retry' ? 'waiting' : 'failed',
      outcome.error,
      unusedLinkHash,
      outcome.kind === 'refused' ? 0 : 1,
      outcome.kind === 'retry' ? outcome.retryAt : null,
      outcome.kind === 'given-up',
    ],
  );
}
