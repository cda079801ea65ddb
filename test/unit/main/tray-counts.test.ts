import { describe, expect, it } from 'vitest';
import { trayCounts, trayTitle } from '../../../src/main/tray-counts.js';

const overview = { photos: { total: 12, pending: 1, processing: 1, ready: 9, failed: 1, duplicates: 0, withRaw: 0 }, queue: { depth: 2 } };

describe('the tray line', () => {
  it.each([
    ['counts while connected', trayCounts(overview), 'connected', 'Shutterfind: 9 ready · 2 in queue · 1 error'],
    ['no error part when there are none', { ready: 3, queue: 0, errors: 0 }, 'connected', 'Shutterfind: 3 ready · 0 in queue'],
    ['reconnecting after an engine crash', trayCounts(overview), 'reconnecting', 'Shutterfind: reconnecting to the engine…'],
    ['stopped', null, 'stopped', 'Shutterfind: engine stopped'],
  ] as const)('%s', (_what, counts, connection, title) => {
    expect(trayTitle(counts, connection)).toBe(title);
  });
});
