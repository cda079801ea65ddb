// Batch work from the CLI (recluster) runs below a `serve` on the same laptop: every thread of
// the process, including the ONNX Runtime pool opened afterwards, at the background nice value.
// Runs in a child process, since lowering a priority cannot be undone without privileges.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE } from '../../../src/core/index.js';

const dist = (path: string) => fileURLToPath(new URL(`../../../dist/src/${path}`, import.meta.url));

/** Opens an ONNX Runtime session with a thread pool, optionally after lowering the process, and reports every thread's nice value. */
function threadNices(lowerFirst: boolean): { lowered: boolean | null; threads: number; nices: number[] } {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { pathToFileURL } from 'node:url';
    const { runAsBackgroundWork } = await import(pathToFileURL(${JSON.stringify(dist('core/process-priority.js'))}).href);
    const lowered = ${lowerFirst} ? runAsBackgroundWork() : null;
    const { FaceEngine } = await import(pathToFileURL(${JSON.stringify(dist('vision/face-engine.js'))}).href);
    const engine = await FaceEngine.open({ provider: 'cpu', threads: 2 });
    const nices = readdirSync('/proc/self/task').map((t) => Number(readFileSync('/proc/self/task/' + t + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
    await engine.release();
    process.stdout.write(JSON.stringify({ lowered, threads: nices.length, nices }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
    lowered: boolean | null;
    threads: number;
    nices: number[];
  };
}

describe.runIf(process.platform === 'linux')('background priority for CLI batch work', () => {
  it('runs every thread, also those ONNX Runtime starts afterwards, at the background nice value', () => {
    const normal = threadNices(false);
    expect(new Set(normal.nices)).toEqual(new Set([0]));
    const background = threadNices(true);
    expect(background.lowered).toBe(true);
    // The ONNX Runtime pool's threads exist by now: as many threads as in the normal run.
    expect(background.threads).toBe(normal.threads);
    expect(new Set(background.nices)).toEqual(new Set([BACKGROUND_NICE]));
  });
});
