import type { Database } from 'better-sqlite3';
import { jobKindOf, stageOfJob, type Job, type JobKind, type JobState, type PhotoStage } from './types.js';

interface JobRow {
  id: number;
  kind: JobKind;
  event_id: number;
  photo_id: number | null;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
  note: string | null;
}

const toJob = (r: JobRow): Job => ({
  id: r.id,
  kind: r.kind,
  eventId: r.event_id,
  photoId: r.photo_id,
  state: r.state,
  priority: r.priority,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAfter: r.run_after,
  leaseOwner: r.lease_owner,
  leaseExpiresAt: r.lease_expires_at,
  lastError: r.last_error,
  note: r.note,
});

export interface NewJob {
  kind: JobKind;
  eventId: number;
  photoId: number | null;
  priority?: number;
  maxAttempts: number;
  runAfter: number;
}

/**
 * One worker task's worth of jobs. `lead` was due; a previews job carries the same photo's queued
 * faces and scene jobs, so the photo is decoded once for all of them.
 */
export interface ClaimedWork {
  lead: Job;
  carried: Job[];
}

export type StageCounts = Record<PhotoStage, number>;

/** A stage that failed on a photo that is not itself failed (a re-run on a ready photo). */
export interface StageFailure {
  photoId: number;
  path: string;
  stage: PhotoStage;
  error: string;
  at: number;
}

const emptyStageCounts = (): StageCounts => ({ previews: 0, faces: 0, scene: 0 });

