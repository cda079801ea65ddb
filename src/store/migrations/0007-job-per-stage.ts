// One job kind per stage: photo.process becomes photo.previews (decode, previews, metadata) and
// the faces it also did get a photo.faces job of their own; photo.clip becomes photo.scene. So
// "re-run faces for this event after a model change" is a query. A previews job and the same
// photo's queued faces job still run as one worker task, on one decode. Forward-only: never edit;
// add 0008.
import type { Migration } from '../migrate.js';

export const migration0007JobPerStage: Migration = {
  version: 7,
  name: 'job-per-stage',
  sql: `
    -- Why a job finished without doing its work (faces switched off in settings).
    ALTER TABLE jobs ADD COLUMN note TEXT;

    UPDATE jobs SET kind = 'photo.scene' WHERE kind = 'photo.clip';
    UPDATE jobs SET kind = 'photo.previews' WHERE kind = 'photo.process';

    -- The engine that held these leases has stopped (a newer Shutterfind is opening its data);
    -- its next start would release them anyway. Queued, the faces job added below joins them.
    UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'leased';

    -- Every open processing job also did the photo's faces: that is a faces job now, waiting with it.
    INSERT INTO jobs (kind, event_id, photo_id, state, priority, attempts, max_attempts, run_after, created_at, updated_at)
    SELECT 'photo.faces', event_id, photo_id, 'queued', priority, 0, max_attempts, run_after, created_at, updated_at
      FROM jobs
     WHERE kind = 'photo.previews' AND state = 'queued' AND photo_id IS NOT NULL
     ORDER BY id
    ON CONFLICT DO NOTHING;

    -- A photo whose processing failed for good never had its faces looked for either: a failed
    -- faces job beside it, so \`shutterfind retry\` brings both back.
    INSERT INTO jobs (kind, event_id, photo_id, state, priority, attempts, max_attempts, run_after, last_error,
                      created_at, updated_at, finished_at)
    SELECT 'photo.faces', j.event_id, j.photo_id, 'failed', j.priority, 0, j.max_attempts, j.run_after, j.last_error,
           j.created_at, j.updated_at, j.finished_at
      FROM jobs j
     WHERE j.kind = 'photo.previews' AND j.state = 'failed' AND j.photo_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM jobs later WHERE later.photo_id = j.photo_id AND later.kind = 'photo.previews' AND later.id > j.id)
     ORDER BY j.id;
  `,
};
