// Ingest benchmark (`npm run bench:ingest`): drops camera-like 24 MP JPEGs into a folder that a
// real `shutterfind serve` watches, and measures photos/s, landed-to-ready latency and peak RSS
// against the targets of the ingest issue. It reports honest numbers and asserts nothing.
//
//   npm run bench:ingest -- --sustained 40 --latency-count 20 --burst 60     (quick look)
//   npm run bench:ingest -- --only burst --burst 2000                        (one scenario)
//
// Everything is measured from outside, through what the app itself records: the photos table
// (landed_at, admitted_at, ready_at), the jobs table (queue depth), its log file (per-stage
// timings) and /proc (memory, CPU). The harness writes each file under a temp name outside the
// watched tree and renames it in, so a photo "lands" at one instant the harness knows.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { defaultSettings } from '../../src/config/index.js';
import { renderPhoto } from '../../src/photo/index.js';
import { uniqueVariant } from '../fixtures/camera-photos.js';
import { makeCr3, makeSensorBytes } from '../fixtures/raw-files.js';
import { describeAppBuild } from './ingest-app-build.js';
import { startApp, type AppCpu, type AppProcess } from './ingest-app-process.js';
import { loadCameraBases, type CameraBases } from './ingest-camera-bases.js';
import { checkTargets, renderReport } from './ingest-report.js';
import {
  QUIET_THRESHOLD_CORES,
  TARGETS,
  type AppScenarioResult,
  type BaselineMode,
  type DecodeBaselineResult,
  type LogProblems,
  type MachineInfo,
  type Outcome,
  type PhotoSet,
  type WorkerTimings,
} from './ingest-results.js';
import { machineBusySeconds, otherCores, ownCpuSeconds, waitForQuietMachine, type QuietCheck } from './ingest-machine-load.js';
import { distribution, fmt, round } from './ingest-stats.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = join(REPO_ROOT, 'test', 'bench', 'results');
const CACHE_ROOT = join(REPO_ROOT, '.cache', 'bench');
const EVENT_NAME = 'bench';

