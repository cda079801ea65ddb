import { describe, expect, it } from 'vitest';
import { MAX_RETRY_MS, nextAttempt, restartDelay, STABLE_AFTER_MS } from '../../../src/main/restart-backoff.js';

describe('restarting the engine after a crash', () => {
  it.each([
    [1, 250],
    [2, 500],
    [3, 1000],
    [6, 8000],
    [10, MAX_RETRY_MS],
    [50, MAX_RETRY_MS],
  ])('restart %i waits %i ms', (attempt, ms) => {
    expect(restartDelay(attempt)).toBe(ms);
  });

  it.each([
    ['a crash right after a restart backs off further', 2, 5_000, 3],
    ['a crash after a long healthy run starts again from the first delay', 6, STABLE_AFTER_MS, 1],
  ])('%s', (_what, previous, ranFor, next) => {
    expect(nextAttempt(previous, ranFor)).toBe(next);
  });
});
