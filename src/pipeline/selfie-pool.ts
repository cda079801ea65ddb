// The engine's handle on the selfie worker (workers/selfie-worker.ts).
import { Piscina } from 'piscina';
import { FAIR_QUEUE, untilThreadsLoaded, workerScriptPath } from './worker-pool.js';
import type { AnalysedSelfie, SelfieTask } from '../photo/index.js';

export interface SelfieAnalyser {
  analyse(image: Buffer): Promise<AnalysedSelfie>;
  /** Loads the face models now, so the first attendee does not wait for them (about a second). */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export function createSelfiePool(options: Omit<SelfieTask, 'image'>): SelfieAnalyser {
  const pool = new Piscina<SelfieTask | Omit<SelfieTask, 'image' | 'detect'>, AnalysedSelfie | undefined>({
    filename: workerScriptPath('selfie-worker'),
    minThreads: 1,
    maxThreads: 1,
    // Loaded at start-up so the first attendee does not wait for the models to open.
    idleTimeout: 24 * 60 * 60 * 1000,
    // Attendees are answered in the order they pressed the button (see FAIR_QUEUE).
    ...FAIR_QUEUE,
  });
  const loaded = untilThreadsLoaded(pool, 1);
  let warming: Promise<unknown> = Promise.resolve();
  return {
    analyse: (image) => pool.run({ ...options, image: new Uint8Array(image) }) as Promise<AnalysedSelfie>,
    warmUp: async () => {
      const run = pool.run(
        { provider: options.provider, detectorPrecision: options.detectorPrecision, threads: options.threads },
        { name: 'warmUp' },
      );
      warming = run.catch(() => undefined);
      await run;
    },
    // Ending the thread while it loads its script or while ONNX Runtime is still opening the
    // models aborts the process (untilThreadsLoaded).
    close: async () => {
      await loaded();
      await warming;
      await pool.destroy();
    },
  };
}