const SCENARIOS = ['decode-baseline', 'sustained', 'latency', 'burst', 'jpeg-only', 'raw-jpeg'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

// The preview size the app decodes to (settings.media.previewLongSide), used by the baseline.
const SHRINK_ON_LOAD_LONG_SIDE = 2048;
// Two lanes of single-threaded libvips: the same shape as the app's pool on a 2-core machine.
const BASELINE_LANES = 2;
const DB_POLL_MS = 150;
const RSS_SAMPLE_MS = 100;
const TIMELINE_EVERY_MS = 1_000;
const PROGRESS_EVERY_MS = 5_000;
// No photo finished and no file placed for this long: the app is stuck; report instead of waiting.
const STALL_AFTER_MS = 90_000;
// Stopping drains at most the 4 photos in flight (~0.3 s each); longer means it hangs.
const STOP_GRACE_MS = 15_000;
const BASELINE_ATTEMPTS = 3;
const APP_READY_TIMEOUT_MS = 60_000;
// Default deadline per app scenario: generous, since a slow app is exactly what must be reported.
const DEADLINE_BASE_MS = 180_000;
const DEADLINE_MS_PER_PHOTO = 500;
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Command line

// The scenario sizes; a few hundred files is enough for a steady state, 2,000 is its burst.
const DEFAULTS = {
  sustained: 300,
  latencyCount: 120,
  // The RAW+JPEG issue's card: 300 captures.
  pairs: 300,
  // About 12 distinct frames (each in many byte-unique copies) keep the decoder from seeing one
  // image over and over, at a generation cost of a few seconds, cached after the first run.
  bases: 12,
  baselineRounds: 3,
  quietWaitS: 180,
} as const;

interface BenchOptions {
  sustained: number;
  latencyRate: number;
  latencyCount: number;
  burst: number;
  pairs: number;
  pairsRate: number;
  bases: number;
  baselineRounds: number;
  only: ScenarioName[];
  deadlineS: number | null;
  quietWaitS: number;
  verboseApp: boolean;
  appEnv: Record<string, string>;
}

const HELP = `Usage: npm run bench:ingest -- [options]
  --sustained N        files written as fast as possible for the throughput run (default ${DEFAULTS.sustained})
  --latency-rate R     arrival rate in photos/s for the latency run (default ${TARGETS.latencyRatePerSecond})
  --latency-count N    files in the latency run (default ${DEFAULTS.latencyCount})
  --burst N            files in the burst (memory) run (default ${TARGETS.burstCount})
  --pairs N            captures in the jpeg-only and raw-jpeg runs (default ${DEFAULTS.pairs})
  --pairs-rate R       captures/s in those runs, a tether rate (default ${TARGETS.latencyRatePerSecond})
  --only LIST          comma-separated scenarios: ${SCENARIOS.join(', ')} (default: all)
  --bases N            distinct generated 24 MP photos to cycle through (default ${DEFAULTS.bases})
  --baseline-rounds N  times each base is decoded per baseline mode (default ${DEFAULTS.baselineRounds})
  --deadline-s S       give up on an app scenario after S seconds (default ${DEADLINE_BASE_MS / 1000} s + ${DEADLINE_MS_PER_PHOTO} ms per photo)
  --quiet-wait-s S     before each scenario, wait up to S s for other processes to go quiet (default ${DEFAULTS.quietWaitS}; 0: do not wait)
  --verbose-app        start the app with -v (debug lines on its terminal too)
  --app-env K=V        add K=V to the app's environment, repeatable (e.g. MALLOC_ARENA_MAX=2)
`;

/** A mistake on the command line: reported in one line with a pointer to --help, no stack. */
class UsageError extends Error {
  override name = 'UsageError';
}

function positive(name: string, text: string | undefined, fallback: number, integer = true): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'whole ' : ''}number, got "${text}"`);
  }
  return value;
}

function parseStrictly(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      sustained: { type: 'string' },
      'latency-rate': { type: 'string' },
      'latency-count': { type: 'string' },
      burst: { type: 'string' },
      pairs: { type: 'string' },
      'pairs-rate': { type: 'string' },
      only: { type: 'string' },
      bases: { type: 'string' },
      'baseline-rounds': { type: 'string' },
      'deadline-s': { type: 'string' },
      'quiet-wait-s': { type: 'string' },
      'verbose-app': { type: 'boolean', default: false },
      'app-env': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
}

function parseOptions(argv: string[]): BenchOptions | 'help' {
  let parsed: ReturnType<typeof parseStrictly>;
  try {
    parsed = parseStrictly(argv);
  } catch (err) {
    // node:util reports unknown options and missing values as ERR_PARSE_ARGS_* errors.
    if (String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
    throw err;
  }
  const { values } = parsed;
  if (values.help) return 'help';
  let only: ScenarioName[] = [...SCENARIOS];
  if (values.only !== undefined) {
    const names = values.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
    if (unknown.length > 0 || names.length === 0) {
      throw new UsageError(`--only takes a comma-separated list of ${SCENARIOS.join(', ')}; unknown: ${unknown.join(', ') || '(empty)'}`);
    }
    only = SCENARIOS.filter((s) => names.includes(s));
  }
  return {
    sustained: positive('sustained', values.sustained, DEFAULTS.sustained),
    latencyRate: positive('latency-rate', values['latency-rate'], TARGETS.latencyRatePerSecond, false),
    latencyCount: positive('latency-count', values['latency-count'], DEFAULTS.latencyCount),
    burst: positive('burst', values.burst, TARGETS.burstCount),
    pairs: positive('pairs', values.pairs, DEFAULTS.pairs),
    pairsRate: positive('pairs-rate', values['pairs-rate'], TARGETS.latencyRatePerSecond, false),
    bases: positive('bases', values.bases, DEFAULTS.bases),
    baselineRounds: positive('baseline-rounds', values['baseline-rounds'], DEFAULTS.baselineRounds),
    only,
    deadlineS: values['deadline-s'] === undefined ? null : positive('deadline-s', values['deadline-s'], 0, false),
    quietWaitS: values['quiet-wait-s'] === '0' ? 0 : positive('quiet-wait-s', values['quiet-wait-s'], DEFAULTS.quietWaitS, false),
    verboseApp: values['verbose-app'] ?? false,
    appEnv: Object.fromEntries(
      (values['app-env'] ?? []).map((pair) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`--app-env takes NAME=VALUE, got "${pair}"`);
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Cleanup that also runs on Ctrl-C: a benchmark must never leave an app running or 18 GB in /tmp.

const cleanups = new Set<() => void>();
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted: stopping the app and removing temp files\n');
  for (const c of cleanups) {
    try {
      c();
    } catch (err) {
      process.stderr.write(`cleanup failed: ${(err as Error).message}\n`);
    }
  }
  process.exit(130);
});

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// Machine and photos

function describeMachine(): MachineInfo {
  let flags = '';
  try {
    flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    // not Linux: flags unknown
  }
  const has = (f: string): boolean => flags.split(' ').includes(f);
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemoryGiB: round(os.totalmem() / 1024 ** 3, 1) ?? 0,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    cpuFlags: { sha_ni: has('sha_ni'), avx2: has('avx2'), avx512f: has('avx512f') },
    sharp: { sharp: sharp.versions.sharp, vips: sharp.versions.vips, jpeg: (sharp.versions as Record<string, string | undefined>).mozjpeg },
    libuvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
  };
}

async function describeBases(bases: CameraBases): Promise<PhotoSet> {
  const first = bases.jpegs[0];
  const meta = first ? await sharp(first).metadata() : undefined;
  const sizes = bases.jpegs.map((j) => j.length / MB);
  return {
    key: bases.key,
    count: bases.jpegs.length,
    width: meta?.width ?? 0,
    height: meta?.height ?? 0,
    sizeMb: {
      min: round(Math.min(...sizes), 2),
      mean: round(sizes.reduce((s, v) => s + v, 0) / sizes.length, 2),
      max: round(Math.max(...sizes), 2),
    },
    generatedMs: round(bases.generatedMs),
    cacheDir: bases.dir,
  };
}

// ---------------------------------------------------------------------------------------------
// Scenario 1: the decode baseline (in-process, no app)

async function runLanes(total: number, lanes: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, total) }, lane));
}

async function runDecodeBaseline(
  bases: CameraBases,
  rounds: number,
  quietCheck: QuietCheck,
  waitForQuiet: (scenario: string) => Promise<QuietCheck>,
): Promise<DecodeBaselineResult> {
  // One libvips thread per pipeline, two pipelines at once: what two single-threaded workers
  // (the app's pool on this machine) can do at best.
  sharp.concurrency(1);
  sharp.cache(false);
  const scratch = await mkdtemp(join(os.tmpdir(), 'shutterfind-bench-baseline-'));
  const removeScratch = (): void => rmSync(scratch, { recursive: true, force: true });
  cleanups.add(removeScratch);
  const media = defaultSettings().media;
  const n = bases.jpegs.length;
  let renderSeq = 0;
  const modes: { name: string; label: string; run: (i: number) => Promise<unknown> }[] = [
    {
      name: 'full',
      label: 'full decode to raw, native size',
      run: (i) =>
        sharp(bases.jpegs[i % n])
          .raw()
          .toBuffer(),
    },
    {
      name: 'shrink-on-load',
      label: `shrink-on-load decode to ${SHRINK_ON_LOAD_LONG_SIDE} px`,
      run: (i) =>
        sharp(bases.jpegs[i % n])
          .resize(SHRINK_ON_LOAD_LONG_SIDE, SHRINK_ON_LOAD_LONG_SIDE, { fit: 'inside' })
          .raw()
          .toBuffer(),
    },
    {
      // The worker's own code (renderPhoto) without the app around it: read from disk, EXIF,
      // decode, preview + thumbnail + pHash, atomic writes. The gap between this and the app's
      // photos/s is what ingest, scheduling and the thread hop cost.
      name: 'app-worker-code',
      label: 'renderPhoto() in-process (decode+preview+thumb+pHash+writes)',
      run: async (i) => {
        const seq = renderSeq++;
        const result = await renderPhoto(
          {
            photoId: seq,
            jobId: seq,
            path: bases.paths[i % n] as string,
            format: 'jpeg',
            sha256: createHash('sha256').update(`baseline-${seq}`).digest('hex'),
            dataDir: scratch,
            media,
            previews: true,
            faces: null,
          },
          [],
        );
        if (!result.ok) throw new Error(`renderPhoto failed in the baseline: ${result.error}`);
      },
    },
  ];
  const total = n * rounds;
  const results: BaselineMode[] = [];
  try {
    for (const mode of modes) {
      progress(`[decode-baseline] ${mode.label}: ${total} photos on ${BASELINE_LANES} lanes`);
      // One untimed photo per lane first: library start-up is not a per-photo cost.
      await runLanes(BASELINE_LANES, BASELINE_LANES, mode.run);
      const discarded: number[] = [];
      for (let attempt = 1; ; attempt++) {
        const busyBefore = machineBusySeconds();
        const ownBefore = ownCpuSeconds();
        const started = performance.now();
        await runLanes(total, BASELINE_LANES, mode.run);
        const wallMs = performance.now() - started;
        const others = otherCores(busyBefore, machineBusySeconds(), ownCpuSeconds() - ownBefore, wallMs);
        const photosPerSecond = round(total / (wallMs / 1000), 2);
        // A baseline shared with someone else's test run is not a baseline: wait and measure again.
        if (others !== null && others >= QUIET_THRESHOLD_CORES && attempt < BASELINE_ATTEMPTS) {
          progress(`[decode-baseline] other processes used ${others.toFixed(2)} cores; measuring again`);
          if (photosPerSecond !== null) discarded.push(photosPerSecond);
          await waitForQuiet('decode-baseline');
          continue;
        }
        results.push({
          name: mode.name,
          label: mode.label,
          photosPerSecond,
          msPerPhotoPerLane: round((wallMs * BASELINE_LANES) / total, 1),
          decodes: total,
          wallMs: round(wallMs) ?? 0,
          otherCores: round(others, 2),
          discardedPhotosPerSecond: discarded,
        });
        break;
      }
    }
  } finally {
    removeScratch();
    cleanups.delete(removeScratch);
  }
  return { lanes: BASELINE_LANES, rounds, quietCheck, modes: results };
}

// ---------------------------------------------------------------------------------------------
// Scenarios 2-4: the real app

interface AppScenarioSpec {
  name: Exclude<ScenarioName, 'decode-baseline'>;
  count: number;
  /** null: as fast as the harness can write. */
  ratePerSecond: number | null;
  deleteOriginalsWhenReady: boolean;
  namePrefix: string;
  deadlineMs: number;
  /** Shoot RAW+JPEG: a CR3 (the same frame as its embedded preview) lands just before each JPEG, as EOS Utility writes them. */
  rawPairs: boolean;
  /** Run the face stage too (the pairs runs compare faces found); the other runs measure ingest alone. */
  faces?: boolean;
  /** Write every file before the timed window (see prestage); the window then only moves them in. */
  prestage?: boolean;
}

interface PhotoRow {
  id: number;
  fileName: string;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  error: string | null;
  landedAt: number;
  admittedAt: number | null;
  readyAt: number | null;
}

const fileNameFor = (prefix: string, i: number): string => `${prefix}_${String(i + 1).padStart(5, '0')}.JPG`;

// A 24 MP CR3 is 20-30 MB; its sensor data is only hashed by the app, never decoded, so one
// block of realistic size, shared by every RAW, costs the app what real RAWs cost.
const RAW_SENSOR_BYTES = 20 * MB;
let rawSensorBlock: Buffer | null = null;
const sensorBlock = (): Buffer => (rawSensorBlock ??= makeSensorBytes(RAW_SENSOR_BYTES, 0xc3));

/** Groups error texts with the file name taken out, so 300 copies of one failure read as one line. */
function groupErrors(rows: readonly PhotoRow[]): { error: string; count: number }[] {
  const groups = new Map<string, number>();
  for (const r of rows) {
    if (r.status !== 'failed' && r.error === null) continue;
    const text = (r.error ?? '(failed, no error text)').split(r.fileName).join('<file>');
    groups.set(text, (groups.get(text) ?? 0) + 1);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([error, count]) => ({ error, count }));
}

interface LogLine {
  level?: number;
  msg?: string;
  photoId?: number;
  timings?: { readMs: number; decodeMs: number; renderMs: number; analyseMs: number; totalMs: number };
}

async function readAppLog(dataDir: string, photoIds: ReadonlySet<number>): Promise<{ timings: WorkerTimings; problems: LogProblems }> {
  const t: Record<'readMs' | 'decodeMs' | 'renderMs' | 'analyseMs' | 'totalMs', number[]> = {
    readMs: [],
    decodeMs: [],
    renderMs: [],
    analyseMs: [],
    totalMs: [],
  };
  const problems = new Map<string, { level: string; msg: string; count: number }>();
  let warnings = 0;
  let errors = 0;
  let text = '';
  try {
    text = await readFile(join(dataDir, 'logs', 'shutterfind.log'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      continue; // a line cut off by a kill
    }
    if (line.timings && line.photoId !== undefined && photoIds.has(line.photoId)) {
      for (const k of Object.keys(t) as (keyof typeof t)[]) t[k].push(line.timings[k]);
    }
    if ((line.level ?? 0) >= 40) {
      const level = (line.level ?? 0) >= 50 ? 'error' : 'warn';
      if (level === 'error') errors += 1;
      else warnings += 1;
      const msg = String(line.msg ?? '').replace(/\b[A-Z]{3}_\d{5}\.JPG\b/g, '<file>');
      const key = `${level} ${msg}`;
      const entry = problems.get(key) ?? { level, msg, count: 0 };
      entry.count += 1;
      problems.set(key, entry);
    }
  }
  return {
    timings: {
      logged: t.totalMs.length,
      readMs: distribution(t.readMs),
      decodeMs: distribution(t.decodeMs),
      renderMs: distribution(t.renderMs),
      analyseMs: distribution(t.analyseMs),
      totalMs: distribution(t.totalMs),
    },
    problems: { warnings, errors, top: [...problems.values()].sort((a, b) => b.count - a.count).slice(0, 8) },
  };
}

function cpuByThread(
  before: AppCpu | null,
  after: AppCpu | null,
  processCpuSeconds: number | null,
): { name: string; threads: number; cpuSeconds: number }[] {
  if (!after) return [];
  const start = new Map((before?.threads ?? []).map((t) => [t.tid, t.cpuSeconds]));
  const groups = new Map<string, { name: string; threads: number; cpuSeconds: number }>();
  for (const t of after.threads) {
    const used = t.cpuSeconds - (start.get(t.tid) ?? 0);
    const g = groups.get(t.name) ?? { name: t.name, threads: 0, cpuSeconds: 0 };
    g.threads += 1;
    g.cpuSeconds += used;
    groups.set(t.name, g);
  }
  // The process total keeps the time of threads that have since ended; /proc no longer lists them.
  const listed = [...groups.values()].reduce((sum, g) => sum + g.cpuSeconds, 0);
  // Each thread's figure is rounded to 10 ms ticks, so a small remainder is only rounding.
  if (processCpuSeconds !== null && processCpuSeconds - listed > Math.max(0.5, processCpuSeconds * 0.02)) {
    groups.set('(threads that ended)', { name: '(threads that ended)', threads: 0, cpuSeconds: processCpuSeconds - listed });
  }
  return [...groups.values()]
    .map((g) => ({ ...g, cpuSeconds: round(g.cpuSeconds, 2) ?? 0 }))
    .filter((g) => g.cpuSeconds > 0)
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

interface Feeder {
  placedAt: Map<string, number>;
  done: boolean;
  failure: Error | null;
  durationMs: number | null;
  maxLateMs: number | null;
}

/** Writes each file outside the watched tree, then renames it in: it lands complete, at a known instant. */
function startFeeding(
  spec: AppScenarioSpec,
  bases: CameraBases,
  dirs: { staging: string; watch: string },
  variantOffset: number,
  shouldStop: () => boolean,
): Feeder & { finished: Promise<void> } {
  const feeder: Feeder = { placedAt: new Map(), done: false, failure: null, durationMs: null, maxLateMs: null };
  const run = async (): Promise<void> => {
    const started = Date.now();
    for (let i = 0; i < spec.count && !shouldStop(); i++) {
      const name = fileNameFor(spec.namePrefix, i);
      const bytes = spec.prestage ? Buffer.alloc(0) : uniqueVariant(bases.jpegs[i % bases.jpegs.length] as Buffer, variantOffset + i);
      const staged = join(dirs.staging, name);
      const rawName = name.replace(/\.JPG$/, '.CR3');
      if (!spec.prestage) {
        if (spec.rawPairs) await writeFile(join(dirs.staging, rawName), makeCr3(bytes, sensorBlock()));
        await writeFile(staged, bytes);
      }
      if (spec.ratePerSecond !== null) {
        const due = started + (i * 1000) / spec.ratePerSecond;
        const wait = due - Date.now();
        // Pacing arrivals is waiting for a moment in time, not for a condition.
        if (wait > 0) await sleep(wait);
        else feeder.maxLateMs = Math.max(feeder.maxLateMs ?? 0, -wait);
      }
      // The capture lands with its first file (the RAW, when shooting RAW+JPEG).
      feeder.placedAt.set(name, Date.now());
      if (spec.rawPairs) await rename(join(dirs.staging, rawName), join(dirs.watch, rawName));
      await rename(staged, join(dirs.watch, name));
    }
    feeder.durationMs = Date.now() - started;
    if (spec.ratePerSecond !== null) feeder.maxLateMs ??= 0;
  };
  const finished = run()
    .catch((err: unknown) => {
      feeder.failure = err instanceof Error ? err : new Error(String(err));
    })
    .finally(() => {
      feeder.done = true;
    });
  return Object.assign(feeder, { finished });
}

let variantCounter = 0;

/** Writes every file of a scenario to the staging folder, as startFeeding would, before the timed window. */
async function prestage(spec: AppScenarioSpec, bases: CameraBases, staging: string, variantOffset: number): Promise<void> {
  for (let i = 0; i < spec.count; i++) {
    const name = fileNameFor(spec.namePrefix, i);
    const bytes = uniqueVariant(bases.jpegs[i % bases.jpegs.length] as Buffer, variantOffset + i);
    if (spec.rawPairs) await writeFile(join(staging, name.replace(/\.JPG$/, '.CR3')), makeCr3(bytes, sensorBlock()));
    await writeFile(join(staging, name), bytes);
  }
}

function readCaptures(db: Database.Database, eventId: number, readyPhotos: number): AppScenarioResult['captures'] {
  const count = (sql: string): number => db.prepare<[number], { n: number }>(sql).get(eventId)?.n ?? 0;
  const faces = count('SELECT COUNT(*) AS n FROM faces WHERE event_id = ?');
  let rawFilesKept = 0;
  try {
    rawFilesKept = count('SELECT COUNT(*) AS n FROM photo_files WHERE event_id = ?');
  } catch {
    // A build from before RAW+JPEG pairs has no photo_files table: nothing kept.
  }
  return {
    photosInEvent: count('SELECT COUNT(*) AS n FROM photos WHERE event_id = ?'),
    rawFilesKept,
    facesPerPhoto: readyPhotos ? round(faces / readyPhotos, 3) : null,
  };
}

async function runAppScenario(
  spec: AppScenarioSpec,
  bases: CameraBases,
  options: BenchOptions,
  quietCheck: QuietCheck,
): Promise<AppScenarioResult> {
  const root = await mkdtemp(join(os.tmpdir(), `shutterfind-bench-${spec.name}-`));
  const dirs = { watch: join(root, 'watch'), data: join(root, 'data'), staging: join(root, 'staging') };
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  if (spec.faces) await writeFile(join(dirs.data, 'settings.json'), JSON.stringify({ faces: { enabled: true } }));
  let app: AppProcess | null = null;
  let db: Database.Database | null = null;
  let rssTimer: NodeJS.Timeout | undefined;
  const removeAll = (): void => {
    app?.kill();
    rmSync(root, { recursive: true, force: true });
  };
  cleanups.add(removeAll);

  const result: AppScenarioResult = {
    name: spec.name,
    parameters: {
      count: spec.count,
      ratePerSecond: spec.ratePerSecond,
      deleteOriginalsWhenReady: spec.deleteOriginalsWhenReady,
      deadlineMs: spec.deadlineMs,
    },
    outcome: 'harness-error',
    outcomeDetail: null,
    counts: { placed: 0, recorded: 0, ready: 0, failed: 0, unfinished: spec.count },
    captures: null,
    feed: { durationMs: null, achievedPerSecond: null, maxLateMs: null },
    photosPerSecond: null,
    photosPerSecondSteady: null,
    spanMs: null,
    latencyMs: {
      placedToReady: distribution([]),
      landedToReady: distribution([]),
      placedToLanded: distribution([]),
      landedToAdmitted: distribution([]),
      admittedToReady: distribution([]),
    },
    workerTimings: {
      logged: 0,
      readMs: distribution([]),
      decodeMs: distribution([]),
      renderMs: distribution([]),
      analyseMs: distribution([]),
      totalMs: distribution([]),
    },
    memory: { peakRssMbHwm: null, peakRssMbSampled: null, samples: 0 },
    threads: { seen: 0, maxAlive: 0 },
    cpu: { windowMs: null, appCpuSeconds: null, appCoresBusy: null, byThread: [], harnessCpuSeconds: null },
    appBuild: describeAppBuild(REPO_ROOT),
    machineLoad: { quietCheck, otherCoresDuring: null },
    queue: { maxDepth: 0, maxNotYetRecorded: 0 },
    app: { pid: null, exitedEarly: null, stop: null, stderrTail: [] },
    photoErrors: [],
    logProblems: { warnings: 0, errors: 0, top: [] },
    timeline: [],
  };

  try {
    const rate = spec.ratePerSecond === null ? 'as fast as possible' : `${spec.ratePerSecond}/s`;
    progress(`[${spec.name}] starting shutterfind serve; ${spec.count} files, ${rate}`);
    app = await startApp({
      repoRoot: REPO_ROOT,
      event: EVENT_NAME,
      watchDir: dirs.watch,
      dataDir: dirs.data,
      readyTimeoutMs: APP_READY_TIMEOUT_MS,
      extraArgs: options.verboseApp ? ['-v'] : [],
      extraEnv: options.appEnv,
    });
    const running = app;
    result.app.pid = running.pid;

    let maxRssKb = 0;
    let lastRssKb: number | null = null;
    const tidsSeen = new Set<number>();
    rssTimer = setInterval(() => {
      const m = running.memory();
      if (!m) return;
      lastRssKb = m.rssKb;
      maxRssKb = Math.max(maxRssKb, m.rssKb);
      result.memory.samples += 1;
      const tids = running.threadIds();
      for (const tid of tids) tidsSeen.add(tid);
      result.threads.seen = tidsSeen.size;
      result.threads.maxAlive = Math.max(result.threads.maxAlive, tids.length);
    }, RSS_SAMPLE_MS);

    db = new Database(join(dirs.data, 'shutterfind.db'), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const event = db.prepare<[string], { id: number }>('SELECT id FROM events WHERE name = ?').get(EVENT_NAME);
    if (!event) throw new Error(`The app is serving but has no "${EVENT_NAME}" event in its database`);
    const rowsStmt = db.prepare<[number], PhotoRow>(
      `SELECT id, file_name AS fileName, status, error, landed_at AS landedAt, admitted_at AS admittedAt, ready_at AS readyAt
       FROM photos WHERE event_id = ?`,
    );
    const depthStmt = db.prepare<[number], { n: number }>(
      `SELECT COUNT(*) AS n FROM jobs WHERE event_id = ? AND state IN ('queued', 'leased')`,
    );

    // The pairs runs write every file (24 MP JPEG and 20 MB RAW) before the window opens, so the
    // window holds the app's work only: generating 6 GB of RAWs cost the harness 67 s of CPU on
    // 2 cores, which fell on the RAW+JPEG run alone and made its feed run late.
    if (spec.prestage) {
      progress(`[${spec.name}] writing ${spec.count} captures to the staging folder first`);
      await prestage(spec, bases, dirs.staging, variantCounter);
    }
    const cpuBefore = running.cpu();
    const harnessBefore = process.cpuUsage();
    const machineBusyBefore = machineBusySeconds();
    const windowStart = Date.now();
    const deadline = windowStart + spec.deadlineMs;
    let stopFeeding = false;
    const feeder = startFeeding(spec, bases, dirs, variantCounter, () => stopFeeding || running.exit() !== null);
    variantCounter += spec.count;

    let rows: PhotoRow[] = [];
    const deleted = new Set<string>();
    let lastProgressAt = Date.now();
    let lastTerminal = 0;
    let lastPlaced = 0;
    let nextTimelineAt = windowStart;
    let nextReportAt = windowStart + PROGRESS_EVERY_MS;
    let outcome: Outcome | null = null;
    let detail: string | null = null;
    let windowEnd = windowStart;

    for (;;) {
      const exited = running.exit();
      rows = rowsStmt.all(event.id);
      const depth = depthStmt.get(event.id)?.n ?? 0;
      const now = Date.now();
      const byName = new Map(rows.map((r) => [r.fileName, r]));
      let ready = 0;
      let failed = 0;
      let recorded = 0;
      for (const name of feeder.placedAt.keys()) {
        const r = byName.get(name);
        if (!r) continue;
        recorded += 1;
        if (r.status === 'ready') ready += 1;
        else if (r.status === 'failed') failed += 1;
      }
      const placed = feeder.placedAt.size;
      result.queue.maxDepth = Math.max(result.queue.maxDepth, depth);
      result.queue.maxNotYetRecorded = Math.max(result.queue.maxNotYetRecorded, placed - recorded);
      if (ready + failed > lastTerminal || placed > lastPlaced) lastProgressAt = now;
      lastTerminal = ready + failed;
      lastPlaced = placed;

      if (spec.deleteOriginalsWhenReady) {
        const toDelete = rows.filter((r) => r.status === 'ready' && !deleted.has(r.fileName) && feeder.placedAt.has(r.fileName));
        for (const r of toDelete) deleted.add(r.fileName);
        await Promise.all(toDelete.map((r) => unlink(join(dirs.watch, r.fileName)).catch(() => undefined)));
      }

      if (now >= nextTimelineAt) {
        result.timeline.push({
          tMs: now - windowStart,
          rssMb: lastRssKb === null ? null : round(lastRssKb / 1024, 1),
          placed,
          recorded,
          ready,
          failed,
          queueDepth: depth,
        });
        nextTimelineAt += TIMELINE_EVERY_MS;
      }
      if (now >= nextReportAt) {
        progress(
          `[${spec.name}] ${Math.round((now - windowStart) / 1000)} s: ${placed}/${spec.count} placed, ${recorded} recorded, ` +
            `${ready} ready, ${failed} failed, queue ${depth}, RSS ${lastRssKb === null ? '-' : Math.round(lastRssKb / 1024)} MB`,
        );
        nextReportAt += PROGRESS_EVERY_MS;
      }

      if (feeder.done && feeder.failure === null && ready + failed === placed) {
        outcome = 'complete';
      } else if (exited) {
        outcome = 'app-exited';
        detail = `the app exited on its own (code ${exited.code}, signal ${exited.signal}) with ${placed - ready - failed} photo(s) unfinished`;
      } else if (feeder.failure) {
        outcome = 'harness-error';
        detail = `writing files failed: ${feeder.failure.message}`;
      } else if (now >= deadline) {
        outcome = 'deadline';
        detail = `deadline of ${Math.round(spec.deadlineMs / 1000)} s passed with ${placed - ready - failed} of ${placed} photo(s) unfinished`;
      } else if (now - lastProgressAt >= STALL_AFTER_MS) {
        outcome = 'stalled';
        detail = `no photo finished for ${STALL_AFTER_MS / 1000} s; ${placed - ready - failed} unfinished`;
      }
      if (outcome) {
        windowEnd = now;
        result.counts = { placed, recorded, ready, failed, unfinished: spec.count - ready - failed };
        break;
      }
      await sleep(DB_POLL_MS);
    }
    stopFeeding = true;
    await feeder.finished;
    result.outcome = outcome;
    result.outcomeDetail = detail;

    // Figures the app has to be running for, then stop it the way a photographer would.
    const cpuAfter = running.cpu();
    const machineBusyAfter = machineBusySeconds();
    const memAtEnd = running.memory();
    const harnessUsed = process.cpuUsage(harnessBefore);
    clearInterval(rssTimer);
    rssTimer = undefined;
    if (memAtEnd) maxRssKb = Math.max(maxRssKb, memAtEnd.rssKb);
    result.memory.peakRssMbHwm = memAtEnd ? round(memAtEnd.hwmKb / 1024, 1) : null;
    result.memory.peakRssMbSampled = maxRssKb > 0 ? round(maxRssKb / 1024, 1) : null;
    const windowMs = windowEnd - windowStart;
    const appCpu = cpuAfter && cpuBefore ? cpuAfter.cpuSeconds - cpuBefore.cpuSeconds : null;
    const harnessCpu = (harnessUsed.user + harnessUsed.system) / 1e6;
    result.cpu = {
      windowMs,
      appCpuSeconds: round(appCpu, 2),
      appCoresBusy: appCpu === null ? null : round(appCpu / (windowMs / 1000), 2),
      byThread: cpuByThread(cpuBefore, cpuAfter, appCpu),
      harnessCpuSeconds: round(harnessCpu, 2),
    };
    result.machineLoad.otherCoresDuring = round(otherCores(machineBusyBefore, machineBusyAfter, (appCpu ?? 0) + harnessCpu, windowMs), 2);

    result.app.exitedEarly = running.exit();
    result.app.stop = await running.stop(STOP_GRACE_MS);
    if (!result.app.stop.clean || outcome !== 'complete') result.app.stderrTail = running.stderrTail().slice(-40);

    // The final state, read after the app has closed its database cleanly.
    rows = rowsStmt.all(event.id);
    const mine = rows.filter((r) => feeder.placedAt.has(r.fileName));
    const readyRows = mine.filter((r): r is PhotoRow & { readyAt: number } => r.status === 'ready' && r.readyAt !== null);
    result.feed = {
      durationMs: feeder.durationMs,
      achievedPerSecond:
        feeder.durationMs && feeder.placedAt.size > 1 ? round(((feeder.placedAt.size - 1) * 1000) / feeder.durationMs, 2) : null,
      maxLateMs: feeder.maxLateMs === null ? null : round(feeder.maxLateMs),
    };
    if (readyRows.length > 0) {
      const firstLanded = Math.min(...mine.map((r) => r.landedAt));
      const readyTimes = readyRows.map((r) => r.readyAt).sort((a, b) => a - b);
      const lastReady = readyTimes[readyTimes.length - 1] as number;
      result.spanMs = lastReady - firstLanded;
      result.photosPerSecond = result.spanMs > 0 ? round(readyRows.length / (result.spanMs / 1000), 2) : null;
      const lo = Math.floor(readyTimes.length * 0.1);
      const hi = Math.ceil(readyTimes.length * 0.9) - 1;
      const steadySpan = (readyTimes[hi] ?? 0) - (readyTimes[lo] ?? 0);
      result.photosPerSecondSteady = hi > lo && steadySpan > 0 ? round((hi - lo) / (steadySpan / 1000), 2) : null;
    }
    const placedAt = (r: PhotoRow): number => feeder.placedAt.get(r.fileName) ?? r.landedAt;
    result.latencyMs = {
      placedToReady: distribution(readyRows.map((r) => r.readyAt - placedAt(r))),
      landedToReady: distribution(readyRows.map((r) => r.readyAt - r.landedAt)),
      placedToLanded: distribution(mine.map((r) => r.landedAt - placedAt(r))),
      landedToAdmitted: distribution(mine.filter((r) => r.admittedAt !== null).map((r) => (r.admittedAt as number) - r.landedAt)),
      admittedToReady: distribution(readyRows.filter((r) => r.admittedAt !== null).map((r) => r.readyAt - (r.admittedAt as number))),
    };
    result.counts.ready = readyRows.length;
    result.counts.failed = mine.filter((r) => r.status === 'failed').length;
    result.counts.recorded = mine.length;
    result.counts.unfinished = spec.count - result.counts.ready - result.counts.failed;
    result.photoErrors = groupErrors(mine);
    result.captures = readCaptures(db, event.id, readyRows.length);
    const log = await readAppLog(dirs.data, new Set(mine.map((r) => r.id)));
    result.workerTimings = log.timings;
    result.logProblems = log.problems;
  } catch (err) {
    result.outcome = 'harness-error';
    result.outcomeDetail = (err as Error).message;
    if (app) result.app.stderrTail = app.stderrTail().slice(-40);
  } finally {
    if (rssTimer) clearInterval(rssTimer);
    db?.close();
    if (app && app.exit() === null) {
      const stop = await app.stop(STOP_GRACE_MS).catch(() => null);
      result.app.stop ??= stop;
    }
    app?.kill();
    await rm(root, { recursive: true, force: true });
    cleanups.delete(removeAll);
  }
  progress(
    `[${spec.name}] ${result.outcome}: ${result.counts.ready} ready, ${result.counts.failed} failed, ` +
      `${fmt(result.photosPerSecond, 2)} photos/s, peak RSS ${fmt(result.memory.peakRssMbHwm)} MB` +
      (result.outcomeDetail ? ` (${result.outcomeDetail})` : ''),
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Results

async function writeResults(report: object, startedAt: Date): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/:/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const path = join(RESULTS_DIR, `ingest-${stamp}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  for (const target of [path, join(RESULTS_DIR, 'ingest-latest.json')]) {
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, target);
  }
  return path;
}

