import type { Database } from 'better-sqlite3';
import type { Job, JobKind, JobState } from './types.js';

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
});

export interface NewJob {
  kind: JobKind;
  eventId: number;
  photoId: number | null;
  priority?: number;
  maxAttempts: number;
  runAfter: number;
}

export function createJobsRepository(db: Database) {
  const insert = db.prepare(
    `INSERT INTO jobs (kind, event_id, photo_id, state, priority, max_attempts, run_after, created_at, updated_at)
     VALUES (@kind, @eventId, @photoId, 'queued', @priority, @maxAttempts, @runAfter, @now, @now)
     ON CONFLICT DO NOTHING`,
  );
  // A lease that ran out belongs to a worker or process that is gone: it is claimable again.
  const claimable = db.prepare<{ now: number; limit: number }, JobRow>(
    `SELECT * FROM jobs
     WHERE (state = 'queued' AND run_after <= @now) OR (state = 'leased' AND lease_expires_at <= @now)
     ORDER BY priority DESC, run_after, id
     LIMIT @limit`,
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
    `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now
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
  const depth = db.prepare<[number], { n: number }>(
    `SELECT COUNT(*) AS n FROM jobs WHERE event_id = ? AND state IN ('queued', 'leased')`,
  );
  const depthAll = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'leased')`);
  // Leased jobs are not waited for: their owner renews the lease while it works, and at
  // start-up every lease is released.
  const nextDue = db.prepare<[], { t: number | null }>(`SELECT MIN(run_after) AS t FROM jobs WHERE state = 'queued'`);
  const failedForEvent = db.prepare<[number], JobRow>(`SELECT * FROM jobs WHERE event_id = ? AND state = 'failed'`);
  const retry = db.prepare(
    `UPDATE jobs SET state = 'queued', attempts = 0, last_error = NULL, run_after = @now, finished_at = NULL,
       updated_at = @now WHERE id = @id AND state = 'failed'`,
  );
  const byId = db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?');
  const retrying = db.prepare<[number, number], { photo_id: number; path: string; last_error: string; run_after: number; attempts: number }>(
    `SELECT j.photo_id, p.path, j.last_error, j.run_after, j.attempts FROM jobs j JOIN photos p ON p.id = j.photo_id
     WHERE j.event_id = ? AND j.state = 'queued' AND j.last_error IS NOT NULL ORDER BY j.run_after LIMIT ?`,
  );

  return {
    enqueueJob(job: NewJob, now: number): void {
      insert.run({ ...job, priority: job.priority ?? 0, now });
    },
    /** Takes up to `limit` due jobs for `owner`, counting an attempt for each. */
    claimJobs(owner: string, now: number, leaseMs: number, limit: number): Job[] {
      return db.transaction(() => {
        const rows = claimable.all({ now, limit });
        for (const r of rows) lease.run({ owner, expires: now + leaseMs, now, id: r.id });
        return rows.map((r) => toJob({ ...r, state: 'leased', attempts: r.attempts + 1, lease_owner: owner }));
      })();
    },
    /** Keeps a long job's lease alive; false if the lease was lost (taken back by someone else). */
    renewLease(id: number, owner: string, now: number, leaseMs: number): boolean {
      return renew.run({ id, owner, expires: now + leaseMs, now }).changes > 0;
    },
    completeJob(id: number, now: number): void {
      done.run({ id, now });
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
    /** When the earliest waiting job becomes due (for the scheduler's wake-up), or null if none waits. */
    nextDueAt(): number | null {
      return nextDue.get()?.t ?? null;
    },
    listFailedJobs(eventId: number): Job[] {
      return failedForEvent.all(eventId).map(toJob);
    },
    retryJob(id: number, now: number): boolean {
      return retry.run({ id, now }).changes > 0;
    },
    /** Photos waiting for another try after a transient failure, with what went wrong last time. */
    listRetrying(eventId: number, limit: number): { photoId: number; path: string; error: string; nextAttemptAt: number; attempts: number }[] {
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
