import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFailure, isRetryable, retryAfterMs, retryDelay } from '../../../src/sync/retry-policy.js';

const policy = { baseMs: 1000, maxMs: 300_000 };

describe('when sync tries a request again', () => {
  it.each([
    [null, 'offline'],
    [500, 'busy'],
    [503, 'busy'],
    [429, 'busy'],
    [408, 'busy'],
    [401, 'revoked'],
    [403, 'revoked'],
    [400, 'refused'],
    [404, 'refused'],
    [409, 'refused'],
    [413, 'refused'],
    [422, 'refused'],
  ] as const)('an answer of %s is %s', (status, kind) => {
    expect(classifyFailure(status)).toBe(kind);
  });

  it('tries again only when waiting can help (no network, a busy endpoint), never after a permanent refusal', () => {
    expect(['offline', 'busy', 'revoked', 'refused'].map((k) => isRetryable(k as never))).toEqual([true, true, false, false]);
  });

  it.each([
    [1, 0, 500],
    [1, 0.999, 1000],
    [3, 0.5, 3000],
    [20, 0, 150_000],
    [20, 0.999, 300_000],
  ])('waits, before retry %i with jitter %f, about %i ms', (attempt, random, expected) => {
    expect(Math.abs(backoffDelay(attempt, policy, random) - expected)).toBeLessThanOrEqual(expected * 0.001 + 1);
  });

  it('honours the endpoint’s Retry-After, in seconds or as a date, over its own backoff', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryDelay(1, 7000, policy, 0.5)).toBe(7000);
    expect(retryDelay(1, 3 * 3600_000, policy, 0.5)).toBe(600_000);
    expect(retryDelay(2, null, policy, 0)).toBe(1000);
  });
});
