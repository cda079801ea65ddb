// The shapes the ingest benchmark records (and writes as JSON), and the targets it checks.
import type { AppBuild } from './ingest-app-build.js';
import type { AppExit, AppStop } from './ingest-app-process.js';
import type { QuietCheck } from './ingest-machine-load.js';
import type { Distribution } from './ingest-stats.js';

/** The ingest issue's targets for this 2-core machine. */
export const TARGETS = {
  sustainedPhotosPerSecond: 12,
  latencyP95Ms: 1_000,
  latencyRatePerSecond: 2,
  burstPeakRssMb: 600,
  burstCount: 2_000,
} as const;

// This machine is shared (test suites, builds): before each scenario wait until other
// processes use less than this many cores, and report what they used during it.
export const QUIET_THRESHOLD_CORES = 0.25;

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  cpuFlags: Record<string, boolean>;
  sharp: Record<string, string | undefined>;
  libuvThreadpoolSize: string;
}

export interface PhotoSet {
  key: string;
  count: number;
  width: number;
  height: number;
  sizeMb: { min: number | null; mean: number | null; max: number | null };
  generatedMs: number | null;
  cacheDir: string;
}

export interface BaselineMode {
  name: string;
  label: string;
  photosPerSecond: number | null;
  msPerPhotoPerLane: number | null;
  decodes: number;
  wallMs: number;
  /** Cores other processes kept busy while this mode ran. */
  otherCores: number | null;
  /** Earlier measurements thrown away because other processes were busy meanwhile. */
  discardedPhotosPerSecond: number[];
}

export interface DecodeBaselineResult {
  lanes: number;
  rounds: number;
  quietCheck: QuietCheck;
  modes: BaselineMode[];
}

export type Outcome = 'complete' | 'deadline' | 'stalled' | 'app-exited' | 'harness-error';

export interface TimelinePoint {
  tMs: number;
  rssMb: number | null;
  placed: number;
  recorded: number;
  ready: number;
  failed: number;
  queueDepth: number;
}

export interface WorkerTimings {
  logged: number;
  readMs: Distribution;
  decodeMs: Distribution;
  renderMs: Distribution;
  analyseMs: Distribution;
  totalMs: Distribution;
}

export interface LogProblems {
  warnings: number;
  errors: number;
  /** Most frequent messages with their counts. */
  top: { level: string; msg: string; count: number }[];
}

export interface AppScenarioResult {
  name: string;
  parameters: { count: number; ratePerSecond: number | null; deleteOriginalsWhenReady: boolean; deadlineMs: number };
  outcome: Outcome;
  outcomeDetail: string | null;
  counts: { placed: number; recorded: number; ready: number; failed: number; unfinished: number };
  /**
   * One photo per capture: photos in the event (RAW+JPEG must not count twice), RAW files kept
   * beside their JPEG, and faces found per ready photo (must equal the JPEG-only run's).
   */
  captures: { photosInEvent: number; rawFilesKept: number; facesPerPhoto: number | null } | null;
  feed: { durationMs: number | null; achievedPerSecond: number | null; maxLateMs: number | null };
  /** ready photos / (last ready_at - first landed_at). */
  photosPerSecond: number | null;
  /** The same over the middle 80% of completions: the steady state without ramp-up and tail. */
  photosPerSecondSteady: number | null;
  spanMs: number | null;
  latencyMs: {
    /** ready_at - the moment the harness finished renaming the file into the folder. */
    placedToReady: Distribution;
    /** The app's own view: ready_at - landed_at (when its watcher first saw the file). */
    landedToReady: Distribution;
    placedToLanded: Distribution;
    /** Readiness check + hashing + the insert. */
    landedToAdmitted: Distribution;
    /** Queue wait + worker + result write. */
    admittedToReady: Distribution;
  };
  workerTimings: WorkerTimings;
  memory: { peakRssMbHwm: number | null; peakRssMbSampled: number | null; samples: number };
  /** Threads the sampler saw: many more seen than alive at once means threads are created and ended per photo. */
  threads: { seen: number; maxAlive: number };
  cpu: {
    windowMs: number | null;
    appCpuSeconds: number | null;
    /** App CPU time / wall time: 2.0 means both cores busy the whole window. */
    appCoresBusy: number | null;
    byThread: { name: string; threads: number; cpuSeconds: number }[];
    harnessCpuSeconds: number | null;
  };
  /** The build this scenario's app process ran (the working tree is shared and may be rebuilt). */
  appBuild: AppBuild;
  machineLoad: {
    quietCheck: QuietCheck | null;
    /** Cores other processes (neither the app nor the harness) kept busy during the scenario. */
    otherCoresDuring: number | null;
  };
  queue: { maxDepth: number; maxNotYetRecorded: number };
  app: { pid: number | null; exitedEarly: AppExit | null; stop: AppStop | null; stderrTail: string[] };
  photoErrors: { error: string; count: number }[];
  logProblems: LogProblems;
  timeline: TimelinePoint[];
}
