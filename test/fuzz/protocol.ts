// What the fuzzing main thread and its worker (worker.ts) pass each other.
import type { TargetName } from './targets.js';

export interface WorkerInput {
  target: TargetName;
  corpus: Uint8Array[];
  randomSeed: number;
  deadline: number;
  maxLength: number;
  slowMs: number;
  /** Int32 [heartbeat, input length], then maxLength bytes of input. */
  shared: SharedArrayBuffer;
  /** Replay the corpus once and report coverage instead of fuzzing. */
  replayOnly: boolean;
}

export type WorkerMessage =
  | { type: 'stats'; execs: number; features: number; corpus: number }
  | { type: 'corpus'; input: Uint8Array }
  | { type: 'finding'; kind: 'crash' | 'slow'; message: string; input: Uint8Array; ms: number }
  | { type: 'replayed'; scripts: unknown }
  | { type: 'done'; execs: number };

export const SHARED_HEADER_BYTES = 8;
