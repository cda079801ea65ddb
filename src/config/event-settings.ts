// Per-event settings the organiser changes from the console: gallery watermark, how long
// links and opted-in selfies are kept, kiosk behaviour, the offline gallery's colours. Saved in
// the event's row (a JSON column: a new field needs no migration, old rows read it as its default).
import { z } from 'zod';

/**
 * The same rule as the HTML gallery's cssColour() (src/export/html-gallery/branding.ts), which
 * config may not import: the colour lands in a <style> block, so only hex, rgb(), hsl() or a
 * keyword. test/unit/config/event-settings.test.ts checks that both rules agree.
 */
const GALLERY_COLOUR = [
  /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i,
  /^(?:rgb|rgba|hsl|hsla)\([0-9.,%\s/deg]+\)$/i,
  /^[a-z]{3,20}$/i,
];

/** True for a colour the offline gallery accepts; the empty string (the default look) is not one. */
export const isGalleryColour = (value: string): boolean => GALLERY_COLOUR.some((pattern) => pattern.test(value.trim()));

/** One of the gallery's colours: '' for the gallery's own look. */
const galleryColourSchema = z
  .string()
  .trim()
  .max(60)
  .refine((v) => v === '' || isGalleryColour(v), {
    message: 'Give a CSS colour such as #1e3a8a, rgb(30, 58, 138) or navy, or an empty text for the default look.',
  });

export const eventSettingsSchema = z.object({
  watermark: z
    .object({
      enabled: z.boolean().default(false),
      text: z.string().trim().max(80).default(''),
    })
    .prefault({}),
  /** Three days: long enough to download at home after a weekend event, short enough to limit a leaked link. */
  galleryLinkHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(72),
  /** An opted-in attendee's embedding is kept this long to find new photos, then deleted. */
  optInRetentionDays: z.number().int().min(1).max(90).default(30),
  kioskIdleSeconds: z.number().int().min(15).max(600).default(60),
  welcomeTitle: z.string().trim().min(1).max(80).default('Find your photos'),
  /** The offline HTML gallery's colours (its logo is a file in the event's folder, not a setting). */
  gallery: z
    .object({
      accent: galleryColourSchema.default(''),
      background: galleryColourSchema.default(''),
    })
    .prefault({}),
});

export type EventSettings = z.infer<typeof eventSettingsSchema>;

/** A partial update from the console: every field optional, the same limits. */
export const eventSettingsPatchSchema = z
  .object({
    watermark: z.object({ enabled: z.boolean(), text: z.string().trim().max(80) }).partial(),
    galleryLinkHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90),
    optInRetentionDays: z.number().int().min(1).max(90),
    kioskIdleSeconds: z.number().int().min(15).max(600),
    welcomeTitle: z.string().trim().min(1).max(80),
    gallery: z.object({ accent: galleryColourSchema, background: galleryColourSchema }).partial(),
  })
  .partial()
  .strict();

export type EventSettingsPatch = z.infer<typeof eventSettingsPatchSchema>;

/**
 * Saved settings (possibly from an older version, possibly damaged) with defaults for anything
 * missing or wrong, field by field: one bad value must not cost the organiser the others.
 */
export function readEventSettings(saved: unknown): EventSettings {
  const whole = eventSettingsSchema.safeParse(saved ?? {});
  if (whole.success) return whole.data;
  const defaults = eventSettingsSchema.parse({});
  const input = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
  const fields = eventSettingsSchema.shape;
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(fields) as (keyof EventSettings)[]) {
    const one = fields[key].safeParse(input[key]);
    kept[key] = one.success ? one.data : defaults[key];
  }
  // Within a group (watermark, gallery colours), one bad value costs only itself too.
  for (const key of ['watermark', 'gallery'] as const) {
    const group = input[key];
    if (typeof group !== 'object' || group === null || fields[key].safeParse(group).success) continue;
    const shape: Record<string, z.ZodType> = fields[key].unwrap().shape;
    const fallback: Record<string, unknown> = defaults[key];
    kept[key] = Object.fromEntries(
      Object.entries(shape).map(([name, schema]) => {
        const one = schema.safeParse((group as Record<string, unknown>)[name]);
        return [name, one.success ? one.data : fallback[name]];
      }),
    );
  }
  return eventSettingsSchema.parse(kept);
}

/** The text drawn on what attendees see (take-home previews, downloads, ZIPs), or null when watermarking is off. */
export const attendeeWatermark = (settings: EventSettings): string | null =>
  settings.watermark.enabled && settings.watermark.text ? settings.watermark.text : null;

export function applyEventSettingsPatch(current: EventSettings, patch: EventSettingsPatch): EventSettings {
  return eventSettingsSchema.parse({
    ...current,
    ...patch,
    watermark: { ...current.watermark, ...patch.watermark },
    gallery: { ...current.gallery, ...patch.gallery },
  });
}
