// The fuzzing loop, on a worker thread so the main thread can stop it when one input hangs
// (worker.terminate() interrupts even a synchronous endless loop). Before each execution the
// input goes into shared memory, so the main thread can save the one that hung.
import { parentPort, workerData } from 'node:worker_threads';
import { startCoverage } from './coverage.js';
import { describeError } from './harnesses.js';
import { mutate, seededRandom } from './mutate.js';
import { SHARED_HEADER_BYTES, type WorkerInput, type WorkerMessage } from './protocol.js';
import { TARGETS } from './targets.js';

const STATS_EVERY_MS = 5_000;

async function main(): Promise<void> {
  const data = workerData as WorkerInput;
  const port = parentPort;
  if (port === null) throw new Error('test/fuzz/worker.ts must run as a worker thread');
  const header = new Int32Array(data.shared, 0, 2);
  const inputView = new Uint8Array(data.shared, SHARED_HEADER_BYTES);
  const target = TARGETS[data.target];
  const coverage = await startCoverage('/src/ingest/');
  const random = seededRandom(data.randomSeed);
  const seen = new Set<string>();
  const corpus: Uint8Array[] = [];
  let execs = 0;

  const timeOf = async (input: Uint8Array): Promise<number> => {
    const started = performance.now();
    try {
      await target.run(input);
    } catch {
      // Already reported by the first run; only the time matters here.
    }
    return performance.now() - started;
  };

  const execute = async (input: Uint8Array): Promise<boolean> => {
    inputView.set(input.subarray(0, data.maxLength));
    Atomics.store(header, 1, Math.min(input.length, data.maxLength));
    Atomics.add(header, 0, 1);
    const started = performance.now();
    try {
      await target.run(input);
    } catch (error) {
      port.postMessage({
        type: 'finding',
        kind: 'crash',
        message: describeError(error),
        input,
        ms: performance.now() - started,
      } satisfies WorkerMessage);
    }
    const ms = performance.now() - started;
    execs += 1;
    // On a shared machine under nice 19 a descheduled or collecting thread looks slow once;
    // an input is slow only if a second run is slow too.
    if (ms > data.slowMs && (await timeOf(input)) > data.slowMs) {
      port.postMessage({
        type: 'finding',
        kind: 'slow',
        message: `took ${Math.round(ms)} ms on ${input.length} bytes`,
        input,
        ms,
      } satisfies WorkerMessage);
    }
    let novel = false;
    for (const feature of await coverage.features()) {
      if (!seen.has(feature)) {
        seen.add(feature);
        novel = true;
      }
    }
    return novel;
  };

  if (data.replayOnly) {
    await coverage.raw();
    for (const input of data.corpus) {
      try {
        await target.run(input);
      } catch {
        // Findings were recorded when they were found; the replay only measures coverage.
      }
    }
    port.postMessage({ type: 'replayed', scripts: await coverage.raw() } satisfies WorkerMessage);
    await coverage.close();
    return;
  }

  await coverage.raw(); // drop what loading the modules counted
  for (const input of data.corpus) {
    // Keep every input handed over: the main thread already chose them for new coverage.
    await execute(input);
    corpus.push(input);
  }
  let lastStats = Date.now();
  while (Date.now() < data.deadline) {
    const parent = corpus[Math.floor(random() * corpus.length)] as Uint8Array;
    const other = corpus[Math.floor(random() * corpus.length)] as Uint8Array;
    const child = mutate(parent, other, random, data.maxLength);
    if (await execute(child)) {
      corpus.push(child);
      port.postMessage({ type: 'corpus', input: child } satisfies WorkerMessage);
    }
    if (Date.now() - lastStats >= STATS_EVERY_MS) {
      lastStats = Date.now();
      port.postMessage({ type: 'stats', execs, features: seen.size, corpus: corpus.length } satisfies WorkerMessage);
    }
  }
  port.postMessage({ type: 'stats', execs, features: seen.size, corpus: corpus.length } satisfies WorkerMessage);
  port.postMessage({ type: 'done', execs } satisfies WorkerMessage);
  await coverage.close();
}

await main();
