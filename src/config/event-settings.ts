// Per-event settings the organiser changes from the console: gallery watermark, how long
// links and opted-in selfies are kept, kiosk behaviour. Saved in the event's row.
import { z } from 'zod';

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
  if (typeof input.watermark === 'object' && input.watermark !== null && !fields.watermark.safeParse(input.watermark).success) {
    const w = input.watermark as Record<string, unknown>;
    const wf = fields.watermark.unwrap().shape;
    kept.watermark = {
      enabled: wf.enabled.safeParse(w.enabled).data ?? defaults.watermark.enabled,
      text: wf.text.safeParse(w.text).data ?? defaults.watermark.text,
    };
  }
  return eventSettingsSchema.parse(kept);
}

export function applyEventSettingsPatch(current: EventSettings, patch: EventSettingsPatch): EventSettings {
  return eventSettingsSchema.parse({ ...current, ...patch, watermark: { ...current.watermark, ...patch.watermark } });
}
