// When a failed job is tried again: exponential backoff with jitter, so a burst of photos
// that all hit the same transient problem (disk full, file locked) do not retry in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** `attempt` is the attempt that just failed (1 = first try). `random` is in [0, 1). */
export function nextRetryAt(attempt: number, now: number, policy: BackoffPolicy, random: number): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  // "Equal jitter": at least half the ceiling, so retries never come back immediately.
  const delay = ceiling / 2 + (ceiling / 2) * random;
  return now + Math.round(delay);
}

export type FailureKind = 'permanent' | 'transient';

/** A permanent failure (the file itself is bad) is not retried; a transient one is, until attempts run out. */
export function shouldRetry(kind: FailureKind, attempt: number, maxAttempts: number): boolean {
  return kind === 'transient' && attempt < maxAttempts;
}
