// How the console's Sync section words the state of the upload, its speed and the bandwidth cap.
import { describe, expect, it } from 'vitest';
import type { SyncState } from '../../../src/api/index.js';
import {
  capFieldOf,
  formatMbit,
  rateFigure,
  leftToSend,
  parseCapField,
  syncStateWords,
  timeLeftAt,
} from '../../../renderer/operator/syncWords.js';

describe('the sync state in words', () => {
  it.each<[SyncState, string, string]>([
    ['not-enrolled', 'Not connected to the cloud', 'muted'],
    ['idle', 'Up to date', 'good'],
    ['syncing', 'Syncing', 'busy'],
    ['paused', 'Paused', 'warn'],
    ['offline', 'Offline', 'warn'],
    ['error', 'Stopped by an error', 'danger'],
  ])('%s reads "%s"', (state, label, tone) => {
    expect(syncStateWords(state)).toMatchObject({ label, tone });
  });

  it('does not call an idle event up to date while something is still to send', () => {
    expect(syncStateWords('idle', { opsLeft: 0, blobsLeft: 0 }).label).toBe('Up to date');
    expect(syncStateWords('idle', { opsLeft: 3, blobsLeft: 0 })).toMatchObject({ label: 'Waiting to send', tone: 'waiting' });
    expect(syncStateWords('idle', { opsLeft: 0, blobsLeft: 2 }).hint).toMatch(/press Sync now/);
    expect(syncStateWords('paused', { opsLeft: 3, blobsLeft: 2 }).label).toBe('Paused');
  });

  it('tells the photographer what to do when sync stopped or cannot reach the cloud', () => {
    expect(syncStateWords('error').hint).toMatch(/fix it, then press Sync now/);
    expect(syncStateWords('offline').hint).toMatch(/goes on by itself/);
  });
});

describe('upload speeds', () => {
  it.each([
    [0, '0 Mbit/s'],
    [1_250, '10 kbit/s'],
    [125_000, '1 Mbit/s'],
    [6_250_000, '50 Mbit/s'],
    [1_562_500, '12.5 Mbit/s'],
    [125_000_000, '1000 Mbit/s'],
  ])('%d bytes/s is %s', (bytes, words) => {
    expect(formatMbit(bytes)).toBe(words);
  });

  it('shows the rate in Mbit/s while a sync runs, with bytes per second and the cap under it', () => {
    expect(rateFigure({ state: 'syncing', rateBytesPerSecond: 1_250_000, bandwidthCapBytesPerSecond: 2_500_000 })).toEqual({
      value: '10 Mbit/s',
      hint: '1.2 MB/s · capped at 20 Mbit/s',
    });
    expect(rateFigure({ state: 'syncing', rateBytesPerSecond: 1_250_000, bandwidthCapBytesPerSecond: null }).hint).toBe(
      '1.2 MB/s · no cap',
    );
  });

  it('shows no rate once a sync has stopped, whatever its last seconds were', () => {
    expect(rateFigure({ state: 'paused', rateBytesPerSecond: 137_000, bandwidthCapBytesPerSecond: 2_500_000 })).toEqual({
      value: '—',
      hint: 'capped at 20 Mbit/s',
    });
    expect(rateFigure({ state: 'syncing', rateBytesPerSecond: 0, bandwidthCapBytesPerSecond: null }).value).toBe('—');
  });
});

describe('the bandwidth cap field', () => {
  it.each([
    ['', null],
    ['  ', null],
    ['50', 6_250_000],
    ['12.5', 1_562_500],
    ['2,5', 312_500],
  ])('"%s" Mbit/s is a cap of %s bytes/s', (text, bytes) => {
    expect(parseCapField(text)).toEqual({ ok: true, bytesPerSecond: bytes });
  });

  it.each(['fast', '0', '-3', '0.01', '20000'])('refuses "%s" and says what to type', (text) => {
    const parsed = parseCapField(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/between 0.1 and 10,000 Mbit\/s, or leave it empty/);
  });

  it('shows a saved cap in Mbit/s, and no cap as an empty field', () => {
    expect(capFieldOf(6_250_000)).toBe('50');
    expect(capFieldOf(1_562_500)).toBe('12.5');
    expect(capFieldOf(null)).toBe('');
  });

  it('gives back the same cap it shows', () => {
    for (const bytes of [125_000, 1_562_500, 6_250_000])
      expect(parseCapField(capFieldOf(bytes))).toEqual({ ok: true, bytesPerSecond: bytes });
  });
});

describe('what is left to send', () => {
  it('counts files and changes as items, and says nothing when all is sent', () => {
    expect(leftToSend({ opsLeft: 20, blobsLeft: 6 })).toEqual({ items: '26 items', detail: '6 files · 20 changes' });
    expect(leftToSend({ opsLeft: 1, blobsLeft: 0 })).toEqual({ items: '1 item', detail: '0 files · 1 change' });
    expect(leftToSend({ opsLeft: 0, blobsLeft: 1 })).toEqual({ items: '1 item', detail: '1 file · 0 changes' });
    expect(leftToSend({ opsLeft: 0, blobsLeft: 0 })).toBeNull();
  });

  it('estimates the time left at the current rate, and nothing when the upload stands still', () => {
    expect(timeLeftAt(1_000_000, 100_000)).toBe('about 10 s left');
    expect(timeLeftAt(60_000_000, 100_000)).toBe('about 10 min left');
    expect(timeLeftAt(1_000_000, 0)).toBeNull();
    expect(timeLeftAt(0, 100_000)).toBeNull();
  });
});
