// `shutterfind search --event E --selfie IMG`: the photos of an event a person appears in, found
// the way the kiosk finds them (the same quality rules, the selfie worker, the sure threshold).
import { readFile } from 'node:fs/promises';
import { openReader, SelfieError, type DataDirReader, type MatchedSelfie } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { human, UserFacingError } from '../output.js';

export interface SelfieSearchReport {
  /** box: the matched face in the photo, [x, y, width, height] in pixels. */
  matches: { photoId: number; path: string; distance: number; box: [number, number, number, number]; via?: 'face' | 'person' }[];
  /** The photos just beyond the sure threshold, as the kiosk's "Maybe you?" row shows them. */
  maybe: { photoId: number; path: string; distance: number }[];
  tookMs: number;
}

/** The selfie file as the kiosk would have received it; a bad picture is the caller's to fix (exit 2). */
export async function searchWithSelfieFile(reader: DataDirReader, eventId: number, selfiePath: string): Promise<MatchedSelfie> {
  let image: Buffer;
  try {
    image = await readFile(selfiePath);
  } catch (err) {
    throw new UserFacingError(`Cannot read the selfie ${selfiePath}: ${(err as Error).message}`, 2);
  }
  try {
    return await reader.search.bySelfie(eventId, image);
  } catch (err) {
    if (err instanceof SelfieError) throw new UserFacingError(err.message, 2);
    throw err;
  }
}

export async function runSearch(
  ctx: CommandContext,
  eventName: string,
  selfiePath: string,
  limit: number,
  oneFor: 'photo' | 'burst' = 'photo',
): Promise<SelfieSearchReport> {
  const reader = await openReader(ctx.dataDir, ctx.log);
  try {
    const event = reader.catalogue.events.named(eventName);
    const found = await searchWithSelfieFile(reader, event.id, selfiePath);
    const sure = found.matches.map((m) => ({
      photoId: m.photoId,
      path: m.path,
      distance: m.distance,
      box: m.box,
      ...(m.via ? { via: m.via } : {}),
    }));
    const shown = (oneFor === 'burst' ? reader.bursts.collapse(sure) : sure).slice(0, limit);
    const maybe = found.maybe.map((m) => ({ photoId: m.photoId, path: m.path, distance: m.distance }));
    return { matches: shown, maybe: oneFor === 'burst' ? reader.bursts.collapse(maybe) : maybe, tookMs: found.tookMs };
  } finally {
    await reader.close();
  }
}

export function formatSearch(r: SelfieSearchReport): string {
  if (!r.matches.length && !r.maybe.length) return human`No photos of this person yet (${r.tookMs} ms).`;
  const lines = r.matches.map((m, i) => human`${String(i + 1).padStart(3)}. ${m.path}  (distance ${m.distance.toFixed(3)})`);
  if (r.maybe.length) {
    lines.push(human`Maybe (${r.maybe.length}, shown apart at the kiosk):`);
    for (const m of r.maybe) lines.push(human`  ?  ${m.path}  (distance ${m.distance.toFixed(3)})`);
  }
  return [human`${r.matches.length} photo(s) in ${r.tookMs} ms:`, ...lines].join('\n');
}
