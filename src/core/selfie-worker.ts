// The engine's selfie worker, started on first use: a one-shot `ingest` never pays for it, and
// the server warms it up at start so the first attendee finds the models open.
import type { Settings } from '../config/index.js';
import type { AnalysedSelfie } from '../photo/index.js';
import { createSelfiePool, type SelfieAnalyser } from '../pipeline/index.js';

/**
 * ONNX threads for a selfie. One: the photo workers already use every core during an event.
 * Two once measured slower even on an idle 2-core laptop (p50 63 ms with one, 95 ms with two),
 * but that was ONNX Runtime's spinning threads, now off (onnx-sessions.ts); without them two
 * threads analyse a photo in ~50 ms instead of ~63 when the laptop is idle.
 */
const SELFIE_ONNX_THREADS = 1;

export interface SelfieWorker {
  analyse(image: Buffer): Promise<AnalysedSelfie>;
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export function createSelfieWorker(settings: Settings): SelfieWorker {
  let pool: SelfieAnalyser | null = null;
  const started = (): SelfieAnalyser =>
    (pool ??= createSelfiePool({
      provider: settings.faces.provider,
      detectorPrecision: settings.faces.detectorPrecision,
      threads: SELFIE_ONNX_THREADS,
      detect: {
        minFacePx: settings.faces.minFacePx,
        minScore: settings.faces.minScore,
        tiling: settings.faces.tiling,
        maxFaces: settings.faces.maxFacesPerPhoto,
      },
    }));
  return {
    analyse: (image) => started().analyse(image),
    warmUp: () => started().warmUp(),
    close: async () => {
      await pool?.close();
      pool = null;
    },
  };
}
