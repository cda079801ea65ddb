import { describe, expect, it } from 'vitest';
import { hlcStamp } from '../../../src/api/index.js';
import { CLOCK_START, formatStamp, parseStamp, receiveStamp, tickClock } from '../../../src/sync/hybrid-clock.js';

const DEVICE = 'laptop-A_123456789012';

describe('the hybrid logical clock of sync operations', () => {
  it.each([
    ['follows the wall clock when it moves on', { wall: 1000, counter: 3 }, 2000, { wall: 2000, counter: 0 }],
    ['counts within one millisecond', { wall: 2000, counter: 0 }, 2000, { wall: 2000, counter: 1 }],
    ['keeps increasing when the wall clock jumps back', { wall: 5000, counter: 7 }, 1000, { wall: 5000, counter: 8 }],
    ['moves a millisecond on when the counter is full', { wall: 5000, counter: 999_999 }, 5000, { wall: 5001, counter: 0 }],
    ['starts from nothing', CLOCK_START, 1_700_000_000_000, { wall: 1_700_000_000_000, counter: 0 }],
  ])('%s', (_name, before, now, after) => {
    expect(tickClock(before, now)).toEqual(after);
  });

  it('gives stamps that sort as strings in the order they were given, even across a clock jump back', () => {
    let state = CLOCK_START;
    const stamps: string[] = [];
    for (const now of [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_500, 1_699_999_000_000, 1_700_000_001_000]) {
      state = tickClock(state, now);
      stamps.push(formatStamp(state, DEVICE));
    }
    expect([...stamps].sort()).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  it('writes stamps the protocol accepts, and reads them back', () => {
    const stamp = formatStamp({ wall: 1_700_000_000_123, counter: 42 }, DEVICE);
    expect(stamp).toBe(`001700000000123-000042-${DEVICE}`);
    expect(hlcStamp.safeParse(stamp).success).toBe(true);
    expect(parseStamp(stamp)).toEqual({ wall: 1_700_000_000_123, counter: 42, deviceId: DEVICE });
  });

  it('stays after a stamp seen from another laptop whose clock runs ahead', () => {
    const after = receiveStamp({ wall: 1000, counter: 0 }, { wall: 9000, counter: 4 }, 1500);
    expect(after).toEqual({ wall: 9000, counter: 5 });
    expect(formatStamp(tickClock(after, 1600), DEVICE) > formatStamp({ wall: 9000, counter: 4 }, 'laptop-B_123456789012')).toBe(true);
  });
});
