// Sync as the engine offers it: enrol an event, see where its sync stands, pause it, cap its
// bandwidth, run it once, and keep it running in the background while `serve` runs (one loop
// per enrolled event: the differ a moment after each change, a sync when there is something to
// send, backoff while offline, a stop on a refusal only the operator can fix).
import { randomBytes } from 'node:crypto';
import { enrolRequest, type SyncView } from '../api/index.js';
import type { SyncRepository } from '../store/index.js';
import { fullBucket, takeTokens, type TokenBucket } from './bandwidth-bucket.js';
import type { BatchLimits } from './batcher.js';
import { recordChanges } from './change-log.js';
import { differDue, differScope, nextDifferDelay, type DifferRun, type DifferScope, type DifferState } from './differ-pacing.js';
import { createCloudClient, enrolDevice, SYNC_TIMEOUTS, SyncRequestError, type SyncTimeouts } from './cloud-client.js';
import { readDeviceToken, saveDeviceToken } from './device-token.js';
import { isRetryable, retryDelay, SYNC_BACKOFF, type BackoffPolicy } from './retry-policy.js';
import { addSyncSummaries, runSync, SyncStoppedError, type SyncProgress, type SyncSummary } from './sync-run.js';
import type { SyncBlob } from '../store/index.js';

export interface SyncLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EventSyncDeps {
  repo: SyncRepository;
  dataDir: string;
  log: SyncLog;
  /** The file an attendee may see for a photo (see ChangeLogDeps). */
  attendeeMediaPath(photoId: number, kind: 'thumb' | 'preview'): Promise<string | null>;
  /** The event's watermark when it is on (see ChangeLogDeps). */
  watermarkOf?(eventId: number): string | null;
  /** True when attendees see every face of the event (see ChangeLogDeps). */
  showsEveryFace?(eventId: number): boolean;
  /** Used when an enrolment names no device (the laptop's host name). */
  /** The name an event enrols under when none is given: a text, or made from the event (the laptop's name and the event's). */
  defaultDeviceName: string | ((eventId: number) => string);
  /** Told when an event's sync view changes, at most once a second per event. */
  onView?(view: SyncView): void;
  now?: () => number;
  random?: () => number;
  timeouts?: SyncTimeouts;
  backoff?: BackoffPolicy;
  /** How long after a change the differ runs (changes come in bursts: a card import, a merge). */
  debounceMs?: number;
  /** How often an idle loop syncs anyway, to read back delivery states. */
  idleResyncMs?: number;
  limits?: BatchLimits;
  blobsInFlight?: number;
  /** After each part reaches the store (tests interrupt a sync mid-upload here). */
  partSent?(blob: SyncBlob, partNumber: number): void;
}

export interface EnrolInput {
  endpoint: string;
  joinCode: string;
  deviceName?: string;
}

/** Thrown for an event that is not enrolled. */
export class NotEnrolledError extends Error {
  override name = 'NotEnrolledError';
}

/** Thrown by runOnce for a paused event. */
export class SyncPausedError extends Error {
  override name = 'SyncPausedError';
}

/** A changed event's differ runs this long after the change (a card import is hundreds of changes). */
export const SYNC_DEBOUNCE_MS = 2_000;
/** An idle, enrolled event syncs this often anyway: delivery states come back only when asked. */
export const IDLE_RESYNC_MS = 60_000;
/** The upload rate shown is over this window. */
const RATE_WINDOW_MS = 5_000;
/** Tries of a sync asked for, before it fails (backoff between them: about 15 s in all). */
const RUN_ONCE_ATTEMPTS = 5;
/** Runs a sync asked for adds for files that changed while they went up; one changing all the time is left to the loop. */
const CHANGED_FILE_RUNS = 2;
/** The longest a sync asked for waits between two tries, whatever Retry-After says. */
const MAX_RUN_ONCE_WAIT_MS = 30_000;
/** Live views at most this often per event. */
const VIEW_INTERVAL_MS = 1_000;

interface EventLoop {
  timer: NodeJS.Timeout | null;
  /** Why the loop waits: for the next idle resync, after a failure, or not at all (blocked until the operator acts). */
  waiting: 'idle' | 'backoff' | 'blocked' | null;
  attempt: number;
  differTimer: NodeJS.Timeout | null;
  /** The last differ run over the whole event that finished, and the last change signalled other than photos made ready (paces the next run). */
  lastDiffer: DifferRun | null;
  lastChangeAt: number | null;
  /** Photos made ready since the last differ run began: the next run may read them alone. */
  readyPhotos: Set<number>;
}

