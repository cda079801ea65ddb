// The operator's upload cap (bytes per second, per event): a token bucket over the bytes of blob
// parts, so the venue's uplink stays free for everything else. Pure arithmetic over a clock
// given by the caller.

export interface TokenBucket {
  /** Bytes that may go now. */
  tokens: number;
  /** When `tokens` was last brought up to date, ms. */
  at: number;
}

/**
 * One second of burst: smooth enough for a shared uplink, and parts of a few MB still go (a part
 * larger than the burst waits until the bucket has refilled to what it needs, then borrows).
 */
export const BURST_SECONDS = 1;

export const fullBucket = (rate: number, now: number): TokenBucket => ({ tokens: rate * BURST_SECONDS, at: now });

/**
 * Takes `bytes` from the bucket at `now` for a cap of `rate` bytes/s: the bucket after it and how
 * long to wait before sending them (0 when they may go now). The bucket may go negative, so a
 * large part waits for exactly its own time at the cap and the average rate holds.
 */
export function takeTokens(bucket: TokenBucket, bytes: number, rate: number, now: number): { bucket: TokenBucket; waitMs: number } {
  const elapsed = Math.max(0, now - bucket.at);
  const refilled = Math.min(rate * BURST_SECONDS, bucket.tokens + (elapsed * rate) / 1000);
  const left = refilled - bytes;
  const waitMs = left >= 0 ? 0 : Math.ceil((-left / rate) * 1000);
  return { bucket: { tokens: left, at: now }, waitMs };
}
