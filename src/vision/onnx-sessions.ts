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
    // Idle pool threads wait without spinning: between runs the engine crops, warps and resizes
    // (sharp, JavaScript), and spinning threads took the cores that work needed. With two threads,
    // 6 sample photos took 548 ms to analyse spinning and 230 ms not (1 thread: 360 ms); a
    // 1-worker ingest of 120 photos 43.6 s and 64 CPU-seconds spinning, 37.4 s and 46 not.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
