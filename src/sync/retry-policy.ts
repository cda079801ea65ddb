// When to try a request again and how long to wait: pure decisions over what a request came back
// with. A network failure or a busy endpoint is tried again with exponential backoff and jitter
// (or after the endpoint's Retry-After); a refusal that will not change by itself (a wrong token,
// a malformed batch) stops sync with the endpoint's message until the operator acts.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * 1 s doubling to 5 min: a venue's Wi-Fi drops for seconds to minutes; five minutes between
 * tries costs nothing while the laptop is offline for the day and finds the link soon after.
 */
export const SYNC_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

/**
 * The wait before try `attempt` (1 for the first retry): "full jitter" (AWS architecture blog,
 * 2015), so laptops that lost the link together do not return together. `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined | null, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * What a failed request means:
 * - 'offline': it never reached the endpoint or got no answer (no network, DNS, timeout, reset);
 * - 'busy': the endpoint answered that it cannot now (408, 425, 429, 5xx): try again later;
 * - 'revoked': 401/403, this laptop's token is wrong or was revoked: only a new enrolment helps;
 * - 'refused': any other 4xx (400, 404, 409, 413, 422 …): the request itself is wrong; retrying
 *   sends the same thing and gets the same answer.
 */
export type FailureKind = 'offline' | 'busy' | 'revoked' | 'refused';

export function classifyFailure(status: number | null): FailureKind {
  if (status === null) return 'offline';
  if (status === 401 || status === 403) return 'revoked';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'busy';
  return 'refused';
}

export const isRetryable = (kind: FailureKind): boolean => kind === 'offline' || kind === 'busy';

/** The longest we honour a Retry-After: an endpoint asking for an hour is waited on in steps. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** The wait before retry `attempt`: the endpoint's Retry-After when it gave one, else backoff. */
export function retryDelay(attempt: number, retryAfter: number | null, policy: BackoffPolicy, random: number): number {
  if (retryAfter !== null) return Math.min(MAX_RETRY_AFTER_MS, retryAfter);
  return backoffDelay(attempt, policy, random);
}
