// Follows each file a camera tool is writing until it is complete (or clearly broken),
// probing with bounded concurrency so a 5,000-file burst never opens 5,000 files at once.
import pLimit from 'p-limit';
import { decideReadiness, recordObservation, type FileObservation, type ReadinessHistory, type ReadinessPolicy } from './readiness.js';
import { describeUnreadableFile } from './probe.js';

/** A file that could not be recorded (full data drive) is tried again this much later. */
export const ADMISSION_RETRY_MS = 5_000;

/**
 * A probe reads 64 bytes and the file's tail: milliseconds, even from a slow card over USB. One
 * still running after this has met a drive that stopped answering (a network share that
 * dropped, a failing card). The file is reported and its probe slot freed, so one hung read
 * never holds up the files behind it; the read itself cannot be cancelled and ends when the
 * drive answers or the process exits.
 */
export const PROBE_DEADLINE_MS = 20_000;

export interface ArrivalHandlers {
  /**
   * The file is complete: hash and record it. 'changed': it turned out to be still changing;
   * 'retry': it could not be recorded for now (data drive full) and must be tried again later.
   */
  onComplete(path: string, observation: FileObservation, landedAt: number): Promise<'taken' | 'changed' | 'retry'>;
  onFailed(path: string, reason: string, observation: FileObservation | null, landedAt: number): void;
}

export interface ArrivalOptions {
  policy: ReadinessPolicy;
  maxConcurrentProbes: number;
  maxConcurrentAdmissions: number;
  observe: (path: string) => Promise<FileObservation>;
  /** How long one probe may take before the file is reported as unreadable (PROBE_DEADLINE_MS). */
  probeDeadlineMs?: number;
  now?: () => number;
}

/** The work's result, or a rejection with code ETIMEDOUT once `ms` have passed without one. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    // The deadline alone must not keep a stopping process alive.
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

interface Tracked {
  landedAt: number;
  history: ReadinessHistory | undefined;
  timer: NodeJS.Timeout | undefined;
  /** A probe or admission is running; a new notice only marks the file dirty. */
  busy: boolean;
  dirty: boolean;
}

export interface ArrivalTracker {
  /** A file appeared or changed (watcher event or scan). */
  notice(path: string): void;
  /** The file was deleted or renamed away. */
  removed(path: string): void;
  /** Files still being followed. */
  pending(): number;
  /** Resolves once every noticed file has been taken or failed. */
  settled(): Promise<void>;
  close(): void;
}

export function createArrivalTracker(handlers: ArrivalHandlers, options: ArrivalOptions): ArrivalTracker {
  const now = options.now ?? Date.now;
  const probeDeadlineMs = options.probeDeadlineMs ?? PROBE_DEADLINE_MS;
  const probeLimit = pLimit(options.maxConcurrentProbes);
  const admitLimit = pLimit(options.maxConcurrentAdmissions);
  const tracked = new Map<string, Tracked>();
  let waiters: (() => void)[] = [];
  let closed = false;

  const finish = (path: string): void => {
    const t = tracked.get(path);
    if (t?.timer) clearTimeout(t.timer);
    tracked.delete(path);
    if (tracked.size === 0) {
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    }
  };

  const schedule = (path: string, t: Tracked, delayMs: number): void => {
    if (closed) return;
    if (t.timer) clearTimeout(t.timer);
    // Re-examining a file that is still arriving has no event to wait on: a size that has
    // stopped changing produces no notification, so the check is a timer by nature.
    t.timer = setTimeout(() => {
      t.timer = undefined;
      void examine(path);
    }, delayMs);
  };

  const examine = async (path: string): Promise<void> => {
    const t = tracked.get(path);
    if (!t || t.busy || closed) return;
    t.busy = true;
    t.dirty = false;
    try {
      let obs: FileObservation;
      try {
        obs = await probeLimit(() => withDeadline(options.observe(path), probeDeadlineMs));
      } catch (err) {
        // Stopped while the probe ran: the store may already be closed, and nothing is lost.
        if (closed) return;
        handlers.onFailed(path, describeUnreadableFile(err as NodeJS.ErrnoException), null, t.landedAt);
        finish(path);
        return;
      }
      if (closed) return;
      t.history = recordObservation(t.history, obs);
      const decision = decideReadiness(t.history, now(), options.policy);
      if (decision.action === 'wait') {
        schedule(path, t, decision.recheckInMs);
        return;
      }
      if (decision.action === 'fail') {
        handlers.onFailed(path, decision.reason, obs, t.landedAt);
        finish(path);
        return;
      }
      const outcome = await admitLimit(() => handlers.onComplete(path, obs, t.landedAt));
      if (outcome === 'changed' || outcome === 'retry') {
        schedule(path, t, outcome === 'retry' ? ADMISSION_RETRY_MS : options.policy.probeIntervalMs);
        return;
      }
      finish(path);
    } finally {
      t.busy = false;
      // Changed while it was being looked at and nothing is planned yet: look again soon.
      if (t.dirty && tracked.has(path) && !t.timer) schedule(path, t, options.policy.probeIntervalMs);
    }
  };

  return {
    notice(path) {
      if (closed) return;
      const existing = tracked.get(path);
      if (existing) {
        // A file being written reports a change for every chunk. Its next look is already
        // planned, and readiness needs it to stop changing anyway: probing per chunk only
        // burns the main thread during a burst.
        if (!existing.busy && !existing.timer) schedule(path, existing, options.policy.probeIntervalMs);
        else existing.dirty = true;
        return;
      }
      const t: Tracked = { landedAt: now(), history: undefined, timer: undefined, busy: false, dirty: false };
      tracked.set(path, t);
      schedule(path, t, 0);
    },
    removed(path) {
      const t = tracked.get(path);
      if (!t || t.busy) return;
      handlers.onFailed(path, describeUnreadableFile({ code: 'ENOENT' } as NodeJS.ErrnoException), t.history?.last ?? null, t.landedAt);
      finish(path);
    },
    pending: () => tracked.size,
    settled() {
      if (tracked.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed = true;
      for (const t of tracked.values()) if (t.timer) clearTimeout(t.timer);
      tracked.clear();
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    },
  };
}
