// How often the differ runs while photos keep arriving, and when a sync loop may skip it: at most a
// twentieth of a core for the differ however large the event, never a change left waiting more
// than a minute, and never a skipped run that would miss a change signalled after the last one.
import { describe, expect, it } from 'vitest';
import {
  DIFFER_FRESH_MS,
  differDue,
  differIsCurrent,
  differScope,
  MAX_DIFFER_DELAY_MS,
  nextDifferDelay,
  type DifferScope,
  type DifferState,
} from '../../../src/sync/differ-pacing.js';

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

describe('what a differ run reads while the photographer keeps shooting', () => {
  const now = 1_000_000;
  const whole = (startedAt: number, tookMs = 300) => ({ startedAt, tookMs });
  it.each<[string, DifferState, DifferScope]>([
    ['the first change of a session: the whole event', { lastWhole: null, lastChangeAt: null, readyPhotos: 3 }, 'whole-event'],
    [
      'photos made ready after a recent whole run: those photos alone',
      { lastWhole: whole(now - 5_000), lastChangeAt: null, readyPhotos: 3 },
      'ready-photos',
    ],
    [
      'a rename after the last whole run: the whole event, photos or not',
      { lastWhole: whole(now - 5_000), lastChangeAt: now - 1_000, readyPhotos: 3 },
      'whole-event',
    ],
    [
      'the last whole run is stale: the whole event again (changes nobody signalled)',
      { lastWhole: whole(now - DIFFER_FRESH_MS - 1), lastChangeAt: null, readyPhotos: 3 },
      'whole-event',
    ],
    [
      'nothing signalled since a recent whole run: nothing',
      { lastWhole: whole(now - 5_000), lastChangeAt: now - 9_000, readyPhotos: 0 },
      'nothing',
    ],
  ])('%s', (_what, state, expected) => {
    expect(differScope(state, now)).toBe(expected);
  });

  it('sends new photos at once while a whole run due is held back by the pacing, and says when it may run', () => {
    // A 300 ms whole run 2 s ago: at 5% of a core the next may start 6 s after it.
    const state: DifferState = { lastWhole: whole(now - 2_000), lastChangeAt: now - 1_000, readyPhotos: 2 };
    expect(differDue(state, now)).toEqual({ run: 'ready-photos', againInMs: 4_000 });
    expect(differDue({ ...state, readyPhotos: 0 }, now)).toEqual({ run: 'nothing', againInMs: 4_000 });
    expect(differDue(state, now + 4_000)).toEqual({ run: 'whole-event', againInMs: null });
    // However slow the last run, the whole event is read again within a minute.
    expect(differDue({ ...state, lastWhole: whole(now - 2_000, 10_000) }, now)).toEqual({
      run: 'ready-photos',
      againInMs: MAX_DIFFER_DELAY_MS - 2_000,
    });
  });

  it('keeps whole runs within the differ share of a core however often photos arrive', () => {
    // Photos every 500 ms for two minutes, each whole run taking 300 ms: whole runs start only
    // when due, and are never closer than the pacing allows.
    let state: DifferState = { lastWhole: null, lastChangeAt: null, readyPhotos: 0 };
    const wholeStarts: number[] = [];
    for (let t = 0; t < 120_000; t += 500) {
      state = { ...state, readyPhotos: state.readyPhotos + 1 };
      const due = differDue(state, t);
      if (due.run === 'whole-event') {
        wholeStarts.push(t);
        state = { ...state, lastWhole: { startedAt: t, tookMs: 300 }, readyPhotos: 0 };
      } else if (due.run === 'ready-photos') state = { ...state, readyPhotos: 0 };
    }
    const gaps = wholeStarts.slice(1).map((t, i) => t - wholeStarts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(300 / 0.05);
    // Read whole about every DIFFER_FRESH_MS (changes nobody signalled are found), not every photo.
    expect(wholeStarts.length).toBeLessThanOrEqual(Math.ceil(120_000 / DIFFER_FRESH_MS) + 1);
  });
});
