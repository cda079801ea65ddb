// Per-event settings as saved in the event's row (src/config/event-settings.ts): read back
// safely whatever an older version or a damaged row holds, and patched from the console.
import { describe, expect, it } from 'vitest';
import {
  applyEventSettingsPatch,
  eventSettingsPatchSchema,
  isGalleryColour,
  readEventSettings,
  type EventSettings,
} from '../../../src/config/index.js';
import { cssColour } from '../../../src/export/html-gallery/branding.js';

const DEFAULTS: EventSettings = {
  watermark: { enabled: false, text: '' },
  galleryLinkHours: 72,
  optInRetentionDays: 30,
  kioskIdleSeconds: 60,
  welcomeTitle: 'Find your photos',
  gallery: { accent: '', background: '' },
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
      gallery: { accent: '#1e3a8a', background: 'ivory' },
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

describe('the offline gallery colours in the settings', () => {
  it('reads settings saved before the gallery had colours as the default look', () => {
    expect(readEventSettings({ galleryLinkHours: 24, watermark: { enabled: true, text: 'Lumen' } }).gallery).toEqual({
      accent: '',
      background: '',
    });
  });

  it('keeps a valid colour and defaults only the damaged one', () => {
    expect(readEventSettings({ welcomeTitle: 'Gala', gallery: { accent: 'url(javascript:x)', background: '#0b1f3a' } })).toEqual({
      ...DEFAULTS,
      welcomeTitle: 'Gala',
      gallery: { accent: '', background: '#0b1f3a' },
    });
  });

  it.each([null, 'navy', 42, []])('gives the default look for a gallery saved as %j', (gallery) => {
    expect(readEventSettings({ gallery }).gallery).toEqual({ accent: '', background: '' });
  });

  it('saves a colour from the console and merges a partial change', () => {
    const navy = applyEventSettingsPatch(DEFAULTS, { gallery: { background: '  #0b1f3a ' } });
    expect(navy.gallery).toEqual({ accent: '', background: '#0b1f3a' });
    expect(applyEventSettingsPatch(navy, { gallery: { accent: 'rgb(194, 65, 12)' } }).gallery).toEqual({
      accent: 'rgb(194, 65, 12)',
      background: '#0b1f3a',
    });
    expect(applyEventSettingsPatch(navy, { gallery: { background: '' } }).gallery.background).toBe('');
  });

  // The settings mirror the gallery's own rule (config may not import export): they must agree.
  it.each([
    '#fff',
    '#1e3a8a',
    '#1e3a8a80',
    'rgb(30, 58, 138)',
    'hsl(220 64% 33% / 0.5)',
    'navy',
    'red; } body { display: none',
    'url(x)',
    'expression(alert(1))',
    '#12345',
    'var(--x)',
    '</style><script>',
  ])('accepts %j exactly when the HTML gallery does', (colour) => {
    expect(isGalleryColour(colour)).toBe(cssColour(colour) !== null);
    expect(eventSettingsPatchSchema.safeParse({ gallery: { accent: colour } }).success).toBe(cssColour(colour) !== null);
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
