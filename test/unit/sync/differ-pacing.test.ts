// How often the differ runs while photos keep arriving, and when a sync loop may skip it: at most a
// twentieth of a core for the differ however large the event, never a change left waiting more
// than a minute, and never a skipped run that would miss a change signalled after the last one.
import { describe, expect, it } from 'vitest';
import { DIFFER_FRESH_MS, differIsCurrent, MAX_DIFFER_DELAY_MS, nextDifferDelay } from '../../../src/sync/differ-pacing.js';

describe('the delay before a differ run', () => {
  it.each<[string, number, { startedAt: number; tookMs: number } | null, number]>([
    ['the first change of a session waits only the debounce', 2_000, null, 2_000],
    ['a quick differ (a small event) keeps the debounce', 2_000, { startedAt: 0, tookMs: 40 }, 2_000],
    ['a 300 ms differ (2,000 photos) waits 19 times as long: 5% of a core', 2_000, { startedAt: 0, tookMs: 300 }, 5_700],
    ['a slow differ on a busy machine waits in proportion', 2_000, { startedAt: 0, tookMs: 1_200 }, 22_800],
    ['however slow, a change waits at most a minute', 2_000, { startedAt: 0, tookMs: 10_000 }, MAX_DIFFER_DELAY_MS],
    ['a test with a short debounce still paces by the last run', 50, { startedAt: 0, tookMs: 10 }, 190],
  ])('%s', (_what, debounceMs, last, expected) => {
    expect(nextDifferDelay(debounceMs, last)).toBe(expected);
  });

  it('keeps the differ within its share of a core while changes keep coming', () => {
    for (const tookMs of [10, 150, 300, 900, 2_500]) {
      const delay = nextDifferDelay(2_000, { startedAt: 0, tookMs });
      expect(tookMs / (tookMs + delay)).toBeLessThanOrEqual(0.05 + 1e-9);
    }
  });
});

describe('whether a sync loop run needs its own differ run', () => {
  const now = 1_000_000;
  it.each<[string, { startedAt: number; tookMs: number } | null, number | null, number, boolean]>([
    ['never ran: it must run', null, null, now, false],
    ['ran after the last change, a moment ago: the log is current', { startedAt: now - 3_000, tookMs: 300 }, now - 5_000, now, true],
    ['ran and nothing was signalled since the start of the session', { startedAt: now - 3_000, tookMs: 300 }, null, now, true],
    ['a change came after the run started: it may have missed it', { startedAt: now - 3_000, tookMs: 300 }, now - 2_000, now, false],
    ['a change in the same millisecond as the start counts as missed', { startedAt: now - 3_000, tookMs: 300 }, now - 3_000, now, false],
    [
      'too long ago: changes nobody signalled are looked for again',
      { startedAt: now - DIFFER_FRESH_MS - 1, tookMs: 300 },
      now - DIFFER_FRESH_MS - 10,
      now,
      false,
    ],
  ])('%s', (_what, last, lastChangeAt, at, expected) => {
    expect(differIsCurrent(last, lastChangeAt, at)).toBe(expected);
  });
});
