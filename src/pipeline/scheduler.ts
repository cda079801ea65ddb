// Hands due jobs from the durable queue to the worker pool, never more than the pool can
// start soon (back-pressure: a 5,000-file burst waits in SQLite, not in memory). A photo's
// previews job and the faces (and scene) jobs it carries go to one worker task: one decode.
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PhotoFormat } from '../camera-files/index.js';
import { join } from 'node:path';
import {
  isDatabaseDamage,
  isStorageTrouble,
  stageOfJob,
  type ClaimedWork,
  type ClipVectorsRepository,
  type FacesReplaced,
  type Job,
  type JobsRepository,
  type PhotoStage,
  type PhotosRepository,
} from '../store/index.js';
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

type FaceProvider = { active: string; fallbackReason?: string; detector?: string };

/**
 * What became of one worker task. `stages` are the stages it ran (or would have): a photo's first
 * task runs previews and faces (and scene when a CLIP model is installed) on one decode; a re-run
 * runs one stage.
 */
export type PhotoOutcome =
  | {
      status: 'ready';
      photoId: number;
      eventId: number;
      stages: PhotoStage[];
      timings: PhotoTaskTimings;
      faceIds: number[];
      replacedFaceIds: number[];
      faceProvider?: FaceProvider;
    }
  | { status: 'failed'; photoId: number; eventId: number; stages: PhotoStage[]; error: string }
  | { status: 'retrying'; photoId: number; eventId: number; stages: PhotoStage[]; error: string; retryAt: number }
  | { status: 'scene-indexed'; photoId: number; eventId: number }
  /** A stage re-run on a ready photo failed: the photo keeps its earlier results and stays ready. */
  | { status: 'stage-failed'; photoId: number; eventId: number; stages: PhotoStage[]; error: string }
  /** The stage is switched off (faces in settings, no CLIP model): its job is done with a note. */
  | { status: 'stage-skipped'; photoId: number; eventId: number; stages: PhotoStage[]; reason: string };

/** Kept on a faces job that had nothing to do, so the operator sees why and can run it later. */
export const FACES_OFF_NOTE =
  'Skipped: face analysis is switched off (faces.enabled in settings.json); turn it on and run `shutterfind reprocess --stage faces`';