// ---------------------------------------------------------------------------------------------

/** RAW+JPEG against the same JPEGs alone, from one run of the benchmark (target: photos/s within 10%, same faces). */
function compareRawJpeg(jpeg: AppScenarioResult | undefined, pairs: AppScenarioResult | undefined) {
  if (!jpeg || !pairs) return null;
  const cpuMsPerPhoto = (r: AppScenarioResult) =>
    r.cpu.appCpuSeconds !== null && r.counts.ready > 0 ? round((r.cpu.appCpuSeconds * 1000) / r.counts.ready, 0) : null;
  const ratio = jpeg.photosPerSecond && pairs.photosPerSecond ? round(pairs.photosPerSecond / jpeg.photosPerSecond, 3) : null;
  return {
    photosPerSecond: {
      jpegOnly: jpeg.photosPerSecond,
      rawJpeg: pairs.photosPerSecond,
      ratio,
      withinTenPercent: ratio === null ? null : ratio >= 0.9,
    },
    cpuMsPerPhoto: { jpegOnly: cpuMsPerPhoto(jpeg), rawJpeg: cpuMsPerPhoto(pairs) },
    photosInEvent: { jpegOnly: jpeg.captures?.photosInEvent ?? null, rawJpeg: pairs.captures?.photosInEvent ?? null },
    rawFilesKept: pairs.captures?.rawFilesKept ?? null,
    facesPerPhoto: { jpegOnly: jpeg.captures?.facesPerPhoto ?? null, rawJpeg: pairs.captures?.facesPerPhoto ?? null },
  };
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const options = parsed;
  const startedAt = new Date();
  const machine = describeMachine();
  const appBuild = describeAppBuild(REPO_ROOT);
  progress(`Loading ${options.bases} camera-like 24 MP bases (cache: ${CACHE_ROOT})`);
  const bases = await loadCameraBases({ count: options.bases, cacheRoot: CACHE_ROOT });
  const photos = await describeBases(bases);
  progress(
    `  ${photos.count} bases ${photos.width}x${photos.height}, ${fmt(photos.sizeMb.min, 1)}-${fmt(photos.sizeMb.max, 1)} MB` +
      (photos.generatedMs === null ? ' (cached)' : ` (generated in ${fmt(photos.generatedMs / 1000, 1)} s)`),
  );

  const deadlineFor = (count: number, ratePerSecond: number | null): number =>
    options.deadlineS !== null
      ? options.deadlineS * 1000
      : DEADLINE_BASE_MS + count * DEADLINE_MS_PER_PHOTO + (ratePerSecond ? (count * 1000) / ratePerSecond : 0);

  let baseline: DecodeBaselineResult | null = null;
  const apps: Partial<Record<ScenarioName, AppScenarioResult>> = {};
  const specs: AppScenarioSpec[] = [
    {
      name: 'sustained',
      count: options.sustained,
      ratePerSecond: null,
      deleteOriginalsWhenReady: false,
      namePrefix: 'SUS',
      deadlineMs: deadlineFor(options.sustained, null),
      rawPairs: false,
    },
    {
      name: 'latency',
      count: options.latencyCount,
      ratePerSecond: options.latencyRate,
      deleteOriginalsWhenReady: false,
      namePrefix: 'LAT',
      deadlineMs: deadlineFor(options.latencyCount, options.latencyRate),
      rawPairs: false,
    },
    {
      name: 'burst',
      count: options.burst,
      ratePerSecond: null,
      deleteOriginalsWhenReady: true,
      namePrefix: 'BST',
      deadlineMs: deadlineFor(options.burst, null),
      rawPairs: false,
    },
    // The same frames at the same tether rate, shot JPEG only and then RAW+JPEG: pairs must cost
    // within 10% of photos/s, and find the same faces.
    {
      name: 'jpeg-only',
      count: options.pairs,
      ratePerSecond: options.pairsRate,
      deleteOriginalsWhenReady: false,
      namePrefix: 'PAIR',
      deadlineMs: deadlineFor(options.pairs, options.pairsRate),
      rawPairs: false,
      faces: true,
      prestage: true,
    },
    {
      name: 'raw-jpeg',
      count: options.pairs,
      ratePerSecond: options.pairsRate,
      deleteOriginalsWhenReady: false,
      namePrefix: 'PAIR',
      deadlineMs: deadlineFor(options.pairs, options.pairsRate),
      rawPairs: true,
      faces: true,
      prestage: true,
    },
  ];
  const waitForQuiet = async (scenario: string): Promise<QuietCheck> => {
    if (options.quietWaitS === 0) return { backgroundCores: null, waitedMs: 0, quiet: true };
    const check = await waitForQuietMachine(QUIET_THRESHOLD_CORES, options.quietWaitS * 1000, (cores) =>
      progress(`[${scenario}] waiting for other processes to go quiet (they use ${cores.toFixed(2)} cores)`),
    );
    if (!check.quiet) progress(`[${scenario}] starting anyway: other processes still use ${fmt(check.backgroundCores, 2)} cores`);
    return check;
  };
  let baselineError: string | null = null;
  if (options.only.includes('decode-baseline')) {
    try {
      baseline = await runDecodeBaseline(bases, options.baselineRounds, await waitForQuiet('decode-baseline'), waitForQuiet);
    } catch (err) {
      baselineError = (err as Error).message;
      progress(`[decode-baseline] failed: ${baselineError}`);
    }
  }
  for (const spec of specs) {
    if (options.only.includes(spec.name)) apps[spec.name] = await runAppScenario(spec, bases, options, await waitForQuiet(spec.name));
  }

  const appResults = specs.map((s) => apps[s.name]).filter((r): r is AppScenarioResult => r !== undefined);
  const rawJpeg = compareRawJpeg(apps['jpeg-only'], apps['raw-jpeg']);
  const targets = checkTargets(apps);
  const report = {
    benchmark: 'ingest',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    appBuild,
    parameters: { ...options, event: EVENT_NAME, dbPollMs: DB_POLL_MS, rssSampleMs: RSS_SAMPLE_MS },
    photos,
    targets: TARGETS,
    targetChecks: targets,
    rawJpegAgainstJpegOnly: rawJpeg,
    scenarios: {
      'decode-baseline': baseline ?? (baselineError ? { error: baselineError } : null),
      ...Object.fromEntries(appResults.map((r) => [r.name, r])),
    },
  };
  const path = await writeResults(report, startedAt);
  const pairsLine = rawJpeg
    ? `\nRAW+JPEG against JPEG only: ${fmt(rawJpeg.photosPerSecond.rawJpeg, 2)} vs ${fmt(rawJpeg.photosPerSecond.jpegOnly, 2)} photos/s ` +
      `(ratio ${fmt(rawJpeg.photosPerSecond.ratio, 3)}), CPU ${fmt(rawJpeg.cpuMsPerPhoto.rawJpeg)} vs ${fmt(rawJpeg.cpuMsPerPhoto.jpegOnly)} ms/photo, ` +
      `photos ${rawJpeg.photosInEvent.rawJpeg} vs ${rawJpeg.photosInEvent.jpegOnly}, RAW kept ${rawJpeg.rawFilesKept}, ` +
      `faces/photo ${fmt(rawJpeg.facesPerPhoto.rawJpeg, 3)} vs ${fmt(rawJpeg.facesPerPhoto.jpegOnly, 3)}\n`
    : '';
  process.stdout.write(
    `\n${renderReport(machine, appBuild, options.appEnv, photos, baseline, appResults, targets)}\n${pairsLine}\nResults: ${path}\n`,
  );
}

main().catch((err: unknown) => {
  for (const c of cleanups) c();
  if (err instanceof UsageError) {
    process.stderr.write(`bench:ingest: ${err.message} (see --help)\n`);
    process.exit(2);
  }
  process.stderr.write(`bench:ingest failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
