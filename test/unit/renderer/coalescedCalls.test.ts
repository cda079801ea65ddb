// Quick "Maybe you?" taps: one search at a time, and the last tap always searched.
import { describe, expect, it } from 'vitest';
import { coalesced } from '../../../renderer/kiosk/coalescedCalls.js';

/** A task whose runs finish only when the test says so, recording what each run saw. */
function controlledTask(state: { taps: number }) {
  const runs: { sawTaps: number; finish: () => void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const task = () =>
    new Promise<void>((resolve) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      runs.push({
        sawTaps: state.taps,
        finish: () => {
          inFlight--;
          resolve();
        },
      });
    });
  return { task, runs, mostInFlight: () => mostInFlight };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('coalesced taps', () => {
  it('searches once more after the search in flight, with every tap made meanwhile, never two at once', async () => {
    const state = { taps: 0 };
    const { task, runs, mostInFlight } = controlledTask(state);
    const confirm = coalesced(task);
    const done: Promise<void>[] = [];
    for (let i = 0; i < 4; i++) {
      state.taps++;
      done.push(confirm());
    }
    await settle();
    expect(runs.map((r) => r.sawTaps)).toEqual([1]);
    runs[0]!.finish();
    await settle();
    expect(runs.map((r) => r.sawTaps)).toEqual([1, 4]);
    runs[1]!.finish();
    await Promise.all(done);
    expect(runs).toHaveLength(2);
    expect(mostInFlight()).toBe(1);
  });

  it('searches right away when nothing is in flight', async () => {
    const state = { taps: 0 };
    const { task, runs } = controlledTask(state);
    const confirm = coalesced(task);
    state.taps = 1;
    const first = confirm();
    await settle();
    runs[0]!.finish();
    await first;
    state.taps = 2;
    const second = confirm();
    await settle();
    expect(runs.map((r) => r.sawTaps)).toEqual([1, 2]);
    runs[1]!.finish();
    await second;
  });

  it('starts afresh after a run that failed', async () => {
    let fail = true;
    let runs = 0;
    const confirm = coalesced(async () => {
      runs++;
      if (fail) throw new Error('the kiosk went away');
    });
    await expect(confirm()).rejects.toThrow('the kiosk went away');
    fail = false;
    await confirm();
    expect(runs).toBe(2);
  });
});
