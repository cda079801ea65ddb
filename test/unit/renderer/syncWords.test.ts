// How the console's Sync section words the state of the upload, its speed and the bandwidth cap.
import { describe, expect, it } from 'vitest';
import type { SyncState } from '../../../src/api/index.js';
import {
  capFieldOf,
  formatMbit,
  formatRate,
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

  it('shows bytes and megabits per second, and a dash when nothing moves', () => {
    expect(formatRate(1_250_000)).toBe('1.2 MB/s · 10 Mbit/s');
    expect(formatRate(0)).toBe('—');
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
  it('names files with their size and changes, or nothing when all is sent', () => {
    expect(leftToSend({ opsLeft: 12, blobsLeft: 3, bytesLeft: 3 * 1024 * 1024 })).toBe('3 files (3.0 MB) and 12 changes');
    expect(leftToSend({ opsLeft: 1, blobsLeft: 0, bytesLeft: 0 })).toBe('1 change');
    expect(leftToSend({ opsLeft: 0, blobsLeft: 1, bytesLeft: 2048 })).toBe('1 file (2.0 KB)');
    expect(leftToSend({ opsLeft: 0, blobsLeft: 0, bytesLeft: 0 })).toBeNull();
  });

  it('estimates the time left at the current rate, and nothing when the upload stands still', () => {
    expect(timeLeftAt(1_000_000, 100_000)).toBe('about 10 s left');
    expect(timeLeftAt(60_000_000, 100_000)).toBe('about 10 min left');
    expect(timeLeftAt(1_000_000, 0)).toBeNull();
    expect(timeLeftAt(0, 100_000)).toBeNull();
  });
});
