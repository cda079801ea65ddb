import { describe, expect, it } from 'vitest';
import { nextRetryAt, retryPolicyFor, shouldRetry } from '../../../src/pipeline/index.js';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('retry timing for failed jobs', () => {
  it.each([
    [1, 0, 500],
    [1, 0.999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [10, 0, 30_000],
    [10, 0.999, 60_000],
  ])('attempt %i with jitter %f waits %i ms', (attempt, random, expected) => {
    expect(Math.abs(nextRetryAt(attempt, 5000, policy, random) - 5000 - expected)).toBeLessThanOrEqual(expected * 0.001 + 1);
  });

  it('keeps a photo waiting for as long as the data drive is full, checking at least every 30 s', () => {
    expect([5, 50, 500].map((attempt) => shouldRetry('storage', attempt, 4))).toEqual([true, true, true]);
    const capped = retryPolicyFor('storage', { baseMs: 1000, maxMs: 600_000 });
    expect(nextRetryAt(50, 0, capped, 0.999)).toBeLessThanOrEqual(30_000);
    expect(retryPolicyFor('transient', policy)).toEqual(policy);
  });

  it('never retries a bad file, and stops retrying transient problems after the last attempt', () => {
    const cases: [Parameters<typeof shouldRetry>[0], number][] = [
      ['permanent', 1],
      ['transient', 3],
      ['transient', 4],
    ];
    expect(cases.map(([kind, attempt]) => shouldRetry(kind, attempt, 4))).toEqual([false, true, false]);
  });
});
