// Coverage feedback from V8 itself: precise block coverage through the inspector. Jazzer.js
// would be the usual tool, but its 4.0.0 native addon needs glibc 2.38 (Debian 12 has 2.36)
// and older releases download their addon from GitHub, which this machine cannot reach.
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';

// V8 reports a nested block only when its count differs from its parent's, and a function
// never run as a single range; both shape what is measurable below.

/** AFL's hit-count buckets: a loop taken 1, 2, 3, 4-7, 8-15... times is a different behaviour. */
function bucket(count: number): number {
  if (count <= 3) return count;
  if (count <= 7) return 4;
  if (count <= 15) return 5;
  if (count <= 31) return 6;
  if (count <= 127) return 7;
  return 8;
}

function fileOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

export interface CoverageProbe {
  /**
   * Behaviours since the last call (V8 resets its counters on every take): each block of a
   * function that ran, with its hit-count bucket, 0 included ("this branch not taken").
   */
  features(): Promise<string[]>;
  /** The raw counts since the last call, for summarise(). */
  raw(): Promise<Profiler.ScriptCoverage[]>;
  close(): Promise<void>;
}

/** Starts block coverage on the current thread, watching scripts whose URL contains `watch`. */
export async function startCoverage(watch: string): Promise<CoverageProbe> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  const raw = async (): Promise<Profiler.ScriptCoverage[]> => {
    const { result } = await session.post('Profiler.takePreciseCoverage');
    return result.filter((script) => script.url.includes(watch));
  };
  return {
    raw,
    async features() {
      const features: string[] = [];
      for (const script of await raw()) {
        const file = fileOf(script.url);
        for (const fn of script.functions) {
          if ((fn.ranges[0]?.count ?? 0) === 0) continue;
          for (const range of fn.ranges) features.push(`${file}:${range.startOffset}-${range.endOffset}#${bucket(range.count)}`);
        }
      }
      return features;
    },
    async close() {
      await session.post('Profiler.stopPreciseCoverage');
      session.disconnect();
    },
  };
}

export interface BlockCoverage {
  /** Block ranges (functions and the branches in them) as V8 reports them for the replay. */
  blocks: number;
  blocksCovered: number;
  functions: number;
  functionsCovered: number;
}

/**
 * Block coverage per file of one accumulated take (a replay of the whole corpus). V8 folds a
 * branch into its parent when their counts are equal, so these are the ranges it reports,
 * not every branch in the source: compare runs of the same code, not different files.
 */
export function summarise(scripts: readonly Profiler.ScriptCoverage[]): Record<string, BlockCoverage> {
  const summary: Record<string, BlockCoverage> = {};
  for (const script of scripts) {
    const file = fileOf(script.url);
    const entry = (summary[file] ??= { blocks: 0, blocksCovered: 0, functions: 0, functionsCovered: 0 });
    for (const fn of script.functions) {
      entry.functions += 1;
      if ((fn.ranges[0]?.count ?? 0) > 0) entry.functionsCovered += 1;
      for (const range of fn.ranges) {
        entry.blocks += 1;
        if (range.count > 0) entry.blocksCovered += 1;
      }
    }
  }
  return summary;
}
