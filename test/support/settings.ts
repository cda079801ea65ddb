// Settings a test gives a data dir before the CLI starts on it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingsInput } from '../../src/config/index.js';

/**
 * Pipeline tests feed synthetic 24 MP noise frames with no faces in them, where the face stage
 * would search every tile level for nothing; they switch it off to test what they are about.
 */
export const WITHOUT_FACES: SettingsInput = { faces: { enabled: false } };

export function writeSettings(dataDir: string, settings: SettingsInput): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings));
}
