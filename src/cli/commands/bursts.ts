// `shutterfind bursts`: group an event's near-identical consecutive frames into bursts
// (--regroup) and list them with the frame shown for each.
import { openReader } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { withEngineEdits } from '../engine-access.js';
import { human } from '../output.js';

export interface RegroupReport {
  event: string;
  /** Ready photos with a pHash and a capture time. */
  photos: number;
  bursts: number;
  /** Photos inside a burst, best frames included. */
  photosInBursts: number;
}

export interface BurstsReport {
  event: string;
  bursts: { id: number; best: { photoId: number; path: string }; photos: { photoId: number; path: string }[] }[];
}

/** Regroups the whole event: bursts are rebuilt from scratch in one transaction, by the engine that owns the data dir. */
export async function runRegroupBursts(ctx: CommandContext, eventName: string): Promise<RegroupReport> {
  return withEngineEdits(ctx, async (edits) => {
    const summary = await edits.regroupBursts(eventName);
    const report = { event: eventName, photos: summary.photos, bursts: summary.bursts, photosInBursts: summary.photosInBursts };
    ctx.log.info(report, 'bursts regrouped');
    return report;
  });
}

export async function runListBursts(ctx: CommandContext, eventName: string): Promise<BurstsReport> {
  const reader = await openReader(ctx.dataDir, ctx.log);
  try {
    const event = reader.catalogue.events.named(eventName);
    return {
      event: event.name,
      bursts: reader.bursts.list(event.id).map((b) => {
        const photos = b.photos.map((p) => ({ photoId: p.photoId, path: p.path }));
        const best = photos.find((p) => p.photoId === b.bestPhotoId) ?? { photoId: b.bestPhotoId, path: '' };
        return { id: b.id, best, photos };
      }),
    };
  } finally {
    await reader.close();
  }
}

export function formatRegroup(r: RegroupReport): string {
  return human`Event "${r.event}": ${r.photos} photo(s) looked at, ${r.bursts} burst(s) holding ${r.photosInBursts} photo(s)`;
}

export function formatBursts(r: BurstsReport): string {
  if (r.bursts.length === 0) {
    return human`Event "${r.event}": no bursts (run \`shutterfind bursts --event "${r.event}" --regroup\` after photos have landed).`;
  }
  const lines = [human`Event "${r.event}": ${r.bursts.length} burst(s)`];
  for (const b of r.bursts) {
    lines.push(human`  #${b.id}  ${b.photos.length} frames, shown: ${b.best.path}`);
    for (const p of b.photos) if (p.photoId !== b.best.photoId) lines.push(human`        ${p.path}`);
  }
  return lines.join('\n');
}
