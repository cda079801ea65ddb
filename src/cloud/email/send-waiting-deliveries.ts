// Mails every waiting email delivery once: claim a few, mint each its own gallery link, send,
// record. Run by every endpoint instance; the claim makes sure one of them sends each email.
import { hashSecret, newToken } from '../../config/index.js';
import { composeDeliveryEmail } from './compose-delivery-email.js';
import { afterTemporaryRefusal, givenUpReason, MAX_DELIVERY_TRIES } from './delivery-backoff.js';
import {
  claimWaitingDeliveries,
  insertEmailGalleryLink,
  markDeliveryNotSent,
  markDeliverySent,
  type ClaimedDelivery,
  type NotSent,
  type Queryable,
} from './delivery-queue.js';
import type { Mailer } from './mailer.js';

/** An email's gallery link lasts a month: long enough to come back after the event, then gone. */
export const EMAIL_LINK_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * How long a claimed delivery is ours before another instance may take it over (we crashed).
 * Far above the mailer's SMTP timeouts, so a slow but live send is never doubled.
 */
export const DELIVERY_CLAIM_MS = 5 * 60 * 1000;
/** Deliveries claimed and sent (in parallel, one SMTP connection each) per round. */
export const DELIVERY_BATCH_SIZE = 10;

export interface SendWaitingDeliveriesOptions {
  pool: Queryable;
  mailer: Mailer;
  /** Where attendees reach the cloud; links are `${publicBaseUrl}/g/<token>`. */
  publicBaseUrl: string;
  now?: () => Date;
  claimMs?: number;
  batchSize?: number;
  /** Tries before an email refused for now is given up (MAX_DELIVERY_TRIES). */
  maxTries?: number;
}

export interface DeliveryRound {
  sent: number;
  failed: number;
  /** Back to waiting after a temporary failure (4xx, no connection); tried again after a backoff (delivery-backoff.ts). */
  retrying: number;
}

/** The Message-ID of a delivery's email: the same on every attempt, so a resend is recognisable. */
export const deliveryMessageId = (deliveryId: number): string => `<delivery-${deliveryId}@shutterfind>`;

/**
 * Claims and sends batches until none is left. Stops early after a temporary failure: the SMTP
 * server is struggling, and the rows it refused are waiting again, so going on would only spin.
 */
export async function sendWaitingDeliveries(options: SendWaitingDeliveriesOptions): Promise<DeliveryRound> {
  const batchSize = options.batchSize ?? DELIVERY_BATCH_SIZE;
  const claimMs = options.claimMs ?? DELIVERY_CLAIM_MS;
  const total: DeliveryRound = { sent: 0, failed: 0, retrying: 0 };
  for (;;) {
    const claimed = await claimWaitingDeliveries(options.pool, batchSize, claimMs, options.now?.() ?? new Date());
    const outcomes = await Promise.all(claimed.map((delivery) => sendOne(options, delivery)));
    for (const outcome of outcomes) total[outcome] += 1;
    if (claimed.length < batchSize || outcomes.includes('retrying')) return total;
  }
}

async function sendOne(options: SendWaitingDeliveriesOptions, delivery: ClaimedDelivery): Promise<keyof DeliveryRound> {
  const now = options.now?.() ?? new Date();
  const token = newToken();
  const tokenHash = hashSecret(token);
  const expiresAt = new Date(now.getTime() + EMAIL_LINK_LIFETIME_MS);
  await insertEmailGalleryLink(options.pool, { tokenHash, delivery, createdAt: now, expiresAt });
  const email = composeDeliveryEmail({
    eventName: delivery.eventName,
    galleryUrl: `${options.publicBaseUrl.replace(/\/+$/, '')}/g/${token}`,
    photoCount: delivery.photoCount,
    expiresAt,
  });
  const outcome = await options.mailer.send({ ...email, to: delivery.address, messageId: deliveryMessageId(delivery.id) });
  if (outcome.sent) {
    await markDeliverySent(options.pool, delivery, { messageId: outcome.messageId, sentAt: now });
    return 'sent';
  }
  const notSent = whatNow(delivery, outcome, now, options.maxTries ?? MAX_DELIVERY_TRIES);
  await markDeliveryNotSent(options.pool, delivery, notSent, tokenHash);
  return notSent.kind === 'retry' ? 'retrying' : 'failed';
}

/** Failed for good, given up (a failed one, the last of its tries), or waiting for its next try. */
function whatNow(delivery: ClaimedDelivery, outcome: { permanent: boolean; reason: string }, now: Date, maxTries: number): NotSent {
  const error = `Email to the attendee not sent: ${outcome.reason}`;
  if (outcome.permanent) return { kind: 'refused', error };
  const tries = delivery.failedTries + 1;
  const next = afterTemporaryRefusal(tries, now, maxTries);
  return next.retry ? { kind: 'retry', error, retryAt: next.at } : { kind: 'given-up', error: givenUpReason(tries, outcome.reason) };
}
