// npm run fuzz -- --target tiff --minutes 31 [--seed 1] [--out test/bench/results/fuzz-tiff.json]
// Coverage-guided fuzzing of the hand-written format code (see coverage.ts for why not
// Jazzer.js). Keeps inputs that reach new V8 blocks or hit counts, restarts the worker after
// a hang or a crash of the thread, and writes executions, coverage and findings as JSON.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Profiler } from 'node:inspector';
import { summarise, type BlockCoverage } from './coverage.js';
import { seedsFor } from './seeds.js';
import { TARGETS, TARGET_NAMES, isTargetName, type TargetName } from './targets.js';
import { SHARED_HEADER_BYTES, type WorkerInput, type WorkerMessage } from './protocol.js';

// Inputs stay below this so one execution costs about a millisecond; the seeds are 3-12 KB.
const MAX_INPUT_BYTES = 64 * 1024;
// No input this small needs more than a few ms even on a loaded machine (the worker re-runs a
// slow input to confirm); a quarter second means a quadratic (or worse) walk: the tangled-JPEG
// search took 0.8 s on 64 KiB.
const SLOW_MS = 250;
// Under nice 19 on a shared machine a healthy worker can stall for a while; an endless loop does not recover.
const HANG_MS = 20_000;
const WATCHDOG_EVERY_MS = 1_000;

interface Finding {
  kind: 'crash' | 'slow' | 'hang' | 'worker-died';
  signature: string;
  message: string;
  count: number;
  firstAtSeconds: number;
  inputBytes: number;
  savedAs: string;
}

function signatureOf(kind: string, message: string): string {
  // Same failure at the same place, whatever the byte offsets in the message.
  const firstLine = (message.split('\n')[0] ?? '').replace(/\d+/g, 'N');
  const frame = message.split('\n').find((line) => line.includes('/src/')) ?? '';
  return `${kind}: ${firstLine} ${frame.trim().replace(/:\d+:\d+\)?$/, '')}`;
}

function options() {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      minutes: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      work: { type: 'string' },
    },
  });
  if (values.target === undefined || !isTargetName(values.target)) {
    throw new Error(`--target must be one of: ${TARGET_NAMES.join(', ')}`);
  }
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', 'T');
  return {
    target: values.target,
    minutes,
    seed: Number(values.seed),
    out: values.out ?? join('test', 'bench', 'results', `fuzz-${values.target}-${stamp}Z.json`),
    work: values.work ?? join(tmpdir(), 'shutterfind-fuzz', values.target),
  };
}

function startWorker(input: WorkerInput): Worker {
  return new Worker(new URL('./worker-entry.mjs', import.meta.url), {
    workerData: input,
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
}

async function replayCoverage(target: TargetName, corpus: Uint8Array[], shared: SharedArrayBuffer): Promise<Record<string, BlockCoverage>> {
  const worker = startWorker({
    target,
    corpus,
    randomSeed: 0,
    deadline: 0,
    maxLength: MAX_INPUT_BYTES,
    slowMs: SLOW_MS,
    shared,
    replayOnly: true,
  });
  return new Promise((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'replayed') resolve(summarise(message.scripts as Profiler.ScriptCoverage[]));
    });
    worker.on('error', reject);
  });
}

