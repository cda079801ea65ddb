// The engine's handle on the selfie worker (workers/selfie-worker.ts).
import { Piscina } from 'piscina';
import { workerScriptPath } from '../pipeline/worker-pool.js';
import type { DetectOptions } from './face-engine.js';
import type { ProviderSetting } from './execution-providers.js';
import type { AnalysedSelfie } from './selfie-analysis.js';

export interface SelfieTask {
  image: Uint8Array;
  provider: ProviderSetting;
  threads: number;
  detect: DetectOptions;
}

export interface SelfieAnalyser {
  analyse(image: Buffer): Promise<AnalysedSelfie>;
  /** Loads the face models now, so the first attendee does not wait for them (about a second). */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export function createSelfiePool(options: { provider: ProviderSetting; threads: number; detect: DetectOptions }): SelfieAnalyser {
  const pool = new Piscina<SelfieTask | Pick<SelfieTask, 'provider' | 'threads'>, AnalysedSelfie | undefined>({
    filename: workerScriptPath('selfie-worker'),
    minThreads: 1,
    maxThreads: 1,
    // Loaded at start-up so the first attendee does not wait for the models to open.
    idleTimeout: 24 * 60 * 60 * 1000,
  });
  return {
    analyse: (image) =>
      pool.run({ image: new Uint8Array(image), provider: options.provider, threads: options.threads, detect: options.detect }) as Promise<AnalysedSelfie>,
    warmUp: async () => {
      await pool.run({ provider: options.provider, threads: options.threads }, { name: 'warmUp' });
    },
    close: () => pool.destroy(),
  };
}
