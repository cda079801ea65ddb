// CPU time of this process split into the photos' own work and the rest, from Linux's /proc.
// bench:sync uses it to take this machine's drift out of its paired ingests: the same 16 photos
// cost the photo threads 4.6 s of CPU in one window and 5.8 s twenty seconds later, with or
// without the sync (a shared virtual machine), which moved single pairs by ±20%.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  /** The photo pipeline's own work: the whole process's CPU less `restMs`. */
  photosMs: number;
  /** The main thread (sync, the pipeline's coordination), libuv's pool and V8's helpers: threads at nice < 10 other than libvips'. */
  restMs: number;
}

/** What a snapshot holds: the process's CPU, and each "rest" thread's by id. */
export interface ThreadCpuSnapshot {
  processMs: number;
  rest: Map<string, number>;
}

/** Clock ticks are 10 ms on Linux (USER_HZ 100). */
const MS_PER_TICK = 10;

const processMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Null where /proc is not there (not Linux): the bench then reports the raw pairs alone. Photo
 * threads are not summed thread by thread: libvips ends idle pool threads, and a thread that ended
 * takes its CPU time out of /proc (one pair read 2.0 s where 5 s were spent). The process's own
 * total keeps it; the long-lived "rest" threads are counted one by one and taken from it.
 */
export function threadCpu(): ThreadCpuSnapshot | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const rest = new Map<string, number>();
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // comm is in parentheses and may hold spaces; the fields after it are space-separated.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const nice = Number(fields[16]);
    if (comm.startsWith('libvips') || nice >= 10) continue;
    rest.set(tid, (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK); // utime + stime
  }
  return { processMs: processMs(), rest };
}

export function threadCpuSince(before: ThreadCpuSnapshot | null): ThreadCpu | null {
  const now = threadCpu();
  if (!before || !now) return null;
  let restMs = 0;
  for (const [tid, ms] of now.rest) restMs += ms - (before.rest.get(tid) ?? 0);
  return { photosMs: Math.round(now.processMs - before.processMs - restMs), restMs };
}