async function main(): Promise<void> {
  const opts = options();
  const findingsDir = join(opts.work, 'findings');
  const corpusDir = join(opts.work, 'corpus');
  await mkdir(findingsDir, { recursive: true });
  await mkdir(corpusDir, { recursive: true });

  const seeds = await seedsFor(opts.target);
  const corpus: Uint8Array[] = [...seeds];
  const startedAt = Date.now();
  const deadline = startedAt + opts.minutes * 60_000;
  const shared = new SharedArrayBuffer(SHARED_HEADER_BYTES + MAX_INPUT_BYTES);
  const header = new Int32Array(shared, 0, 2);
  const findings = new Map<string, Finding>();
  let features = 0;
  let restarts = 0;
  const log = (line: string): void => console.log(`[fuzz ${opts.target} ${Math.round((Date.now() - startedAt) / 1000)}s] ${line}`);

  const record = async (kind: Finding['kind'], message: string, input: Uint8Array): Promise<void> => {
    const signature = signatureOf(kind, message);
    const known = findings.get(signature);
    if (known !== undefined) {
      known.count += 1;
      return;
    }
    const hash = createHash('sha256').update(input).digest('hex').slice(0, 12);
    const savedAs = join(findingsDir, `${kind}-${hash}.bin`);
    await writeFile(savedAs, input);
    findings.set(signature, {
      kind,
      signature,
      message: message.slice(0, 2000),
      count: 1,
      firstAtSeconds: Math.round((Date.now() - startedAt) / 1000),
      inputBytes: input.length,
      savedAs,
    });
    log(`NEW ${kind} (${input.length} bytes, ${savedAs}): ${message.split('\n')[0]}`);
  };

  const sharedInput = (): Uint8Array => new Uint8Array(shared, SHARED_HEADER_BYTES, Atomics.load(header, 1)).slice();

  // One worker life: ends at the deadline, or early on a hang or a dead thread.
  const runWorker = (): Promise<void> =>
    new Promise((resolve) => {
      const worker = startWorker({
        target: opts.target,
        corpus,
        randomSeed: opts.seed + restarts * 7919,
        deadline,
        maxLength: MAX_INPUT_BYTES,
        slowMs: SLOW_MS,
        shared,
        replayOnly: false,
      });
      const beatAtStart = Atomics.load(header, 0);
      let lastBeat = beatAtStart;
      let lastBeatAt = Date.now();
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        resolve();
      };
      const watchdog = setInterval(() => {
        const beat = Atomics.load(header, 0);
        if (beat !== lastBeat) {
          lastBeat = beat;
          lastBeatAt = Date.now();
          return;
        }
        if (Date.now() - lastBeatAt < HANG_MS) return;
        const input = sharedInput();
        void record('hang', `no progress for ${HANG_MS / 1000} s`, input)
          .then(() => worker.terminate())
          .then(finish);
      }, WATCHDOG_EVERY_MS);
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'stats':
            features = Math.max(features, message.features);
            log(`${Atomics.load(header, 0)} execs, ${message.features} features, corpus ${corpus.length}`);
            break;
          case 'corpus': {
            corpus.push(message.input);
            const hash = createHash('sha256').update(message.input).digest('hex').slice(0, 16);
            void writeFile(join(corpusDir, hash), message.input);
            break;
          }
          case 'finding':
            void record(message.kind, message.message, message.input);
            break;
          case 'done':
            void worker.terminate().then(finish);
            break;
          case 'replayed':
            break;
        }
      });
      // Out of memory or an error thrown outside the harness (e.g. a stack overflow in a promise chain).
      worker.on('error', (error) => {
        // A worker that never ran an input failed to start: a broken set-up, not a finding.
        if (Atomics.load(header, 0) === beatAtStart) {
          console.error(error);
          process.exit(2);
        }
        void record('worker-died', String(error), sharedInput()).then(finish);
      });
      worker.on('exit', finish);
    });

  log(`${TARGETS[opts.target].what}; ${seeds.length} seeds, ${opts.minutes} min, seed ${opts.seed}`);
  while (Date.now() < deadline) {
    await runWorker();
    if (Date.now() < deadline) restarts += 1;
  }
  const executions = Atomics.load(header, 0);
  const coverage = await replayCoverage(opts.target, corpus, new SharedArrayBuffer(SHARED_HEADER_BYTES + MAX_INPUT_BYTES));
  const result = {
    target: opts.target,
    what: TARGETS[opts.target].what,
    fuzzer: 'test/fuzz (V8 precise block coverage via node:inspector, havoc mutations)',
    date: new Date(startedAt).toISOString(),
    minutes: Math.round(((Date.now() - startedAt) / 60_000) * 10) / 10,
    randomSeed: opts.seed,
    cpu: cpus()[0]?.model ?? 'unknown',
    executions,
    executionsPerSecond: Math.round(executions / ((Date.now() - startedAt) / 1000)),
    seeds: seeds.length,
    corpus: corpus.length,
    features,
    coverage,
    workerRestarts: restarts,
    findings: [...findings.values()],
  };
  await mkdir(join(opts.out, '..'), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify(result, null, 2)}\n`);
  log(`done: ${executions} execs, coverage ${JSON.stringify(coverage)}, ${findings.size} distinct findings -> ${opts.out}`);
}

try {
  await main();
} catch (error) {
  // A usage mistake deserves its one line, not a stack trace.
  console.error(`npm run fuzz: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`usage: npm run fuzz -- --target <${TARGET_NAMES.join('|')}> [--minutes 31] [--seed 1] [--out file.json] [--work dir]`);
  process.exitCode = 1;
}
