import { describe, expect, it } from 'vitest';
import { readDesktopPreferences } from '../../../src/main/desktop-preferences.js';

describe('what the desktop app remembers between runs', () => {
  it('starts with the first-run setup when nothing was saved yet', () => {
    expect(readDesktopPreferences(null)).toEqual({ preferences: { skippedVersions: [] }, problem: null });
  });

  it('reads a saved setup, kiosk screen and skipped versions', () => {
    const saved = { setup: { eventName: 'Gala', folders: ['/t'], dataDir: '/d' }, kioskDisplayId: 2, skippedVersions: ['1.4.0'] };
    expect(readDesktopPreferences(JSON.stringify(saved))).toEqual({ preferences: saved, problem: null });
  });

  it.each([
    ['a file cut short by a power cut', '{"setup": {"eventN', /not JSON/],
    [
      'a setup saved by a future version with a field it does not know',
      '{"setup":{"eventName":"G","folders":[],"dataDir":"/d","cloud":true}}',
      /setup/,
    ],
    ['an update feed that is not an address', '{"updateFeed":"nowhere"}', /updateFeed/],
  ])('falls back to a fresh first run for %s, saying why', (_what, text, problem) => {
    const r = readDesktopPreferences(text);
    expect(r.preferences).toEqual({ skippedVersions: [] });
    expect(r.problem).toMatch(problem);
  });
});
