import { describe, expect, it } from 'vitest';
import { nextRetryAt, shouldRetry } from '../../../src/pipeline/backoff.js';

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

  it('never retries a bad file, and stops retrying transient problems after the last attempt', () => {
    expect(shouldRetry('permanent', 1, 4)).toBe(false);
    expect(shouldRetry('transient', 3, 4)).toBe(true);
    expect(shouldRetry('transient', 4, 4)).toBe(false);
  });
});
