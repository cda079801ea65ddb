// How every Shutterfind model opens in ONNX Runtime: on the provider chosen for it, with the
// thread budget the pool allows, and quiet about missing GPU libraries (chooseProvider reports).
import * as ort from 'onnxruntime-node';
import type { ProviderName } from './execution-providers.js';

export function sessionOptions(provider: ProviderName, threads: number): ort.InferenceSession.SessionOptions {
  // ONNX Runtime prints a red error for every missing GPU library before throwing; the
  // fallback reason is reported once, plainly, by chooseProvider instead.
  ort.env.logLevel = 'fatal';
  return {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // The arena keeps the largest run's buffers; runs are kept small instead (one detector tile
    // at a time), which holds a worker near 350 MB. Without the arena faces took ~9% longer.
    enableCpuMemArena: true,
  };
}
