// How busy the whole machine is, so the benchmark can tell its own figures from those of
// whatever else shares the two cores (a test suite, a build): it waits for quiet and reports.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ (getconf CLK_TCK) on every Linux build we run on

/** CPU seconds all cores together have spent busy since boot, or null off Linux. */
export function machineBusySeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const fields = /^cpu\s+(.*)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
}

/** This process's own CPU seconds (user + system). */
export const ownCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Cores kept busy by other processes over a window, given the CPU seconds the processes
 * being measured used in it. Clamped at 0: the two clocks tick at different granularities.
 */
export function otherCores(busyBefore: number | null, busyAfter: number | null, ownSeconds: number, windowMs: number): number | null {
  if (busyBefore === null || busyAfter === null || windowMs <= 0) return null;
  return Math.max(0, (busyAfter - busyBefore - ownSeconds) / (windowMs / 1000));
}

export interface QuietCheck {
  /** Cores other processes kept busy in the last sample before starting. */
  backgroundCores: number | null;
  waitedMs: number;
  quiet: boolean;
}

const SAMPLE_MS = 2_000;

/** Waits (up to maxWaitMs) until other processes use less than `threshold` cores. */
export async function waitForQuietMachine(threshold: number, maxWaitMs: number, onWait: (cores: number) => void): Promise<QuietCheck> {
  const started = Date.now();
  for (;;) {
    const busy0 = machineBusySeconds();
    const own0 = ownCpuSeconds();
    const t0 = Date.now();
    await sleep(SAMPLE_MS);
    const cores = otherCores(busy0, machineBusySeconds(), ownCpuSeconds() - own0, Date.now() - t0);
    const waitedMs = Date.now() - started;
    if (cores === null || cores < threshold) return { backgroundCores: cores, waitedMs, quiet: true };
    if (waitedMs >= maxWaitMs) return { backgroundCores: cores, waitedMs, quiet: false };
    onWait(cores);
  }
}