export function createJobsRepository(db: Database) {
  const insert = db.prepare(
    `INSERT INTO jobs (kind, event_id, photo_id, state, priority, max_attempts, run_after, created_at, updated_at)
     VALUES (@kind, @eventId, @photoId, 'queued', @priority, @maxAttempts, @runAfter, @now, @now)
     ON CONFLICT DO NOTHING`,
  );
  // A lease that ran out belongs to a worker or process that is gone: it is claimable again. A
  // faces or scene job waits while its photo has a previews job open: it goes with that one.
  // Queued and expired-lease jobs are read apart so each walks jobs_claimable in its order and
  // stops at the limit: as one OR query SQLite sorted every queued job on each claim, 4 ms at a
  // 5,000-photo backlog (10,000 jobs) against 0.09 ms this way.
  const waitsForPreviews = `j.kind <> 'photo.previews' AND j.photo_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM jobs p WHERE p.photo_id = j.photo_id AND p.kind = 'photo.previews' AND p.state IN ('queued', 'leased'))`;
  const claimable = db.prepare<{ now: number; limit: number }, JobRow>(
    `SELECT * FROM (
       SELECT * FROM (SELECT * FROM jobs j WHERE j.state = 'queued' AND j.run_after <= @now AND NOT (${waitsForPreviews})
                      ORDER BY j.priority DESC, j.run_after, j.id LIMIT @limit)
       UNION ALL
       SELECT * FROM (SELECT * FROM jobs j WHERE j.state = 'leased' AND j.lease_expires_at <= @now AND NOT (${waitsForPreviews})
                      ORDER BY j.priority DESC, j.run_after, j.id LIMIT @limit))
     ORDER BY priority DESC, run_after, id
     LIMIT @limit`,
  );
  // Through the open-jobs index (photo_id, kind): a scan of every queued job cost 1 ms per
  // claim at 10,000 queued. Queued whatever their run_after: they ride on the previews decode now.
  const carriedBy = db.prepare<{ photoId: number; now: number }, JobRow>(
    `SELECT * FROM jobs
     WHERE photo_id = @photoId AND kind IN ('photo.faces', 'photo.scene') AND state IN ('queued', 'leased')
       AND (state = 'queued' OR lease_expires_at <= @now)
     ORDER BY id`,
  );
  const lease = db.prepare(
    `UPDATE jobs SET state = 'leased', attempts = attempts + 1, lease_owner = @owner,
       lease_expires_at = @expires, updated_at = @now WHERE id = @id`,
  );
  const renew = db.prepare(
    `UPDATE jobs SET lease_expires_at = @expires, updated_at = @now
     WHERE id = @id AND state = 'leased' AND lease_owner = @owner`,
  );
  const done = db.prepare(
    `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, note = @note, finished_at = @now, updated_at = @now
     WHERE id = @id`,
  );
  const requeue = db.prepare(
    `UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, last_error = @error,
       run_after = @runAfter, updated_at = @now WHERE id = @id`,
  );
  const fail = db.prepare(
    `UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, last_error = @error,
       finished_at = @now, updated_at = @now WHERE id = @id`,
  );
  const releaseAll = db.prepare(
    `UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, run_after = @now, updated_at = @now
     WHERE state = 'leased'`,
  );
  const depth = db.prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE event_id = ? AND state IN ('queued', 'leased')`);
  const depthAll = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'leased')`);
  const depthByKind = db.prepare<[number], { kind: JobKind; n: number }>(
    `SELECT kind, COUNT(*) AS n FROM jobs WHERE event_id = ? AND state IN ('queued', 'leased') GROUP BY kind`,
  );
  // A stage is re-run on photos whose file was read and that are not failed (\`retry\` is for
  // those); scene search works from the stored preview, so it needs one.
  const enqueueStage = db.prepare<
    { eventId: number; kind: JobKind; needsPreview: number; priority: number; maxAttempts: number; now: number },
    { id: number }
  >(
    `INSERT INTO jobs (kind, event_id, photo_id, state, priority, max_attempts, run_after, created_at, updated_at)
     SELECT @kind, event_id, id, 'queued', @priority, @maxAttempts, @now, @now, @now FROM photos
      WHERE event_id = @eventId AND sha256 IS NOT NULL AND status <> 'failed' AND (@needsPreview = 0 OR preview_path IS NOT NULL)
      ORDER BY id
     ON CONFLICT DO NOTHING
     RETURNING id`,
  );
  const stagePhotos = db.prepare<{ eventId: number; needsPreview: number }, { n: number; failed: number }>(
    `SELECT COUNT(*) FILTER (WHERE status <> 'failed' AND (@needsPreview = 0 OR preview_path IS NOT NULL)) AS n,
            COUNT(*) FILTER (WHERE status = 'failed') AS failed
       FROM photos WHERE event_id = @eventId AND sha256 IS NOT NULL`,
  );
  // Only a photo's latest job of a kind counts: a failure that a later run put right is history.
  const stageFailures = db.prepare<
    [number, number],
    { photo_id: number; path: string; kind: JobKind; last_error: string; finished_at: number }
  >(
    `SELECT j.photo_id, p.path, j.kind, j.last_error, j.finished_at FROM jobs j JOIN photos p ON p.id = j.photo_id
      WHERE j.event_id = ? AND j.state = 'failed' AND p.status <> 'failed'
        AND NOT EXISTS (SELECT 1 FROM jobs later WHERE later.photo_id = j.photo_id AND later.kind = j.kind AND later.id > j.id)
      ORDER BY j.finished_at DESC, j.id DESC LIMIT ?`,
  );
  // Leased jobs are not waited for: their owner renews the lease while it works, and at
  // start-up every lease is released.
  const nextDue = db.prepare<[], { t: number | null }>(`SELECT MIN(run_after) AS t FROM jobs WHERE state = 'queued'`);
  const nextClaimableDue = db.prepare<[], { t: number | null }>(
    `SELECT MIN(run_after) AS t FROM jobs j WHERE j.state = 'queued' AND NOT (${waitsForPreviews})`,
  );
  const failedForEvent = db.prepare<[number], JobRow>(`SELECT * FROM jobs WHERE event_id = ? AND state = 'failed'`);
  const retry = db.prepare(
    `UPDATE jobs SET state = 'queued', attempts = 0, last_error = NULL, run_after = @now, finished_at = NULL,
       updated_at = @now WHERE id = @id AND state = 'failed'`,
  );
  const byId = db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?');
  const retrying = db.prepare<
    [number, number],
    { photo_id: number; path: string; last_error: string; run_after: number; attempts: number }
  >(
    // One line per photo: a previews job and the faces job it carried wait out the same backoff.
    `SELECT j.photo_id, p.path, j.last_error, MIN(j.run_after) AS run_after, MAX(j.attempts) AS attempts FROM jobs j JOIN photos p ON p.id = j.photo_id
     WHERE j.event_id = ? AND j.state = 'queued' AND j.last_error IS NOT NULL GROUP BY j.photo_id ORDER BY run_after LIMIT ?`,
  );

  return {
    enqueueJob(job: NewJob, now: number): void {
      insert.run({ ...job, priority: job.priority ?? 0, now });
    },
    /**
     * Takes up to `limit` worker tasks' worth of due jobs for `owner`, counting an attempt for each
     * job: a due previews job with the same photo's queued faces and scene jobs, or a lone faces or
     * scene job (a stage re-run on a photo whose previews are done).
     */
    claimWork(owner: string, now: number, leaseMs: number, limit: number): ClaimedWork[] {
      return db.transaction(() => {
        const take = (r: JobRow): Job => {
          lease.run({ owner, expires: now + leaseMs, now, id: r.id });
          return toJob({ ...r, state: 'leased', attempts: r.attempts + 1, lease_owner: owner, lease_expires_at: now + leaseMs });
        };
        return claimable.all({ now, limit }).map((r) => ({
          lead: take(r),
          carried: r.kind === 'photo.previews' && r.photo_id !== null ? carriedBy.all({ photoId: r.photo_id, now }).map(take) : [],
        }));
      })();
    },
    /** Keeps a long task's leases alive; false if one was lost (taken back by someone else). */
    renewLeases(ids: readonly number[], owner: string, now: number, leaseMs: number): boolean {
      return db.transaction(() =>
        ids.reduce((kept, id) => renew.run({ id, owner, expires: now + leaseMs, now }).changes > 0 && kept, true),
      )();
    },
    /** `note` says why a job finished without doing its work (its stage is switched off). */
    completeJob(id: number, now: number, note: string | null = null): void {
      done.run({ id, now, note });
    },
    requeueJob(id: number, error: string | null, runAfter: number, now: number): void {
      requeue.run({ id, error, runAfter, now });
    },
    failJob(id: number, error: string, now: number): void {
      fail.run({ id, error, now });
    },
    /** At start-up no other process owns the data dir (the lock says so): every lease is orphaned. */
    releaseAllLeases(now: number): number {
      return releaseAll.run({ now }).changes;
    },
    queueDepth(eventId?: number): number {
      return (eventId === undefined ? depthAll.get() : depth.get(eventId))?.n ?? 0;
    },
    /** Jobs waiting or running per stage, for progress. */
    queueDepthByStage(eventId: number): StageCounts {
      const counts = emptyStageCounts();
      for (const r of depthByKind.all(eventId)) counts[stageOfJob(r.kind)] += r.n;
      return counts;
    },
    /**
     * Queues `stage` again for every photo of the event that has something to work from (a file
     * that was read; for scene, a stored preview) and is not failed. A photo whose job for the
     * stage is still open keeps that one. Returns how many photos qualify, the new jobs' ids, and
     * how many failed photos were left to \`retry\`.
     */
    enqueueStageForEvent(
      eventId: number,
      stage: PhotoStage,
      o: { priority: number; maxAttempts: number; now: number },
    ): { photos: number; jobIds: number[]; failedPhotos: number } {
      const needsPreview = stage === 'scene' ? 1 : 0;
      return db.transaction(() => {
        const counts = stagePhotos.get({ eventId, needsPreview });
        const jobIds = enqueueStage.all({ eventId, kind: jobKindOf(stage), needsPreview, ...o }).map((r) => r.id);
        return { photos: counts?.n ?? 0, jobIds, failedPhotos: counts?.failed ?? 0 };
      })();
    },
    /** Stages that failed on photos that are otherwise fine (re-runs on ready photos), newest first. */
    listStageFailures(eventId: number, limit: number): StageFailure[] {
      return stageFailures
        .all(eventId, limit)
        .map((r) => ({ photoId: r.photo_id, path: r.path, stage: stageOfJob(r.kind), error: r.last_error, at: r.finished_at }));
    },
    /** When the earliest waiting job becomes due (for the scheduler's wake-up), or null if none waits. */
    nextDueAt(): number | null {
      return nextDue.get()?.t ?? null;
    },
    /**
     * The same, leaving out faces and scene jobs that wait for their photo's previews job (they run
     * with it, not on their own time). Four times slower (1.7 ms at 10,000 queued jobs): for when
     * nextDueAt says work is due that the queue would not hand out.
     */
    nextClaimableDueAt(): number | null {
      return nextClaimableDue.get()?.t ?? null;
    },
    listFailedJobs(eventId: number): Job[] {
      return failedForEvent.all(eventId).map(toJob);
    },
    retryJob(id: number, now: number): boolean {
      return retry.run({ id, now }).changes > 0;
    },
    /** Photos waiting for another try after a transient failure, with what went wrong last time. */
    listRetrying(
      eventId: number,
      limit: number,
    ): { photoId: number; path: string; error: string; nextAttemptAt: number; attempts: number }[] {
      return retrying.all(eventId, limit).map((r) => ({
        photoId: r.photo_id,
        path: r.path,
        error: r.last_error,
        nextAttemptAt: r.run_after,
        attempts: r.attempts,
      }));
    },
    getJob(id: number): Job | undefined {
      const row = byId.get(id);
      return row ? toJob(row) : undefined;
    },
  };
}

export type JobsRepository = ReturnType<typeof createJobsRepository>;
