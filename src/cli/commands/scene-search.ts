// `shutterfind search --text "..." / --like PHOTO [--person ID | --selfie IMG]`: scene search,
// alone or within one person's photos.
import { openReader, SceneSearchError, type SceneResult } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { human, UserFacingError } from '../output.js';
import { searchWithSelfieFile } from './search.js';

export interface SceneSearchRequest {
  text?: string;
  like?: number;
  person?: number;
  selfie?: string;
  limit: number;
  /** One photo per burst of near-identical frames (the kiosk's view). */
  collapseBursts?: boolean;
}

export interface SceneSearchReport {
  matches: SceneResult[];
  tookMs: number;
}

export async function runSceneSearch(ctx: CommandContext, eventName: string, req: SceneSearchRequest): Promise<SceneSearchReport> {
  const started = performance.now();
  const reader = await openReader(ctx.dataDir, ctx.log);
  try {
    const event = reader.catalogue.events.named(eventName);
    let restrictTo: Set<number> | undefined;
    if (req.person !== undefined) restrictTo = new Set(reader.people.photoIdsOf(event.id, req.person));
    if (req.selfie) {
      const found = await searchWithSelfieFile(reader, event.id, req.selfie);
      const ids = new Set(found.matches.map((m) => m.photoId));
      restrictTo = restrictTo ? new Set([...restrictTo].filter((id) => ids.has(id))) : ids;
    }
    if (req.like === undefined && req.text === undefined) {
      throw new UserFacingError('Give --text "..." or --like PHOTO_ID (with --person or --selfie to search one person\'s photos).', 2);
    }
    let ranked: SceneResult[];
    try {
      ranked = await reader.search.byScene(event.id, {
        limit: req.limit,
        ...(req.text !== undefined ? { text: req.text } : {}),
        ...(req.like !== undefined ? { likePhotoId: req.like } : {}),
        ...(restrictTo ? { restrictTo } : {}),
      });
    } catch (err) {
      if (err instanceof SceneSearchError) throw new UserFacingError(err.message.replace('this event', `"${eventName}"`), 2);
      throw err;
    }
    const matches = req.collapseBursts ? reader.bursts.collapse(ranked) : ranked;
    return { matches, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  } finally {
    await reader.close();
  }
}

export function formatSceneSearch(r: SceneSearchReport): string {
  if (!r.matches.length) return human`No photos found (${r.tookMs} ms).`;
  return [
    human`${r.matches.length} photo(s) in ${r.tookMs} ms:`,
    ...r.matches.map((m, i) => human`${String(i + 1).padStart(3)}. ${m.path}  (score ${m.score.toFixed(3)})`),
  ].join('\n');
}
