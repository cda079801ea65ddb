// Runs `shutterfind serve` as a child process, exactly as a photographer starts it, and reads
// its memory and CPU from /proc (worker threads live in the same process, so these are the app's).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export interface AppMemory {
  rssKb: number;
  /** VmHWM: the kernel's own peak resident set size for the process. */
  hwmKb: number;
}

export interface ThreadCpu {
  tid: number;
  name: string;
  cpuSeconds: number;
}

export interface AppCpu {
  cpuSeconds: number;
  threads: ThreadCpu[];
}

export interface AppStop {
  /** True when the app exited with code 0 after SIGTERM. */
  clean: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stopMs: number;
  /** How long it was given after SIGTERM. */
  graceMs: number;
  /** SIGTERM did not end it within the grace period, so it was killed. */
  killed: boolean;
}

export interface AppProcess {
  readonly pid: number;
  readonly url: string | null;
  /** Settles when the process exits, for whatever reason. */
  readonly exited: Promise<AppExit>;
  exit(): AppExit | null;
  /** The last lines the app wrote to stderr (its terminal log). */
  stderrTail(): string[];
  memory(): AppMemory | null;
  /** Ids of the threads alive right now (empty once exited). */
  threadIds(): number[];
  cpu(): AppCpu | null;
  stop(graceMs: number): Promise<AppStop>;
  /** Immediate SIGKILL, for cleanup paths; safe to call after exit. */
  kill(): void;
}

export interface StartAppOptions {
  repoRoot: string;
  event: string;
  watchDir: string;
  dataDir: string;
  readyTimeoutMs: number;
  extraArgs?: string[];
  /** Variables added to the app's environment (e.g. MALLOC_ARENA_MAX for a memory experiment). */
  extraEnv?: Record<string, string>;
}

const STDERR_TAIL_LINES = 200;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on every Linux build we run on (getconf CLK_TCK)

function procMemory(pid: number): AppMemory | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null; // the process has exited
  }
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : 0;
  };
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** utime + stime from a /proc stat line; the name sits in parentheses and may hold spaces. */
function parseStat(line: string): { name: string; cpuSeconds: number } | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < 0) return null;
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return { name: line.slice(open + 1, close), cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND };
}

function procCpu(pid: number): AppCpu | null {
  let total: { cpuSeconds: number } | null;
  try {
    total = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
  if (!total) return null;
  const threads: ThreadCpu[] = [];
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // exited between the two reads
  }
  for (const tid of tids) {
    try {
      const s = parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      if (s) threads.push({ tid: Number(tid), name: Number(tid) === pid ? `${s.name} (main)` : s.name, cpuSeconds: s.cpuSeconds });
    } catch {
      // a thread that ended while we listed them
    }
  }
  return { cpuSeconds: total.cpuSeconds, threads };
}

/** Environment for the child: the photographer's, minus the TypeScript loader the harness runs under. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (env.NODE_OPTIONS?.includes('tsx')) delete env.NODE_OPTIONS;
  return env;
}

export async function startApp(options: StartAppOptions): Promise<AppProcess> {
  // The ingest benchmark measures issue 2's pipeline (decode, previews, thumbnails); the face
  // stage has its own benchmark (bench:faces), so it stays off here unless settings exist.
  if (!existsSync(join(options.dataDir, 'settings.json'))) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(join(options.dataDir, 'settings.json'), JSON.stringify({ faces: { enabled: false } }));
  }
  const args = [
    'bin/shutterfind.js',
    'serve',
    '--event',
    options.event,
    '--watch',
    options.watchDir,
    '--data-dir',
    options.dataDir,
    '--port',
    '0',
    ...(options.extraArgs ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.repoRoot,
    env: childEnv(options.extraEnv ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('Could not start `shutterfind serve` (no process id)');
  // bin/shutterfind.js may start the engine as its own child (allocator tuning on Linux);
  // measure the process that says it is serving, not the launcher.
  let pid: number = child.pid;

  const tail: string[] = [];
  let exitInfo: AppExit | null = null;
  let url: string | null = null;
  let announceReady: (() => void) | undefined;
  const announced = new Promise<void>((resolve) => {
    announceReady = resolve;
  });
  // The terminal log is read continuously: a full pipe would block the app's synchronous log writes.
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
    const m = /serving event .* at (http:\/\/\S+)/.exec(line);
    if (m) {
      url = m[1] ?? null;
      const enginePid = /\(pid (\d+)\) serving event/.exec(line)?.[1];
      if (enginePid) pid = Number(enginePid);
      announceReady?.();
    }
  };
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);

  const exited = new Promise<AppExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      resolve(exitInfo);
    });
  });

  const kill = (): void => {
    if (exitInfo === null) child.kill('SIGKILL');
  };

  let timeout: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timeout = setTimeout(() => resolve('timeout'), options.readyTimeoutMs);
  });
  const first = await Promise.race([announced.then(() => 'ready' as const), exited, timedOut]);
  clearTimeout(timeout);
  if (first !== 'ready') {
    kill();
    const why =
      first === 'timeout'
        ? `did not report "serving event" within ${options.readyTimeoutMs} ms`
        : `exited during start-up (code ${first.code}, signal ${first.signal})`;
    throw new Error(`shutterfind serve ${why}. Last output:\n${tail.slice(-30).join('\n')}`);
  }

  return {
    pid,
    get url() {
      return url;
    },
    exited,
    exit: () => exitInfo,
    stderrTail: () => [...tail],
    memory: () => procMemory(pid),
    threadIds: () => {
      try {
        return readdirSync(`/proc/${pid}/task`).map(Number);
      } catch {
        return [];
      }
    },
    cpu: () => procCpu(pid),
    async stop(graceMs) {
      const started = Date.now();
      if (exitInfo !== null) {
        return { clean: exitInfo.code === 0, code: exitInfo.code, signal: exitInfo.signal, stopMs: 0, graceMs, killed: false };
      }
      child.kill('SIGTERM');
      let grace: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        exited,
        new Promise<'grace-over'>((resolve) => {
          grace = setTimeout(() => resolve('grace-over'), graceMs);
        }),
      ]);
      clearTimeout(grace);
      if (outcome === 'grace-over') {
        kill();
        const forced = await exited;
        return { clean: false, code: forced.code, signal: forced.signal, stopMs: Date.now() - started, graceMs, killed: true };
      }
      return {
        clean: outcome.code === 0,
        code: outcome.code,
        signal: outcome.signal,
        stopMs: outcome.at - started,
        graceMs,
        killed: false,
      };
    },
    kill,
  };
}
