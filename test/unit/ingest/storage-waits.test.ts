import { describe, expect, it } from 'vitest';
import { createStorageWaits } from '../../../src/ingest/storage-waits.js';

describe('files waiting for space to be recorded', () => {
  it('logs the first failure of an episode in full, each other file once, then a reminder a minute apart', () => {
    const waits = createStorageWaits(60_000);
    const said: string[] = [];
    const t0 = 1_000_000;
    said.push(waits.failed('/hot/a.jpg', 'SQLITE_FULL', t0, 5_000).kind);
    said.push(waits.failed('/hot/b.jpg', 'SQLITE_FULL', t0 + 1_000, 5_000).kind);
    for (let t = t0 + 5_000; t < t0 + 61_000; t += 5_000) {
      said.push(waits.failed('/hot/a.jpg', 'SQLITE_FULL', t, 5_000).kind);
      said.push(waits.failed('/hot/b.jpg', 'SQLITE_FULL', t + 1_000, 5_000).kind);
    }
    expect(said.slice(0, 2)).toEqual(['first', 'joined']);
    // 24 tries in the minute after: one reminder, the rest quiet.
    expect(said.slice(2).filter((k) => k === 'reminder')).toHaveLength(1);
    expect(said.slice(2).filter((k) => k === 'quiet')).toHaveLength(said.length - 3);
  });

  it('lists what waits, since when, with how many tries, and forgets a file once recorded', () => {
    const waits = createStorageWaits();
    waits.failed('/hot/a.jpg', 'SQLITE_FULL: database or disk is full', 1_000, 5_000);
    waits.failed('/hot/a.jpg', 'SQLITE_FULL: database or disk is full', 6_000, 5_000);
    expect(waits.list()).toEqual([
      { path: '/hot/a.jpg', error: 'SQLITE_FULL: database or disk is full', since: 1_000, attempts: 2, nextAttemptAt: 11_000 },
    ]);
    expect(waits.cleared('/hot/a.jpg')).toMatchObject({ attempts: 2, since: 1_000 });
    expect(waits.list()).toEqual([]);
    // After the episode ends, the next failure is news again.
    expect(waits.failed('/hot/b.jpg', 'SQLITE_FULL', 100_000, 5_000).kind).toBe('first');
  });
});
