// An engine on a temp data dir, as `serve` builds it, for tests that need to watch it work.
import { createLogger, openEngine, type Engine } from '../../src/core/index.js';
import type { SettingsInput } from '../../src/config/index.js';
import type { IntakeMode } from '../../src/ingest/index.js';

/** Faces are off unless the test asks for them: most engine tests use synthetic frames without faces. */
export async function startTestEngine(dataDir: string, mode: IntakeMode, settings: SettingsInput = {}): Promise<Engine> {
  return openEngine({
    dataDir,
    mode,
    log: createLogger({ logDir: null, terminal: 'none' }),
    settings: { ...settings, pipeline: { workers: 2, ...settings.pipeline }, faces: { enabled: false, ...settings.faces } },
  });
}
