// Per-event settings as saved in the event's row (src/config/event-settings.ts): read back
// safely whatever an older version or a damaged row holds, and patched from the console.
import { describe, expect, it } from 'vitest';
import { applyEventSettingsPatch, readEventSettings, type EventSettings } from '../../../src/config/index.js';

const DEFAULTS: EventSettings = {
  watermark: { enabled: false, text: '' },
  galleryLinkHours: 72,
  optInRetentionDays: 30,
  kioskIdleSeconds: 60,
  welcomeTitle: 'Find your photos',
};

describe('readEventSettings', () => {
  it.each([
    ['nothing saved (null)', null],
    ['nothing saved (undefined)', undefined],
    ['an empty object', {}],
    ['a string', 'galleryLinkHours=72'],
    ['a number', 42],
    ['an array', [1, 2, 3]],
  ])('gives the defaults for %s', (_what, saved) => {
    expect(readEventSettings(saved)).toEqual(DEFAULTS);
  });

  it('keeps every saved value and fills in what an older version did not save', () => {
    expect(readEventSettings({ galleryLinkHours: 24, watermark: { text: '© Studio' } })).toEqual({
      ...DEFAULTS,
      galleryLinkHours: 24,
      watermark: { enabled: false, text: '© Studio' },
    });
  });

  it('reads a fully saved object back unchanged', () => {
    const saved: EventSettings = {
      watermark: { enabled: true, text: 'Lumen' },
      galleryLinkHours: 1,
      optInRetentionDays: 90,
      kioskIdleSeconds: 600,
      welcomeTitle: 'Hello',
    };
    expect(readEventSettings(saved)).toEqual(saved);
  });

  it('always returns settings within the limits, whatever is damaged', () => {
    for (const saved of [
      { galleryLinkHours: -5 },
      { kioskIdleSeconds: 'soon' },
      { watermark: null },
      { welcomeTitle: '' },
      { optInRetentionDays: 1e9 },
    ]) {
      const read = readEventSettings(saved);
      expect(read.galleryLinkHours).toBeGreaterThanOrEqual(1);
      expect(read.kioskIdleSeconds).toBeGreaterThanOrEqual(15);
      expect(read.optInRetentionDays).toBeLessThanOrEqual(90);
      expect(read.welcomeTitle.length).toBeGreaterThan(0);
      expect(typeof read.watermark.enabled).toBe('boolean');
    }
  });

  // The function's contract: "defaults for anything missing or wrong" — one damaged field
  // must not throw away the organiser's other settings.
  it('defaults only the damaged field and keeps the valid ones', () => {
    expect(
      readEventSettings({
        galleryLinkHours: 'three days',
        welcomeTitle: 'Welcome to the gala',
        watermark: { enabled: true, text: 'Lumen' },
      }),
    ).toEqual({
      ...DEFAULTS,
      welcomeTitle: 'Welcome to the gala',
      watermark: { enabled: true, text: 'Lumen' },
    });
  });
});

describe('applyEventSettingsPatch', () => {
  const current: EventSettings = { ...DEFAULTS, galleryLinkHours: 24, watermark: { enabled: true, text: '© Studio' } };

  it('changes only what the patch names', () => {
    expect(applyEventSettingsPatch(current, { kioskIdleSeconds: 90 })).toEqual({ ...current, kioskIdleSeconds: 90 });
  });

  it('merges a partial watermark into the current one', () => {
    expect(applyEventSettingsPatch(current, { watermark: { enabled: false } }).watermark).toEqual({ enabled: false, text: '© Studio' });
    expect(applyEventSettingsPatch(current, { watermark: { text: 'New' } }).watermark).toEqual({ enabled: true, text: 'New' });
  });

  it('an empty patch changes nothing', () => {
    expect(applyEventSettingsPatch(current, {})).toEqual(current);
  });

  it('trims the welcome title', () => {
    expect(applyEventSettingsPatch(current, { welcomeTitle: '  Smile!  ' }).welcomeTitle).toBe('Smile!');
  });

  it('refuses a result outside the limits instead of saving it', () => {
    expect(() => applyEventSettingsPatch(current, { galleryLinkHours: 0 })).toThrow();
  });
});
