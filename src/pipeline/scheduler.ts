// Hands due jobs from the durable queue to the worker pool, never more than the pool can
// start soon (back-pressure: a 5,000-file burst waits in SQLite, not in memory).
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PhotoFormat } from '../camera-files/index.js';
import { join } from 'node:path';
import { isDatabaseDamage, type ClipVectorsRepository, type FacesReplaced, type Job, type JobsRepository, type PhotosRepository } from '../store/index.js';
import { nextRetryAt, retryPolicyFor, shouldRetry } from './backoff.js';
import type { ClipTaskOptions, FaceTaskOptions, MediaOptions, PhotoTaskResult, PhotoTaskTimings } from '../photo/index.js';
import type { PhotoProcessor } from './worker-pool.js';

/** How long to wait before writing to a database whose drive was full. */
const STORAGE_RETRY_MS = 5_000;
/** A reminder that a result still cannot be saved, every this many tries (one a minute). */
const SAVE_REMINDER_EVERY = 60_000 / STORAGE_RETRY_MS;
const SAVE_ATTEMPTS_WHILE_STOPPING = 3;
/** Renewing three times per lease survives two missed renewals (a blocked event loop). */
const LEASE_RENEWALS_PER_LEASE = 3;

export interface SchedulerPolicy {
  leaseMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  prefetchPerWorker: number;
}

export type PhotoOutcome =
  | { status: 'ready'; photoId: number; eventId: number; timings: PhotoTaskTimings; faceIds: number[]; replacedFaceIds: number[]; faceProvider?: { active: string; fallbackReason?: string; detector?: string } }
  | { status: 'failed'; photoId: number; eventId: number; error: string }
  | { status: 'retrying'; photoId: number; eventId: number; error: string; retryAt: number }
  | { status: 'scene-indexed'; photoId: number; eventId: number };

export interface SchedulerDeps {
  jobs: JobsRepository;
  photos: PhotosRepository;
  processor: PhotoProcessor;
  dataDir: string;
  media: MediaOptions;
  faces: FaceTaskOptions | null;
  /**
   * The CLIP model to use now, or null when none is installed (scene search off). A function:
   * a model added while the engine runs is picked up. `recheck` asks it to look again now.
   */
  clip: (recheck?: boolean) => ClipTaskOptions | null;
  clipVectors: ClipVectorsRepository;
  policy: SchedulerPolicy;
  /** Identifies this process in lease rows. */
  owner: string;
  log: Logger;
  now?: () => number;
  random?: () => number;
  onOutcome?: (outcome: PhotoOutcome) => void;
}

export interface Scheduler {
  /** Look for due work now (call after enqueueing). */
  wake(): void;
  /** Stop taking new jobs and wait for the ones in flight to finish and be written. */
  drain(): Promise<void>;
  inFlight(): number;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const capacity = deps.processor.threads * (1 + deps.policy.prefetchPerWorker);
  const running = new Set<Promise<void>>();
  let draining = false;
  let timer: NodeJS.Timeout | undefined;
  let pumping = false;

