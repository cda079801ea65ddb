// `shutterfind ingest DIR... --event NAME`: one-shot import that waits until every file is processed.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DataDirBusyError, listPhotoFiles, openEngine, type Engine } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { createProgress, human, UserFacingError } from '../output.js';

export interface IngestSummary {
  event: string;
  added: number;
  /** Files that joined their capture's photo: a RAW kept beside its JPEG (RAW+JPEG shooting). */
  paired: number;
  duplicates: number;
  failed: { path: string; error: string }[];
  ready: number;
  tookMs: number;
}

export async function runIngest(ctx: CommandContext, dirs: string[], eventName: string): Promise<IngestSummary> {
  const started = Date.now();
  const roots = dirs.map((d) => resolve(d));
  for (const root of roots) {
    const st = await stat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new UserFacingError(`Cannot ingest ${root}: not a folder (check the path).`, 2);
  }
  let engine: Engine;
  try {
    engine = await openEngine({ dataDir: ctx.dataDir, log: ctx.log, mode: 'one-shot' });
  } catch (err) {
    // One writer: a running `serve` takes folders itself; two engines never write one data dir.
    if (err instanceof DataDirBusyError) {
      throw new UserFacingError(
        `${err.message.replace(/ Stop it first, or pass a different --data-dir\.$/, '')} If it is a \`serve\`, add the folder as a watched folder in its console instead; otherwise wait for it to finish, then import again.`,
      );
    }
    throw err;
  }
  const progress = createProgress('Ingesting', !ctx.json);
  try {
    const session = await engine.openEvent(eventName);
    const eventId = session.event.id;
    const photoOfPath = new Map<string, number>();
    const failedBeforeRead = new Map<string, string>();
    let added = 0;
    let paired = 0;
    let duplicates = 0;
    const addedIds = new Set<number>();

    engine.bus.on('admission', ({ eventId: e, path, admission }) => {
      if (e !== eventId) return;
      if (admission.outcome === 'added') {
        added += 1;
        addedIds.add(admission.photoId);
        photoOfPath.set(path, admission.photoId);
        return;
      }
      if (admission.outcome === 'paired') {
        paired += 1;
        photoOfPath.set(path, admission.photoId);
        progress.tick();
        return;
      }
      // A file whose bytes the event already has, at this path or another, is a duplicate here.
      duplicates += 1;
      const photoId =
        admission.outcome === 'known' ? admission.photo.id : admission.outcome === 'duplicate' ? admission.photoId : undefined;
      if (photoId !== undefined) photoOfPath.set(path, photoId);
      progress.tick();
    });
    // The RAW and the JPEG of one capture in two folders of the card: one photo, counted once.
    engine.bus.on('capture-merged', ({ eventId: e, keptPhotoId, droppedPhotoId }) => {
      if (e !== eventId) return;
      for (const [path, id] of photoOfPath) if (id === droppedPhotoId) photoOfPath.set(path, keptPhotoId);
      if (addedIds.delete(droppedPhotoId)) {
        added -= 1;
        paired += 1;
      }
    });
    engine.bus.on('file-failed', ({ eventId: e, path, error }) => {
      if (e !== eventId) return;
      failedBeforeRead.set(path, error);
      progress.tick();
    });
    engine.bus.on('photo', (o) => {
      if (o.eventId === eventId && addedIds.has(o.photoId) && o.status !== 'retrying') progress.tick();
    });

    let total = 0;
    for (const root of roots) {
      for await (const path of listPhotoFiles(root, (p) => {
        failedBeforeRead.set(p.path, `Cannot list ${p.path}: ${p.error.message}`);
      })) {
        total += 1;
        progress.setTotal(total);
        session.intake.submit(path, null, undefined, root);
      }
    }
    await session.intake.settled();
    await engine.whenIdle(eventId);

    const failed: { path: string; error: string }[] = [...failedBeforeRead].map(([path, error]) => ({ path, error }));
    const readyIds = new Set<number>();
    for (const [path, photoId] of photoOfPath) {
      const photo = engine.catalogue.photo(photoId);
      if (photo?.status === 'ready') readyIds.add(photoId);
      else if (photo?.status === 'failed') failed.push({ path, error: photo.error ?? 'failed' });
    }
    failed.sort((a, b) => a.path.localeCompare(b.path));
    return { event: eventName, added, paired, duplicates, failed, ready: readyIds.size, tookMs: Date.now() - started };
  } finally {
    progress.stop();
    await engine.stop();
  }
}

export function formatIngestSummary(s: IngestSummary): string {
  const lines = [
    human`Event "${s.event}": ${s.added} new photo(s), ${s.ready} ready, ${s.duplicates} duplicate(s), ${s.failed.length} failed, in ${(s.tookMs / 1000).toFixed(1)} s`,
    ...(s.paired ? [human`  ${s.paired} RAW file(s) kept beside their JPEG (RAW+JPEG: one photo per capture)`] : []),
  ];
  for (const f of s.failed) lines.push(human`  ✗ ${f.path}\n      ${f.error}`);
  return lines.join('\n');
}
