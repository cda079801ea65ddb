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
  galleryLinkHours: z.number().int().min(1).max(24 * 90).default(72),
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
    galleryLinkHours: z.number().int().min(1).max(24 * 90),
    optInRetentionDays: z.number().int().min(1).max(90),
    kioskIdleSeconds: z.number().int().min(15).max(600),
    welcomeTitle: z.string().trim().min(1).max(80),
  })
  .partial()
  .strict();

export type EventSettingsPatch = z.infer<typeof eventSettingsPatchSchema>;

/** Saved settings (possibly from an older version, possibly damaged) read with defaults for anything missing or wrong. */
export function readEventSettings(saved: unknown): EventSettings {
  const parsed = eventSettingsSchema.safeParse(saved ?? {});
  return parsed.success ? parsed.data : eventSettingsSchema.parse({});
}

export function applyEventSettingsPatch(current: EventSettings, patch: EventSettingsPatch): EventSettings {
  return eventSettingsSchema.parse({ ...current, ...patch, watermark: { ...current.watermark, ...patch.watermark } });
}
