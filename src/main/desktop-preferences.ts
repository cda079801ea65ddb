// What the desktop app remembers between runs (in Electron's userData folder, not the data dir:
// it says where the data dir is): the first-run setup, the kiosk's screen, skipped updates.
import { z } from 'zod';
import { firstRunSetupSchema } from './first-run-setup.js';

export const desktopPreferencesSchema = z.object({
  setup: firstRunSetupSchema.optional(),
  kioskDisplayId: z.number().int().optional(),
  skippedVersions: z.array(z.string()).default([]),
  /** The update feed (electron-updater's generic provider); SHUTTERFIND_UPDATE_URL overrides it. */
  updateFeed: z.string().url().optional(),
});

export type DesktopPreferences = z.infer<typeof desktopPreferencesSchema>;

/** The preferences in a file's text; a damaged or foreign file means a fresh first run, never a crash. */
export function readDesktopPreferences(text: string | null): { preferences: DesktopPreferences; problem: string | null } {
  if (text === null) return { preferences: { skippedVersions: [] }, problem: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { preferences: { skippedVersions: [] }, problem: `not JSON (${(err as Error).message})` };
  }
  const parsed = desktopPreferencesSchema.safeParse(json);
  return parsed.success
    ? { preferences: parsed.data, problem: null }
    : { preferences: { skippedVersions: [] }, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}
