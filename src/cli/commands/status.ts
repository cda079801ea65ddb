// `shutterfind status --event NAME`: counts by state, queue, throughput, errors. Read-only, so it
// works while `serve` is running.
import { openReader, type EventStatus } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { human } from '../output.js';

/** Read-only: works beside a running `serve` (files it is still waiting to record are its own to show). */
export async function runStatus(ctx: CommandContext, eventName: string): Promise<EventStatus> {
  const reader = await openReader(ctx.dataDir, ctx.log);
  try {
    reader.catalogue.events.named(eventName);
    return reader.status(eventName)!;
  } finally {
    await reader.close();
  }
}

export function formatStatus(s: EventStatus): string {
  const p = s.photos;
  const lines = [
    human`Event "${s.event}"`,
    `  photos      ${p.total} total: ${p.ready} ready, ${p.pending} pending, ${p.processing} processing, ${p.failed} failed; ${p.duplicates} duplicate file(s)${p.withRaw ? `; ${p.withRaw} shot RAW+JPEG (RAW kept beside)` : ''}`,
    `  queue       ${s.queue.depth} job(s) waiting${queueByStage(s.queue.byStage)}`,
    `  throughput  ${s.throughput.photosPerSecond} photos/s (${s.throughput.readyLastMinute} in the last minute)`,
  ];
  if (s.storage) {
    const free = `${(s.storage.freeBytes / 1024 ** 3).toFixed(1)} GB free on the data drive (${s.storage.dataDir})`;
    lines.push(human`  storage     ${s.storage.low ? `LOW: ${free}; free space now or photos will wait` : free}`);
  }
  const provider = s.faces.provider
    ? `on ${s.faces.provider.active.toUpperCase()}${s.faces.provider.detector ? `, ${s.faces.provider.detector} detector` : ''}${s.faces.provider.fallbackReason ? ` (${s.faces.provider.fallbackReason})` : ''}`
    : 'no photo analysed yet';
  lines.push(
    s.scene.model
      ? human`  scenes      scene search on (${s.scene.model}): ${s.scene.embedded} of ${s.scene.ofPhotos} ready photo(s) indexed`
      : `  scenes      scene search off; turn it on with \`${s.scene.howToTurnOn}\``,
  );
  lines.push(human`  faces       ${s.faces.found} found, ${s.faces.persons} people; face engine ${provider}`);
  for (const src of s.sources) lines.push(human`  folder      ${src.path} — ${src.state}${src.error ? `: ${src.error}` : ''}`);
  if (s.sync) {
    const y = s.sync;
    lines.push(
      human`  sync        ${y.state} with ${y.endpoint}: ${y.opsLeft} operation(s), ${y.blobsLeft} file(s) (${(y.bytesLeft / 1e6).toFixed(1)} MB) left; last synced ${y.lastSyncedAt ?? 'never'}${y.lastError ? `; last error: ${y.lastError}` : ''}`,
    );
  }
  if (s.retrying.length || s.waitingToRecord.length) {
    lines.push('  will retry');
    for (const r of s.retrying) lines.push(human`    ↻ ${r.path} (attempt ${r.attempts}, next at ${r.nextAttemptAt})\n        ${r.error}`);
    for (const w of s.waitingToRecord) {
      lines.push(
        human`    ↻ ${w.path} (not recorded yet: waiting since ${w.since}, attempt ${w.attempts}, next at ${w.nextAttemptAt})\n        ${w.error}; free space on the data drive`,
      );
    }
  }
  if (s.errors.length || s.stageErrors.length) {
    lines.push('  errors');
    for (const e of s.errors) lines.push(human`    ✗ ${e.path}\n        ${e.error}`);
    for (const e of s.stageErrors)
      lines.push(human`    ✗ ${e.path} (${e.stage} stage; the photo keeps its earlier results)\n        ${e.error}`);
  }
  return lines.join('\n');
}

/** Per stage, once more than previews wait: the faces of new photos, a stage run again, scene back-fill. */
function queueByStage(byStage: EventStatus['queue']['byStage']): string {
  if (byStage.faces === 0 && byStage.scene === 0) return '';
  const parts = (Object.entries(byStage) as [string, number][]).filter(([, n]) => n > 0).map(([stage, n]) => `${stage} ${n}`);
  return `: ${parts.join(', ')}`;
}
