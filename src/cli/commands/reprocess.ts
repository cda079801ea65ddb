// `shutterfind reprocess --event NAME --stage previews|faces|scene`: run one stage again for every
// photo of an event (after a model or threshold change), leaving the photos' other results alone.
import {
  DataDirBusyError,
  openEngine,
  PHOTO_STAGES,
  StageOffError,
  UnknownEventError,
  type Engine,
  type PhotoStage,
} from '../../core/index.js';
import { editsOnRunningServe } from '../engine-access.js';
import type { CommandContext } from '../context.js';
import { createProgress, human, UserFacingError } from '../output.js';

export interface StageTally {
  done: number;
  /** Finished without doing the work: the stage is switched off. */
  skipped: number;
  failed: number;
}

export interface ReprocessSummary {
  event: string;
  stage: PhotoStage;
  /** Photos the stage ran for (read, not failed; for scene, with a preview). */
  photos: number;
  /** Jobs queued by this command; the other photos already had one waiting, which ran too. */
  queued: number;
  /** Failed photos left out: `shutterfind retry` runs every stage of them again. */
  failedPhotosLeft: number;
  /** Per stage, what ran while the command waited (a photo still new runs previews and faces together). */
  stages: Record<PhotoStage, StageTally>;
  failed: { path: string; stage: string; error: string }[];
  tookMs: number;
  /** 'serve': a running `serve` queued the stage and runs it in the background (nothing was waited for). */
  via: 'serve' | 'this command';
}

const noTally = (): Record<PhotoStage, StageTally> =>
  Object.fromEntries(PHOTO_STAGES.map((s) => [s, { done: 0, skipped: 0, failed: 0 }])) as Record<PhotoStage, StageTally>;

/** One writer: while a `serve` owns the data dir, it queues the stage and its console shows the progress. */
async function reprocessOnRunningServe(
  ctx: CommandContext,
  o: { event: string; stage: PhotoStage },
  busy: DataDirBusyError,
  started: number,
): Promise<ReprocessSummary> {
  const edits = await editsOnRunningServe(ctx.dataDir);
  if (!edits)
    throw new UserFacingError(
      `${busy.message.replace(/ Stop it first, or pass a different --data-dir\.$/, '')} Wait for it to finish, then run this again.`,
    );
  const queued = await edits.reprocess(o.event, o.stage);
  return {
    event: o.event,
    stage: o.stage,
    photos: queued.photos,
    queued: queued.queued,
    failedPhotosLeft: queued.failedPhotos,
    stages: noTally(),
    failed: [],
    tookMs: Date.now() - started,
    via: 'serve',
  };
}

export async function runReprocess(ctx: CommandContext, o: { event: string; stage: PhotoStage }): Promise<ReprocessSummary> {
  const started = Date.now();
  let engine: Engine;
  try {
    engine = await openEngine({ dataDir: ctx.dataDir, log: ctx.log, mode: 'one-shot' });
  } catch (err) {
    if (err instanceof DataDirBusyError) return reprocessOnRunningServe(ctx, o, err, started);
    throw err;
  }
  const progress = createProgress(`Reprocessing ${o.stage}`, !ctx.json);
  try {
    let eventId: number;
    try {
      // Named first: opening an event that does not exist would create it.
      eventId = engine.catalogue.events.named(o.event).id;
    } catch (err) {
      if (err instanceof UnknownEventError) throw new UserFacingError(err.message);
      throw err;
    }
    const stages = noTally();
    const failed: ReprocessSummary['failed'] = [];
    engine.bus.on('photo', (outcome) => {
      if (outcome.eventId !== eventId) return;
      if (outcome.status === 'retrying') return;
      const ran: readonly PhotoStage[] = outcome.status === 'scene-indexed' ? ['scene'] : outcome.stages;
      const column =
        outcome.status === 'ready' || outcome.status === 'scene-indexed'
          ? 'done'
          : outcome.status === 'stage-skipped'
            ? 'skipped'
            : 'failed';
      for (const stage of ran) stages[stage][column] += 1;
      if (outcome.status === 'failed' || outcome.status === 'stage-failed') {
        failed.push({
          path: engine.catalogue.photo(outcome.photoId)?.path ?? `photo ${outcome.photoId}`,
          stage: outcome.stages.join('+'),
          error: outcome.error,
        });
      }
      if (ran.includes(o.stage)) progress.tick();
    });
    const session = await engine.openEvent(o.event);
    let queued;
    try {
      queued = engine.reprocess(o.event, o.stage);
    } catch (err) {
      if (err instanceof StageOffError) throw new UserFacingError(err.message);
      throw err;
    }
    progress.setTotal(queued.photos);
    await session.intake.settled();
    await engine.whenIdle(eventId);
    failed.sort((a, b) => a.path.localeCompare(b.path));
    return {
      event: o.event,
      stage: o.stage,
      photos: queued.photos,
      queued: queued.queued,
      failedPhotosLeft: queued.failedPhotos,
      stages,
      failed,
      tookMs: Date.now() - started,
      via: 'this command',
    };
  } finally {
    progress.stop();
    await engine.stop();
  }
}

export function formatReprocess(s: ReprocessSummary): string {
  if (s.via === 'serve') {
    return human`Event "${s.event}": ${s.stage} stage queued again for ${s.photos} photo(s) on the running \`serve\`; its console and \`shutterfind status\` show the progress.`;
  }
  const ran = PHOTO_STAGES.filter((stage) => s.stages[stage].done + s.stages[stage].skipped + s.stages[stage].failed > 0).map((stage) => {
    const t = s.stages[stage];
    return `${stage} ${t.done} done${t.skipped ? `, ${t.skipped} skipped` : ''}${t.failed ? `, ${t.failed} failed` : ''}`;
  });
  const lines = [
    human`Event "${s.event}": ${s.stage} stage run again for ${s.photos} photo(s) in ${(s.tookMs / 1000).toFixed(1)} s` +
      (ran.length ? `: ${ran.join('; ')}` : ''),
  ];
  if (s.failedPhotosLeft)
    lines.push(
      `  ${s.failedPhotosLeft} failed photo(s) left out: \`shutterfind retry --event ${JSON.stringify(s.event)}\` processes them again`,
    );
  for (const f of s.failed) lines.push(human`  ✗ ${f.path} (${f.stage})\n      ${f.error}`);
  return lines.join('\n');
}
