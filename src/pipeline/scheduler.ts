// Hands due jobs from the durable queue to the worker pool, never more than the pool can
// start soon (back-pressure: a 5,000-file burst waits in SQLite, not in memory).
import type { Logger } from 'pino';
import type { PhotoFormat } from '../ingest/formats.js';
import type { Job, JobsRepository, PhotosRepository } from '../store/index.js';
import { nextRetryAt, shouldRetry } from './backoff.js';
import type { MediaOptions, PhotoTaskResult, PhotoTaskTimings } from './photo-task.js';
import type { PhotoProcessor } from './worker-pool.js';

export interface SchedulerPolicy {
  leaseMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  prefetchPerWorker: number;
}

export type PhotoOutcome =
  | { status: 'ready'; photoId: number; eventId: number; timings: PhotoTaskTimings }
  | { status: 'failed'; photoId: number; eventId: number; error: string }
  | { status: 'retrying'; photoId: number; eventId: number; error: string; retryAt: number };

export interface SchedulerDeps {
  jobs: JobsRepository;
  photos: PhotosRepository;
  processor: PhotoProcessor;
  dataDir: string;
  media: MediaOptions;
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

  const runJob = async (job: Job): Promise<void> => {
    const photo = job.photoId === null ? undefined : deps.photos.getPhoto(job.photoId);
    if (!photo || photo.sha256 === null || photo.format === null) {
      deps.jobs.failJob(job.id, 'The photo this job belongs to no longer exists', now());
      return;
    }
    deps.photos.markProcessing(photo.id, now());
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
      });
    } catch (err) {
      // The worker thread itself broke (crash, out of memory): piscina replaces it; try the photo again.
      result = { ok: false, failure: 'transient', error: `Worker failed on ${photo.fileName}: ${(err as Error).message}` };
    }
    const t = now();
    if (result.ok) {
      deps.photos.completePhotoJob(photo.id, job.id, result.photo, t);
      deps.log.debug({ photoId: photo.id, jobId: job.id, timings: result.timings }, 'photo ready');
      deps.onOutcome?.({ status: 'ready', photoId: photo.id, eventId: photo.eventId, timings: result.timings });
    } else if (shouldRetry(result.failure, job.attempts, job.maxAttempts)) {
      const retryAt = nextRetryAt(job.attempts, t, { baseMs: deps.policy.retryBaseMs, maxMs: deps.policy.retryMaxMs }, random());
      deps.photos.requeuePhotoJob(photo.id, job.id, result.error, retryAt, t);
      deps.log.warn({ photoId: photo.id, jobId: job.id, attempt: job.attempts, retryAt }, result.error);
      deps.onOutcome?.({ status: 'retrying', photoId: photo.id, eventId: photo.eventId, error: result.error, retryAt });
    } else {
      deps.photos.failPhotoJob(photo.id, job.id, result.error, t);
      deps.log.error({ photoId: photo.id, jobId: job.id, path: photo.path }, result.error);
      deps.onOutcome?.({ status: 'failed', photoId: photo.id, eventId: photo.eventId, error: result.error });
    }
  };

  const scheduleWakeUp = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (draining) return;
    const due = deps.jobs.nextDueAt();
    if (due === null) return;
    // A retry with backoff or an expired lease becomes due later with no event to announce it.
    timer = setTimeout(pump, Math.max(0, due - now()) + 5);
    timer.unref();
  };

  function pump(): void {
    if (pumping || draining) return;
    pumping = true;
    try {
      const free = capacity - running.size;
      if (free <= 0) return;
      const jobs = deps.jobs.claimJobs(deps.owner, now(), deps.policy.leaseMs, free);
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
