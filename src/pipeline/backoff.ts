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

import type { FailureKind } from '../photo/index.js';

export type { FailureKind };

export function shouldRetry(kind: FailureKind, attempt: number, maxAttempts: number): boolean {
  if (kind === 'storage') return true;
  return kind === 'transient' && attempt < maxAttempts;
}

/** Once space is freed, waiting photos should resume within this long. */
export const STORAGE_RETRY_MAX_MS = 30_000;

export function retryPolicyFor(kind: FailureKind, policy: BackoffPolicy): BackoffPolicy {
  return kind === 'storage' ? { baseMs: policy.baseMs, maxMs: Math.min(policy.maxMs, STORAGE_RETRY_MAX_MS) } : policy;
}
