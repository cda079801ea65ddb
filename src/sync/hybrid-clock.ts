// A hybrid logical clock (Kulkarni et al., 2014): stamps that follow wall time when the clock is
// sane and still only ever increase when it jumps back (NTP at the venue, a laptop with a wrong
// clock), so "the later edit wins" compares by stamp. Format as the protocol's hlcStamp:
// `<wall ms, 15 digits>-<counter, 6 digits>-<device id>`, ordered as strings.

export interface ClockState {
  /** The wall time of the last stamp, ms. */
  wall: number;
  /** Stamps given at that wall time before this one. */
  counter: number;
}

export const CLOCK_START: ClockState = { wall: 0, counter: 0 };

/** More stamps than this within one millisecond move the wall on by one ms instead (the format has 6 digits). */
const MAX_COUNTER = 999_999;

/** The clock's next state for a local event at wall time `now`. */
export function tickClock(state: ClockState, now: number): ClockState {
  const wall = Math.max(state.wall, Math.floor(now));
  if (wall > state.wall) return { wall, counter: 0 };
  if (state.counter >= MAX_COUNTER) return { wall: wall + 1, counter: 0 };
  return { wall, counter: state.counter + 1 };
}

/** The clock after seeing a stamp from elsewhere (keeps our stamps after it). */
export function receiveStamp(state: ClockState, remote: ClockState, now: number): ClockState {
  const wall = Math.max(state.wall, remote.wall, Math.floor(now));
  if (wall === state.wall && wall === remote.wall) return { wall, counter: Math.max(state.counter, remote.counter) + 1 };
  if (wall === state.wall) return { wall, counter: state.counter + 1 };
  if (wall === remote.wall) return { wall, counter: remote.counter + 1 };
  return { wall, counter: 0 };
}

export function formatStamp(state: ClockState, deviceId: string): string {
  return `${String(state.wall).padStart(15, '0')}-${String(state.counter).padStart(6, '0')}-${deviceId}`;
}

export function parseStamp(stamp: string): ClockState & { deviceId: string } {
  const m = /^(\d{15})-(\d{6})-([A-Za-z0-9_-]{8,64})$/.exec(stamp);
  if (!m) throw new Error(`Not a hybrid logical clock stamp: ${stamp}`);
  return { wall: Number(m[1]), counter: Number(m[2]), deviceId: m[3]! };
}
