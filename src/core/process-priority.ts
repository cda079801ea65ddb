// Batch work started from the command line (a re-cluster compares every pair of faces on every
// core for seconds to minutes) gives way to a `serve` running on the same laptop, so photos keep
// arriving and kiosks keep answering while it runs. On an otherwise idle machine a lower
// priority costs nothing.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Nice value for batch work: the scheduler gives a nice-0 process ~9x its share of a busy core. */
export const BACKGROUND_NICE = 10;

/**
 * The process's threads, where the OS keeps priority per thread (Linux): each must be lowered,
 * and threads started later inherit from the thread that starts them.
 */
function threadIds(): number[] {
  if (process.platform !== 'linux') return [0];
  try {
    return readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    return [0];
  }
}

/**
 * Lowers this process to BACKGROUND_NICE (never raises it: a process started nicer stays so).
 * Call it before the work starts its thread pools. False when the OS refused (the work then runs
 * at normal priority, which is only slower for a running serve, never wrong).
 */
export function runAsBackgroundWork(): boolean {
  let lowered = true;
  for (const tid of threadIds()) {
    try {
      if (getPriority(tid) < BACKGROUND_NICE) setPriority(tid, BACKGROUND_NICE);
    } catch (err) {
      // A thread that ended between the listing and here needs nothing; any other refusal is reported.
      if ((err as { info?: { code?: string } }).info?.code !== 'ESRCH') lowered = false;
    }
  }
  return lowered;
}
