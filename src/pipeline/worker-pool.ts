// The engine's handle on the photo worker threads (piscina). Tests and the benchmark use the same pool.
import { existsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { packageRoot } from '../config/index.js';
import { Piscina } from 'piscina';
import type { ClipJobResult, ClipJobTask, FaceTaskOptions, PhotoTask, PhotoTaskResult } from '../photo/index.js';

export interface PhotoProcessor {
  readonly threads: number;
  process(task: PhotoTask): Promise<PhotoTaskResult>;
  /** Scene-search back-fill for a photo that is already ready. */
  embedClip(task: ClipJobTask): Promise<ClipJobResult>;
  /**
   * Has each worker open its face models now. Fire and forget: a failure is met again, and
   * reported, by the first photo.
   */
  warmUp(faces: FaceTaskOptions): void;
  close(): Promise<void>;
}

export class WorkerScriptMissingError extends Error {
  override name = 'WorkerScriptMissingError';
}

export { packageRoot } from '../config/index.js';

/** Workers always run compiled JavaScript, also when the engine itself runs from TypeScript in tests. */
export function workerScriptPath(name: string): string {
  const script = join(packageRoot(), 'dist', 'workers', `${name}.js`);
  if (!existsSync(script)) {
    throw new WorkerScriptMissingError(`Worker ${script} is missing: run \`npm run build\` (npm install does this).`);
  }
  return script;
}

/** How long closing a pool waits at most for a thread that is still loading its script. */
export const SCRIPT_LOAD_WAIT_MS = 15_000;

/** Piscina task name the scripts of pools that start their threads with them export: a no-op, answered once its thread has loaded the script. */
export const LOADED_TASK = 'loaded';

/**
 * A function that resolves once every thread the pool has started has loaded its script (or
 * SCRIPT_LOAD_WAIT_MS has passed): each pool's close() awaits it before ending its threads.
 * Ending a thread while Node is still loading its ES module script aborts the whole process (V8
 * "FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated module", from piscina's
 * require() of the script): CI saw it when a re-cluster's thread was closed 200 ms after it
 * started on a loaded machine, and a Ctrl+C right after start could do it to the photo threads.
 *
 * Piscina has two kinds of thread. One started on demand or to replace a thread that died is
 * reported ready (workerCreate) only once it has loaded its script, so counting those events
 * covers it. One started with the pool (minThreads) it counts as ready at once, so for those
 * `startedWith` no-op tasks go out now, one to each idle thread (piscina's least-busy balancer),
 * and each is answered only once its thread has loaded.
 */
export function untilThreadsLoaded(pool: Piscina, startedWith = 0): () => Promise<void> {
  let ready = 0;
  pool.on('workerCreate', () => (ready += 1));
  pool.on('workerDestroy', () => (ready -= 1));
  const firstThreads = Array.from({ length: startedWith }, () => pool.run(undefined, { name: LOADED_TASK }).catch(() => undefined));
  return async () => {
    const giveUpAt = Date.now() + SCRIPT_LOAD_WAIT_MS;
    // Unref'd: the give-up timer outlives the race, and must not keep a stopped process alive.
    await Promise.race([Promise.all(firstThreads), sleep(SCRIPT_LOAD_WAIT_MS, undefined, { ref: false })]);
    while (pool.threads.length > ready && Date.now() < giveUpAt) await sleep(10);
  };
}

/**
 * Memory one photo worker adds at its peak with faces on: ~300 MB measured (a 24 MP decode and
 * three ONNX sessions; 477 MB for the whole process with one worker, 772 MB with two), plus
 * room for a CLIP model.
 */
export const WORKER_MEMORY_MB = 400;
/** Share of the laptop's memory the workers may take: tethering and editing software run beside them. */
const WORKER_MEMORY_SHARE = 0.5;

export interface MachineSize {
  cores: number;
  memoryMb: number;
}

export const thisMachine = (): MachineSize => ({ cores: availableParallelism(), memoryMb: totalmem() / 2 ** 20 });

/**
 * One worker per core, unless that would take more than half the memory: a 16-thread laptop
 * with 8 GB gets 10 workers, not 16. ONNX Runtime then gives each more threads, but decoding
 * stays one core per worker, so fewer workers are slower (here, one worker with two threads took
 * 37 s for 120 photos against ~22 s for two): the cap trades speed for not swapping. A
 * configured count is used as it is.
 */
export function defaultWorkerThreads(configured: number, machine: MachineSize = thisMachine()): number {
  if (configured > 0) return configured;
  const byMemory = Math.floor((machine.memoryMb * WORKER_MEMORY_SHARE) / WORKER_MEMORY_MB);
  return Math.max(1, Math.min(machine.cores, byMemory));
}

/**
 * Old-generation size (MB) each photo worker's V8 heap starts with. A photo's decoded pixels
 * (8 MB at 2048 px) outlive a scavenge, so only a full mark-compact frees them, and that memory
 * counts towards V8's old-generation limit: from V8's small default start a worker ran one full
 * collection per photo or two, with concurrent marking and sweeping on other threads taking the
 * cores the photos need. From 64 MB there are 4 instead of 28 per 40 photos; 120 photos without
 * faces took 210 instead of 226 CPU-ms each (+9% photos/s), at the same resident memory.
 */
export const WORKER_INITIAL_OLD_SPACE_MB = 64;

/**
 * Piscina options that hand tasks out in the order they arrived. By default, each time a thread
 * frees up piscina takes the next waiting task, finds no other free thread and puts it at the
 * back of the queue; under steady load an unlucky task goes round again and again (9 selfies
 * queued at once finished as 0 1 3 5 7 2 6 4 8; kiosks saw a p99 of 7.2 s and a 30 s timeout
 * behind a p50 of 383 ms). `stricterFIFO` puts it back at the front instead.
 */
export const FAIR_QUEUE = { stricterFIFO: true } as const;

export function createPhotoWorkerPool(threads: number): PhotoProcessor {
  // V8 reads heap flags when it creates an isolate, so this applies to the threads started from
  // here on (a worker's resourceLimits can cap its heap but not size its start).
  setFlagsFromString(`--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`);
  const pool = new Piscina<PhotoTask | ClipJobTask | FaceTaskOptions, PhotoTaskResult | ClipJobResult | void>({
    filename: workerScriptPath('photo-worker'),
    minThreads: threads,
    maxThreads: threads,
    // Threads stay up for the whole session: a tethered shoot sends photos every few seconds.
    idleTimeout: 60 * 60 * 1000,
    ...FAIR_QUEUE,
  });
  const loaded = untilThreadsLoaded(pool, threads);
  const warming: Promise<unknown>[] = [];
  return {
    threads,
    process: (task) => pool.run(task) as Promise<PhotoTaskResult>,
    embedClip: (task) => pool.run(task, { name: 'embedClip' }) as Promise<ClipJobResult>,
    warmUp: (faces) => {
      // One task per thread: each takes 100+ ms, so every idle thread picks one up.
      for (let i = 0; i < threads; i++) warming.push(pool.run(faces, { name: 'warmUp' }).catch(() => undefined));
    },
    // A thread ended while it loads its script or while ONNX Runtime is still opening its models
    // aborts the whole process (SIGABRT on a Ctrl+C right after start), so both finish first.
    close: async () => {
      await loaded();
      await Promise.all(warming);
      await pool.destroy();
    },
  };
}