export const SCENE_OFF_NOTE = 'Skipped: scene search is off (no CLIP model installed; `shutterfind models add` installs one)';

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
   * With `giveUpOnFault`, an error that is not the storage's (a fault of the program: a
   * TypeError, a constraint) is returned instead of retried: it would fail the same way every
   * 5 s for ever, the photo stuck as "processing" under advice to free space (seen when photo
   * workers older than the engine sent a result without a field the engine saves).
   */
  const save = async (what: string, write: () => void, giveUpOnFault = false): Promise<Error | null> => {
    for (let attempt = 1; ; attempt++) {
      try {
        write();
        return null;
      } catch (err) {
        if (giveUpOnFault && !isStorageTrouble(err)) return err instanceof Error ? err : new Error(String(err));
        // At shutdown stop trying: the job keeps its lease, which the next start releases.
        if (draining && attempt >= SAVE_ATTEMPTS_WHILE_STOPPING) throw err;
        // A full drive clears when space is freed; a damaged file never does, and needs the operator.
        const advice = isDatabaseDamage(err)
          ? 'the database file is damaged: stop Shutterfind and run `shutterfind repair` (original photos are not affected)'
          : 'free space on the data drive';
        // The first failure with its stack; then one line a minute: a stack per photo every 5 s
        // filled the log (on the very drive that was full) with the same trace.
        if (attempt === 1)
          deps.log.error(
            { err },
            `Cannot save ${what}: ${(err as Error).message}. Retrying every ${STORAGE_RETRY_MS / 1000} s; ${advice}.`,
          );
        else if ((attempt - 1) % SAVE_REMINDER_EVERY === 0)
          deps.log.warn(`Still cannot save ${what} after ${attempt} tries (${(err as Error).message}); ${advice}.`);
        await delay(STORAGE_RETRY_MS);
      }
    }
  };

  /** A job left with nothing to work on, or a stage switched off: finished without a worker. */
  const finishWithoutWorker = async (
    jobs: readonly Job[],
    photoId: number | null,
    outcome: { failed: string } | { skipped: string },
  ): Promise<void> => {
    const stages = jobs.map((j) => stageOfJob(j.kind));
    if ('failed' in outcome)
      await save(`job ${jobs[0]!.id}`, () => {
        for (const j of jobs) deps.jobs.failJob(j.id, outcome.failed, now());
      });
    else
      await save(`job ${jobs[0]!.id}`, () => {
        for (const j of jobs) deps.jobs.completeJob(j.id, now(), outcome.skipped);
      });
    if (photoId === null) return;
    const eventId = jobs[0]!.eventId;
    // Every finished job is announced: whoever waits for the queue to empty looks again then.
    deps.onOutcome?.(
      'failed' in outcome
        ? { status: 'stage-failed', photoId, eventId, stages, error: outcome.failed }
        : { status: 'stage-skipped', photoId, eventId, stages, reason: outcome.skipped },
    );
  };

  /** Scene search for a photo that is already ready: its CLIP embedding from the stored preview; the photo is untouched. */
  const runSceneJob = async (job: Job): Promise<void> => {
    const photo = job.photoId === null ? undefined : deps.photos.getPhoto(job.photoId);
    const clip = deps.clip(true);
    if (!clip) return finishWithoutWorker([job], job.photoId, { skipped: SCENE_OFF_NOTE });
    if (!photo || !photo.previewPath) return finishWithoutWorker([job], job.photoId, { failed: 'The photo has no preview yet' });
    const result = await deps.processor
      .embedClip({ photoId: photo.id, jobId: job.id, previewPath: join(deps.dataDir, photo.previewPath), clip })
      .catch((err: unknown) => ({ ok: false as const, failure: 'transient' as const, error: `Worker failed: ${(err as Error).message}` }));
    if (result.ok) {
      const embedding = result.embedding;
      await save(`the scene embedding of ${photo.fileName}`, () =>
        deps.clipVectors.completeClipJob(photo.id, photo.eventId, job.id, embedding, now()),
      );
      deps.onOutcome?.({ status: 'scene-indexed', photoId: photo.id, eventId: photo.eventId });
    } else if (shouldRetry(result.failure, job.attempts, job.maxAttempts)) {
      const retryAt = nextRetryAt(
        job.attempts,
        now(),
        retryPolicyFor(result.failure, { baseMs: deps.policy.retryBaseMs, maxMs: deps.policy.retryMaxMs }),
        random(),
      );
      await save(`job ${job.id}`, () => deps.jobs.requeueJob(job.id, result.error, retryAt, now()));
      deps.onOutcome?.({ status: 'retrying', photoId: photo.id, eventId: photo.eventId, stages: ['scene'], error: result.error, retryAt });
    } else {
      deps.log.warn({ photoId: photo.id, jobId: job.id }, result.error);
      await finishWithoutWorker([job], photo.id, { failed: result.error });
    }
  };

  /**
   * One decode of the photo for every stage its jobs ask for: a previews job with the faces (and
   * scene) jobs it carries, or a lone faces job (a re-run, which leaves the previews untouched).
   */
  const runPhotoTask = async (work: ClaimedWork): Promise<void> => {
    const { lead } = work;
    const jobs = [lead, ...work.carried];
    const jobIds = jobs.map((j) => j.id);
    const photo = lead.photoId === null ? undefined : deps.photos.getPhoto(lead.photoId);
    if (!photo || photo.sha256 === null || photo.format === null) {
      return finishWithoutWorker(jobs, photo ? photo.id : null, { failed: 'The photo this job belongs to no longer exists' });
    }
    // A stage re-run on a ready photo leaves it ready (the kiosk keeps finding it) whatever happens.
    const wasReady = photo.status === 'ready';
    const previews = jobs.some((j) => j.kind === 'photo.previews');
    const notes = new Map<number, string>();
    const facesJob = jobs.find((j) => j.kind === 'photo.faces');
    const faces = facesJob ? deps.faces : null;
    if (facesJob && !faces) notes.set(facesJob.id, FACES_OFF_NOTE);
    // A new photo gets its scene embedding from the same decode when a model is installed, with
    // or without a job for it (the back-fill job is for photos from before the model).
    const sceneJob = jobs.find((j) => j.kind === 'photo.scene');
    const clip = sceneJob || (previews && !wasReady) ? deps.clip() : null;
    if (sceneJob && !clip) notes.set(sceneJob.id, SCENE_OFF_NOTE);
    const stages: PhotoStage[] = [
      ...(previews ? ['previews' as const] : []),
      ...(faces ? ['faces' as const] : []),
      ...(clip ? ['scene' as const] : []),
    ];
    if (!stages.length) return finishWithoutWorker(jobs, photo.id, { skipped: notes.get(lead.id) ?? FACES_OFF_NOTE });

    if (previews) {
      try {
        deps.photos.markProcessing(photo.id, now());
      } catch (err) {
        // Only the "processing" label is lost; the jobs themselves are leased and run regardless.
        deps.log.warn({ photoId: photo.id, err }, 'Could not mark the photo as processing');
      }
    }
    // A huge TIFF on a busy laptop can outlast the lease; keep it alive while the worker is on
    // it, or the queue would hand the same photo out a second time.
    const heartbeat = setInterval(
      () => {
        try {
          deps.jobs.renewLeases(jobIds, deps.owner, now(), deps.policy.leaseMs);
        } catch (err) {
          deps.log.warn({ jobIds, err }, 'Could not renew a job lease');
        }
      },
      Math.max(10, Math.floor(deps.policy.leaseMs / LEASE_RENEWALS_PER_LEASE)),
    );
    let result: PhotoTaskResult;
    try {
      result = await deps.processor.process({
        photoId: photo.id,
        jobId: lead.id,
        path: photo.path,
        format: photo.format as PhotoFormat,
        sha256: photo.sha256,
        dataDir: deps.dataDir,
        media: deps.media,
        previews,
        faces,
        clip,
      });
    } catch (err) {
      // The worker thread itself broke (crash, out of memory): piscina replaces it; try the photo again.
      result = { ok: false, failure: 'transient', error: `Worker failed on ${photo.fileName}: ${(err as Error).message}` };
    } finally {
      clearInterval(heartbeat);
    }
    const what = `the result for ${photo.fileName}`;
    const base = { photoId: photo.id, eventId: photo.eventId, stages };
    if (result.ok) {
      const processed = result.photo;
      const done = jobs.map((j) => ({ jobId: j.id, note: notes.get(j.id) ?? null }));
      let saved: FacesReplaced = { faceIds: [], replacedFaceIds: [], personIds: [] };
      const fault = await save(
        what,
        () => {
          saved = deps.photos.completePhotoWork(photo.id, done, processed, now());
        },
        true,
      );
      if (fault) {
        // The photo is marked failed with the reason; its original is untouched and
        // `shutterfind reprocess` tries it again once the fault is fixed.
        const error =
          `Could not save what was found in ${photo.fileName}: ${fault.message}. This is a fault in Shutterfind, not in the photo: ` +
          'report it with the log; `shutterfind reprocess` tries the photo again after an update.';
        deps.log.error({ photoId: photo.id, jobIds, err: fault }, error);
        await save(what, () => deps.photos.failPhotoWork(photo.id, jobIds, error, now()));
        deps.onOutcome?.(wasReady ? { status: 'stage-failed', ...base, error } : { status: 'failed', ...base, error });
        return;
      }
      const { faceIds, replacedFaceIds } = saved;
      deps.log.debug({ photoId: photo.id, jobIds, stages, faces: faceIds.length, timings: result.timings }, 'photo ready');
      deps.onOutcome?.({
        status: 'ready',
        ...base,
        timings: result.timings,
        faceIds,
        replacedFaceIds,
        ...(result.faceProvider ? { faceProvider: result.faceProvider } : {}),
      });
    } else if (shouldRetry(result.failure, lead.attempts, lead.maxAttempts)) {
      const backoff = retryPolicyFor(result.failure, { baseMs: deps.policy.retryBaseMs, maxMs: deps.policy.retryMaxMs });
      const retryAt = nextRetryAt(lead.attempts, now(), backoff, random());
      const error = result.error;
      await save(what, () => deps.photos.requeuePhotoWork(photo.id, jobIds, error, retryAt, now()));
      // A full drive needs the photographer now; other retries usually sort themselves out.
      const level = result.failure === 'storage' ? 'error' : 'warn';
      deps.log[level]({ photoId: photo.id, jobIds, attempt: lead.attempts, retryAt }, error);
      deps.onOutcome?.({ status: 'retrying', ...base, error, retryAt });
    } else {
      const error = result.error;
      await save(what, () => deps.photos.failPhotoWork(photo.id, jobIds, error, now()));
      deps.log.error({ photoId: photo.id, jobIds, stages, path: photo.path }, error);
      deps.onOutcome?.(wasReady ? { status: 'stage-failed', ...base, error } : { status: 'failed', ...base, error });
    }
  };

  const runWork = (work: ClaimedWork): Promise<void> => (work.lead.kind === 'photo.scene' ? runSceneJob(work.lead) : runPhotoTask(work));

  const scheduleWakeUp = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (draining) return;
    let due = deps.jobs.nextDueAt();
    // Due already, yet the claim just now left slots free: those are faces or scene jobs waiting
    // for their photo's previews job (they go with it). Waking up for them would spin.
    if (due !== null && due <= now()) due = deps.jobs.nextClaimableDueAt();
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
      let claimed: ClaimedWork[];
      try {
        claimed = deps.jobs.claimWork(deps.owner, now(), deps.policy.leaseMs, free);
      } catch (err) {
        deps.log.error({ err }, `Cannot take jobs from the queue: ${(err as Error).message}. Retrying in ${STORAGE_RETRY_MS / 1000} s.`);
        if (timer) clearTimeout(timer);
        timer = setTimeout(pump, STORAGE_RETRY_MS);
        return;
      }
      for (const work of claimed) {
        const p = runWork(work)
          .catch((err: unknown) => {
            deps.log.error({ jobId: work.lead.id, err }, 'Writing a job result failed');
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