/**
 * The device id an event enrols as: the laptop's with the event's id, so two local events in one
 * cloud event are two devices there (each its own token and operation log), and one event
 * enrolling again is the same device again. Fits the protocol's device id (letters, digits, - and _).
 */
export const eventDeviceId = (laptopDeviceId: string, eventId: number): string => `${laptopDeviceId}-e${eventId}`;

export function createEventSync(deps: EventSyncDeps) {
  const { repo, log } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const timeouts = deps.timeouts ?? SYNC_TIMEOUTS;
  const backoff = deps.backoff ?? SYNC_BACKOFF;
  const debounceMs = deps.debounceMs ?? SYNC_DEBOUNCE_MS;
  const idleResyncMs = deps.idleResyncMs ?? IDLE_RESYNC_MS;
  const deviceId = repo.deviceId(() => randomBytes(16).toString('base64url'), now());

  const inFlight = new Map<number, Promise<unknown>>();
  /** Runs asked for and not finished, per event: the view says 'syncing' from the moment one is asked for. */
  const running = new Map<number, number>();
  const buckets = new Map<number, TokenBucket>();
  const sentLog = new Map<number, { at: number; bytes: number }[]>();
  const loops = new Map<number, EventLoop>();
  const viewTimers = new Map<number, { last: number; timer: NodeJS.Timeout | null }>();
  let started = false;
  /** Set by stop(): a sync in flight ends between two requests. */
  let stopping = false;

  /**
   * The differ's and the sender's inputs for one event, as the device the endpoint knows it by: its
   * own since each event is one device (migration 0014), the laptop's for an event enrolled before.
   */
  const changeDepsOf = (eventId: number) => ({
    repo,
    dataDir: deps.dataDir,
    deviceId: repo.enrolment(eventId)?.deviceId ?? deviceId,
    attendeeMediaPath: deps.attendeeMediaPath,
    ...(deps.watermarkOf ? { watermarkOf: deps.watermarkOf } : {}),
    ...(deps.showsEveryFace ? { showsEveryFace: deps.showsEveryFace } : {}),
    now,
  });

  function rate(eventId: number): number {
    const entries = (sentLog.get(eventId) ?? []).filter((e) => e.at > now() - RATE_WINDOW_MS);
    sentLog.set(eventId, entries);
    return Math.round((entries.reduce((n, e) => n + e.bytes, 0) * 1000) / RATE_WINDOW_MS);
  }

  function view(eventId: number): SyncView {
    const e = repo.enrolment(eventId);
    if (!e) {
      return {
        eventId,
        state: 'not-enrolled',
        endpoint: null,
        cloudEventId: null,
        publicBaseUrl: null,
        deviceName: null,
        opsLeft: 0,
        blobsLeft: 0,
        bytesLeft: 0,
        bytesSent: 0,
        rateBytesPerSecond: 0,
        lastSyncedAt: null,
        lastError: null,
        bandwidthCapBytesPerSecond: null,
        uploadOriginals: false,
        cloudFaceSearch: false,
      };
    }
    const blobs = repo.blobsLeft(eventId);
    return {
      eventId,
      state: running.has(eventId) ? 'syncing' : e.paused ? 'paused' : e.state === 'syncing' ? 'idle' : e.state,
      endpoint: e.endpoint,
      cloudEventId: e.cloudEventId,
      publicBaseUrl: e.publicBaseUrl,
      deviceName: e.deviceName,
      opsLeft: repo.opsLeft(eventId),
      blobsLeft: blobs.count,
      bytesLeft: blobs.bytes,
      bytesSent: e.bytesSent,
      rateBytesPerSecond: rate(eventId),
      lastSyncedAt: e.lastSyncedAt === null ? null : new Date(e.lastSyncedAt).toISOString(),
      lastError: e.lastError,
      bandwidthCapBytesPerSecond: e.bandwidthCap,
      uploadOriginals: e.uploadOriginals,
      cloudFaceSearch: e.cloudFaceSearch,
    };
  }

  /** The live view, at most once a second per event (the last change always shown). */
  function viewChanged(eventId: number): void {
    // Once stopping, no view is scheduled: a run finishing inside stop() would otherwise read the
    // database a second later, after the engine closed it (an uncaught "connection is not open").
    if (!deps.onView || stopping) return;
    const t = viewTimers.get(eventId) ?? { last: 0, timer: null };
    viewTimers.set(eventId, t);
    if (t.timer) return;
    const wait = Math.max(0, t.last + VIEW_INTERVAL_MS - now());
    t.timer = setTimeout(() => {
      t.timer = null;
      t.last = now();
      deps.onView?.(view(eventId));
    }, wait);
    t.timer.unref();
  }

  // Not unref'd: a sync waiting under the bandwidth cap is work in progress (a CLI must not exit on it).
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function throttle(eventId: number, bytes: number): Promise<void> {
    const cap = repo.enrolment(eventId)?.bandwidthCap ?? null;
    if (cap === null) return;
    const taken = takeTokens(buckets.get(eventId) ?? fullBucket(cap, now()), bytes, cap, now());
    buckets.set(eventId, taken.bucket);
    if (taken.waitMs > 0) await sleep(taken.waitMs);
  }

  function mustBeEnrolled(eventId: number) {
    const e = repo.enrolment(eventId);
    if (!e) throw new NotEnrolledError(`The event is not enrolled with a cloud endpoint: enrol it first (shutterfind sync enroll)`);
    return e;
  }

  const differState = (l: EventLoop): DifferState => ({
    lastWhole: l.lastDiffer,
    lastChangeAt: l.lastChangeAt,
    readyPhotos: l.readyPhotos.size,
  });

  /**
   * One differ run. A run over the whole event is timed: the time it took spaces the next
   * (differ-pacing.ts). Either reads the photos made ready so far (the whole event reads them
   * with the rest, at its start); a run that fails leaves them for the next.
   */
  async function runDiffer(eventId: number, scope: Exclude<DifferScope, 'nothing'> = 'whole-event'): Promise<number> {
    const l = loopOf(eventId);
    const photos = [...l.readyPhotos];
    l.readyPhotos.clear();
    const startedAt = now();
    try {
      if (scope === 'ready-photos') return photos.length ? await recordChanges(changeDepsOf(eventId), eventId, photos) : 0;
      const appended = await recordChanges(changeDepsOf(eventId), eventId);
      l.lastDiffer = { startedAt, tookMs: now() - startedAt };
      return appended;
    } catch (err) {
      for (const id of photos) l.readyPhotos.add(id);
      throw err;
    }
  }

  /**
   * One sync. `differ: 'unless-current'` (the continuous loop) skips the differ run when one since
   * the last change already wrote the log; a sync asked for always runs it.
   */
  async function syncNow(
    eventId: number,
    onProgress?: (p: SyncProgress) => void,
    differ: 'always' | 'unless-current' = 'always',
  ): Promise<SyncSummary> {
    const e = mustBeEnrolled(eventId);
    const l = loopOf(eventId);
    const scope: DifferScope = differ === 'always' ? 'whole-event' : differScope(differState(l), now());
    const client = createCloudClient(e.endpoint, readDeviceToken(deps.dataDir, eventId), timeouts);
    repo.setRunState(eventId, 'syncing', e.lastError);
    viewChanged(eventId);
    try {
      const summary = await runSync(
        {
          ...changeDepsOf(eventId),
          differ: () => (scope === 'nothing' ? Promise.resolve(0) : runDiffer(eventId, scope)),
          // Without it the file waited for the next whole read of the event, up to a minute, with
          // the view showing nothing left to send meanwhile.
          fileChanged: () => changed(eventId),
          client,
          throttle: (bytes) => throttle(eventId, bytes),
          sentBytes: (bytes) => {
            repo.addBytesSent(eventId, bytes);
            const entries = sentLog.get(eventId) ?? [];
            entries.push({ at: now(), bytes });
            sentLog.set(eventId, entries);
            viewChanged(eventId);
          },
          log,
          // Closing, or paused meanwhile by the operator: the run ends between two requests.
          stopped: () => stopping || repo.enrolment(eventId)?.paused === true,
          ...(deps.limits ? { limits: deps.limits } : {}),
          ...(deps.blobsInFlight ? { blobsInFlight: deps.blobsInFlight } : {}),
          ...(deps.partSent ? { partSent: deps.partSent } : {}),
        },
        eventId,
        (p) => {
          viewChanged(eventId);
          onProgress?.(p);
        },
      );
      log.info(
        { eventId, ...summary },
        `Sync: ${summary.opsSent} operation(s) and ${summary.blobsSent} file(s) sent in ${summary.tookMs} ms`,
      );
      return summary;
    } catch (err) {
      const offline = err instanceof SyncRequestError && err.kind === 'offline';
      if (err instanceof SyncStoppedError) repo.setRunState(eventId, 'idle', e.lastError);
      else repo.setRunState(eventId, offline ? 'offline' : 'error', (err as Error).message);
      throw err;
    } finally {
      client.close();
      viewChanged(eventId);
    }
  }

  /**
   * A sync asked for (the CLI, the console's "sync now"): a lost connection or a busy endpoint is
   * tried again a few times with backoff before it fails, each time from where the last stopped.
   */
  async function syncWithRetries(eventId: number, onProgress?: (p: SyncProgress) => void): Promise<SyncSummary> {
    let summary = await syncWithRetriesOnce(eventId, onProgress);
    // A file that changed while it went up was dropped from this run. A sync asked for runs again
    // for it (its differ run lists it anew), so that it ends with the file sent rather than
    // saying everything is on the endpoint while the file waits for a later sync.
    for (let again = 0; summary.filesChanged > 0 && again < CHANGED_FILE_RUNS && !stopping; again++) {
      summary = addSyncSummaries(summary, await syncWithRetriesOnce(eventId, onProgress));
    }
    return summary;
  }

  async function syncWithRetriesOnce(eventId: number, onProgress?: (p: SyncProgress) => void): Promise<SyncSummary> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await syncNow(eventId, onProgress);
      } catch (err) {
        if (!(err instanceof SyncRequestError) || !isRetryable(err.kind) || attempt >= RUN_ONCE_ATTEMPTS || stopping) throw err;
        const delay = Math.min(MAX_RUN_ONCE_WAIT_MS, retryDelay(attempt, err.retryAfterMs, backoff, random()));
        log.warn({ eventId, attempt, delayMs: delay }, `${err.message}; trying again in ${Math.round(delay / 1000)} s`);
        await sleep(delay);
      }
    }
  }

  function runOnce(eventId: number, onProgress?: (p: SyncProgress) => void): Promise<SyncSummary> {
    return runSerialized(eventId, () => syncWithRetries(eventId, onProgress));
  }

  /** One sync at a time per event: a second caller waits for the first, then runs. */
  function runSerialized(eventId: number, sync: () => Promise<SyncSummary>): Promise<SyncSummary> {
    const e = mustBeEnrolled(eventId);
    if (e.paused) return Promise.reject(new SyncPausedError('Sync of this event is paused: resume it first (console, Sync section)'));
    running.set(eventId, (running.get(eventId) ?? 0) + 1);
    const previous = inFlight.get(eventId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(sync);
    inFlight.set(eventId, run);
    const finished = () => {
      const left = (running.get(eventId) ?? 1) - 1;
      if (left > 0) running.set(eventId, left);
      else running.delete(eventId);
      if (inFlight.get(eventId) === run) inFlight.delete(eventId);
      viewChanged(eventId);
    };
    void run.then(finished, finished);
    return run;
  }

  // ---- the continuous loops ----------------------------------------------------------------

  const loopOf = (eventId: number): EventLoop => {
    let l = loops.get(eventId);
    if (!l)
      loops.set(
        eventId,
        (l = { timer: null, waiting: null, attempt: 0, differTimer: null, lastDiffer: null, lastChangeAt: null, readyPhotos: new Set() }),
      );
    return l;
  };

  function schedule(eventId: number, delayMs: number, waiting: EventLoop['waiting']): void {
    const l = loopOf(eventId);
    if (l.timer) clearTimeout(l.timer);
    l.waiting = waiting;
    l.timer = setTimeout(() => {
      l.timer = null;
      l.waiting = null;
      void tick(eventId);
    }, delayMs);
    l.timer.unref();
  }

  async function tick(eventId: number): Promise<void> {
    const e = repo.enrolment(eventId);
    if (!started || !e || e.paused) return;
    const l = loopOf(eventId);
    try {
      // One try: the loop's own backoff decides when the next comes.
      await runSerialized(eventId, () => syncNow(eventId, undefined, 'unless-current'));
      l.attempt = 0;
      // Changes recorded while it ran (photos made ready meanwhile) go a moment later, not at the idle resync.
      const left = repo.opsLeft(eventId) > 0 || repo.blobsLeft(eventId).count > 0;
      schedule(eventId, left ? debounceMs : idleResyncMs, left ? null : 'idle');
    } catch (err) {
      if (!started) return;
      if (err instanceof SyncRequestError && isRetryable(err.kind)) {
        l.attempt++;
        const delay = retryDelay(l.attempt, err.retryAfterMs, backoff, random());
        log.warn({ eventId, attempt: l.attempt, delayMs: delay }, `${err.message}; trying again in ${Math.round(delay / 1000)} s`);
        schedule(eventId, delay, 'backoff');
      } else if (err instanceof SyncPausedError || err instanceof SyncStoppedError) {
        l.waiting = null;
      } else {
        // A refusal only the operator can fix (a revoked token, a lost log): wait for them.
        l.waiting = 'blocked';
        log.error({ eventId, err }, `Sync stopped: ${(err as Error).message}`);
      }
    }
  }

  /** Differ runs started by changes, awaited by stop() (the database closes after it). */
  const differRuns = new Set<Promise<void>>();

  /**
   * Something the event holds changed: the differ runs a moment later, and an idle loop syncs.
   * `readyPhotos`: only these photos changed (made ready: new files, new faces), so a run may read
   * them alone; anything else (a rename, a merge, a take-home link) calls for the whole event.
   */
  function changed(eventId: number, readyPhotos?: readonly number[]): void {
    if (stopping || !repo.enrolment(eventId)) return;
    const l = loopOf(eventId);
    if (readyPhotos) for (const id of readyPhotos) l.readyPhotos.add(id);
    else l.lastChangeAt = now();
    if (l.differTimer) return;
    const scope = differScope(differState(l), now());
    if (scope !== 'nothing') armDiffer(eventId, scope === 'whole-event' ? nextDifferDelay(debounceMs, l.lastDiffer) : debounceMs);
  }

  function armDiffer(eventId: number, delayMs: number): void {
    const l = loopOf(eventId);
    l.differTimer = setTimeout(() => {
      l.differTimer = null;
      if (stopping) return;
      const due = differDue(differState(l), now());
      // The whole event is due but its last run was too recent: the new photos go now, it later.
      if (due.againInMs !== null) armDiffer(eventId, due.againInMs);
      if (due.run === 'nothing') return;
      const run = runDiffer(eventId, due.run)
        .then((appended) => {
          if (appended) viewChanged(eventId);
          // Send now unless offline (the backoff decides) or blocked (the operator decides).
          if (started && appended && (l.waiting === 'idle' || l.waiting === null) && !running.has(eventId)) schedule(eventId, 0, null);
        })
        .catch((err: unknown) => log.error({ eventId, err }, `Could not record the event's changes for sync: ${(err as Error).message}`))
        .finally(() => differRuns.delete(run));
      differRuns.add(run);
    }, delayMs);
    l.differTimer.unref();
  }

  function wake(eventId: number): void {
    if (started && repo.enrolment(eventId)) schedule(eventId, 0, null);
  }

  return {
    /** This laptop's id (each enrolled event is known to the endpoint by its own: deviceIdOf). */
    deviceId,
    /** The device id the endpoint knows this event by. */
    deviceIdOf: (eventId: number): string => changeDepsOf(eventId).deviceId,
    view,

    async enroll(eventId: number, input: EnrolInput): Promise<SyncView> {
      let url: URL;
      try {
        url = new URL(input.endpoint);
      } catch {
        throw new SyncRequestError(
          `${input.endpoint} is not an address: give the endpoint as https://host[:port]`,
          'refused',
          null,
          'bad-endpoint',
          null,
        );
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new SyncRequestError(`${input.endpoint} is not an http(s) address`, 'refused', null, 'bad-endpoint', null);
      }
      const endpoint = url.toString().replace(/\/+$/, '');
      const fallbackName = typeof deps.defaultDeviceName === 'function' ? deps.defaultDeviceName(eventId) : deps.defaultDeviceName;
      const deviceName = (input.deviceName?.trim() || fallbackName).slice(0, 120);
      // Each event its own device (see migration 0014), the same one again when this event re-enrols.
      // An event enrolled before that keeps the laptop's id: as a new device it would find the
      // endpoint without the rows its old id sent, while this laptop's log says they were sent.
      const before = repo.enrolment(eventId);
      const enrolAs = before ? (before.deviceId ?? deviceId) : eventDeviceId(deviceId, eventId);
      const request = enrolRequest.safeParse({ joinCode: input.joinCode.trim(), deviceId: enrolAs, deviceName });
      if (!request.success) {
        const issue = request.error.issues[0]!;
        const what = issue.path[0] === 'joinCode' ? 'join code' : issue.path[0] === 'deviceName' ? 'device name' : 'enrolment';
        throw new SyncRequestError(
          `The ${what} is not valid (${issue.message}): check it and enrol again`,
          'refused',
          null,
          'bad-enrolment',
          null,
        );
      }
      const answer = await enrolDevice(endpoint, request.data, timeouts);
      saveDeviceToken(deps.dataDir, eventId, answer.deviceToken);
      repo.saveEnrolment(
        {
          eventId,
          endpoint,
          cloudEventId: answer.cloudEventId,
          cloudEventName: answer.eventName,
          publicBaseUrl: answer.publicBaseUrl.replace(/\/+$/, ''),
          deviceName,
          uploadOriginals: answer.uploadOriginals,
          cloudFaceSearch: answer.cloudFaceSearch,
          nextSeq: answer.nextSeq,
          deviceId: request.data.deviceId,
        },
        now(),
      );
      log.info(
        { eventId, endpoint, cloudEventId: answer.cloudEventId },
        `Enrolled with ${endpoint} as "${deviceName}" (cloud event ${answer.cloudEventId})`,
      );
      await runDiffer(eventId);
      loopOf(eventId).attempt = 0;
      wake(eventId);
      viewChanged(eventId);
      return view(eventId);
    },

    setPaused(eventId: number, paused: boolean): SyncView {
      mustBeEnrolled(eventId);
      repo.setPaused(eventId, paused);
      if (!paused) wake(eventId);
      viewChanged(eventId);
      return view(eventId);
    },

    setBandwidthCap(eventId: number, bytesPerSecond: number | null): SyncView {
      mustBeEnrolled(eventId);
      if (bytesPerSecond !== null && (!Number.isInteger(bytesPerSecond) || bytesPerSecond <= 0)) {
        throw new RangeError('A bandwidth cap is a whole number of bytes per second above 0, or none');
      }
      repo.setBandwidthCap(eventId, bytesPerSecond);
      buckets.delete(eventId);
      viewChanged(eventId);
      return view(eventId);
    },

    runOnce,
    /** The differ alone (no network): the operations the event's changes call for; how many. */
    recordChanges: (eventId: number) => runDiffer(eventId),
    changed,

    /** The take-home address attendees get: the cloud's once the event is enrolled, else null. */
    publicGalleryUrl(eventId: number, token: string): string | null {
      const e = repo.enrolment(eventId);
      return e ? `${e.publicBaseUrl}/g/${token}` : null;
    },

    enrolledEventIds: (): number[] => repo.enrolments().map((e) => e.eventId),

    /** Continuous sync of every enrolled event (serve). */
    start(): void {
      if (started) return;
      started = true;
      stopping = false;
      for (const e of repo.enrolments()) if (!e.paused) schedule(e.eventId, 0, null);
    },

    /** Stops the loops; a sync in flight finishes its current request and is awaited. */
    async stop(): Promise<void> {
      started = false;
      stopping = true;
      for (const l of loops.values()) {
        if (l.timer) clearTimeout(l.timer);
        if (l.differTimer) clearTimeout(l.differTimer);
        l.timer = null;
        l.differTimer = null;
      }
      for (const t of viewTimers.values()) if (t.timer) clearTimeout(t.timer);
      await Promise.allSettled([...inFlight.values(), ...differRuns]);
    },
  };
}

export type EventSync = ReturnType<typeof createEventSync>;