  /**
   * Saving a result can fail when the data drive is full (SQLITE_FULL). The result is small:
   * keep it and try again until the photographer frees space, instead of losing the work.
   */
  const save = async (what: string, write: () => void): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        write();
        return;
      } catch (err) {
        // At shutdown stop trying: the job keeps its lease, which the next start releases.
        if (draining && attempt >= SAVE_ATTEMPTS_WHILE_STOPPING) throw err;
        // A full drive clears when space is freed; a damaged file never does, and needs the operator.
        const advice = isDatabaseDamage(err)
          ? 'the database file is damaged: stop Shutterfind and run `shutterfind repair` (original photos are not affected)'
          : 'free space on the data drive';
        // The first failure with its stack; then one line a minute: a stack per photo every 5 s
        // filled the log (on the very drive that was full) with the same trace.
        if (attempt === 1) deps.log.error({ err }, `Cannot save ${what}: ${(err as Error).message}. Retrying every ${STORAGE_RETRY_MS / 1000} s; ${advice}.`);
        else if ((attempt - 1) % SAVE_REMINDER_EVERY === 0)
          deps.log.warn(`Still cannot save ${what} after ${attempt} tries (${(err as Error).message}); ${advice}.`);
        await delay(STORAGE_RETRY_MS);
      }
    }
  };

  /** Scene-search back-fill: a ready photo's CLIP embedding from its preview; the photo itself is untouched. */
  const runClipJob = async (job: Job): Promise<void> => {
    const photo = job.photoId === null ? undefined : deps.photos.getPhoto(job.photoId);
    const clip = deps.clip(true);
    if (!photo || !photo.previewPath || !clip) {
      const why = !clip ? 'Scene search is off (no CLIP model installed)' : 'The photo has no preview yet';
      await save(`job ${job.id}`, () => deps.jobs.failJob(job.id, why, now()));
      return;
    }
    const result = await deps.processor
      .embedClip({ photoId: photo.id, jobId: job.id, previewPath: join(deps.dataDir, photo.previewPath), clip })
      .catch((err: unknown) => ({ ok: false as const, failure: 'transient' as const, error: `Worker failed: ${(err as Error).message}` }));
    if (result.ok) {
      const embedding = result.embedding;
      await save(`the scene embedding of ${photo.fileName}`, () => deps.clipVectors.completeClipJob(photo.id, photo.eventId, job.id, embedding, now()));
      deps.onOutcome?.({ status: 'scene-indexed', photoId: photo.id, eventId: photo.eventId });
    } else if (shouldRetry(result.failure, job.attempts, job.maxAttempts)) {
      const retryAt = nextRetryAt(job.attempts, now(), retryPolicyFor(result.failure, { baseMs: deps.policy.retryBaseMs, maxMs: deps.policy.retryMaxMs }), random());
      await save(`job ${job.id}`, () => deps.jobs.requeueJob(job.id, result.error, retryAt, now()));
    } else {
      await save(`job ${job.id}`, () => deps.jobs.failJob(job.id, result.error, now()));
      deps.log.warn({ photoId: photo.id, jobId: job.id }, result.error);
    }
  };

  const runJob = async (job: Job): Promise<void> => {
    if (job.kind === 'photo.clip') return runClipJob(job);
    const photo = job.photoId === null ? undefined : deps.photos.getPhoto(job.photoId);
    if (!photo || photo.sha256 === null || photo.format === null) {
      await save(`job ${job.id}`, () => deps.jobs.failJob(job.id, 'The photo this job belongs to no longer exists', now()));
      return;
    }
    try {
      deps.photos.markProcessing(photo.id, now());
    } catch (err) {
      // Only the "processing" label is lost; the job itself is leased and runs regardless.
      deps.log.warn({ photoId: photo.id, err }, 'Could not mark the photo as processing');
    }
    // A huge TIFF on a busy laptop can outlast the lease; keep it alive while the worker is on
    // it, or the queue would hand the same photo out a second time.
    const heartbeat = setInterval(() => {
      try {
        deps.jobs.renewLease(job.id, deps.owner, now(), deps.policy.leaseMs);
      } catch (err) {
        deps.log.warn({ jobId: job.id, err }, 'Could not renew a job lease');
      }
    }, Math.max(10, Math.floor(deps.policy.leaseMs / LEASE_RENEWALS_PER_LEASE)));
    let result: PhotoTaskResult;
    try {
      result = await deps.processor.process({
        photoId: photo.id,
        jobId: job.id,
        path: photo.path,
        format: photo.format as PhotoFormat,
        sha256: photo.sha256,
        dataDir: deps.dataDir,
        media: deps.media,
        faces: deps.faces,
        clip: deps.clip(),
      });
    } catch (err) {
      // The worker thread itself broke (crash, out of memory): piscina replaces it; try the photo again.
      result = { ok: false, failure: 'transient', error: `Worker failed on ${photo.fileName}: ${(err as Error).message}` };
    } finally {
      clearInterval(heartbeat);
    }
    const what = `the result for ${photo.fileName}`;
    if (result.ok) {
      const processed = result.photo;
      let faces: FacesReplaced = { faceIds: [], replacedFaceIds: [] };
      await save(what, () => {
        faces = deps.photos.completePhotoJob(photo.id, job.id, processed, now());
      });
      const { faceIds, replacedFaceIds } = faces;
      deps.log.debug({ photoId: photo.id, jobId: job.id, faces: faceIds.length, timings: result.timings }, 'photo ready');
      deps.onOutcome?.({ status: 'ready', photoId: photo.id, eventId: photo.eventId, timings: result.timings, faceIds, replacedFaceIds, ...(result.faceProvider ? { faceProvider: result.faceProvider } : {}) });
    } else if (shouldRetry(result.failure, job.attempts, job.maxAttempts)) {
      const backoff = retryPolicyFor(result.failure, { baseMs: deps.policy.retryBaseMs, maxMs: deps.policy.retryMaxMs });
      const retryAt = nextRetryAt(job.attempts, now(), backoff, random());
      const error = result.error;
      await save(what, () => deps.photos.requeuePhotoJob(photo.id, job.id, error, retryAt, now()));
      // A full drive needs the photographer now; other retries usually sort themselves out.
      const level = result.failure === 'storage' ? 'error' : 'warn';
      deps.log[level]({ photoId: photo.id, jobId: job.id, attempt: job.attempts, retryAt }, error);
      deps.onOutcome?.({ status: 'retrying', photoId: photo.id, eventId: photo.eventId, error, retryAt });
    } else {
      const error = result.error;
      await save(what, () => deps.photos.failPhotoJob(photo.id, job.id, error, now()));
      deps.log.error({ photoId: photo.id, jobId: job.id, path: photo.path }, error);
      deps.onOutcome?.({ status: 'failed', photoId: photo.id, eventId: photo.eventId, error });
    }
  };

  const scheduleWakeUp = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (draining) return;
    const due = deps.jobs.nextDueAt();
    if (due === null) return;
    // A retry with backoff becomes due later with no event to announce it.
    // Not unref'd: a one-shot import waiting on a retry must stay alive for it (drain clears it).
    timer = setTimeout(pump, Math.max(0, due - now()) + 5);
  };

  function pump(): void {
    if (pumping || draining) return;
    pumping = true;
    try {
      const free = capacity - running.size;
      if (free <= 0) return;
      let jobs: Job[];
      try {
        jobs = deps.jobs.claimJobs(deps.owner, now(), deps.policy.leaseMs, free);
      } catch (err) {
        deps.log.error({ err }, `Cannot take jobs from the queue: ${(err as Error).message}. Retrying in ${STORAGE_RETRY_MS / 1000} s.`);
        if (timer) clearTimeout(timer);
        timer = setTimeout(pump, STORAGE_RETRY_MS);
        return;
      }
      for (const job of jobs) {
        const p = runJob(job)
          .catch((err: unknown) => {
            deps.log.error({ jobId: job.id, err }, 'Writing a job result failed');
          })
          .finally(() => {
            running.delete(p);
            pump();
          });
        running.add(p);
      }
      if (running.size < capacity) scheduleWakeUp();
    } finally {
      pumping = false;
    }
  }

  return {
    wake: pump,
    inFlight: () => running.size,
    async drain() {
      draining = true;
      if (timer) clearTimeout(timer);
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
