// `shutterfind search --event E --selfie IMG`: the photos of an event a person appears in.
import { searchBySelfie, SelfieError, type SelfieSearchResult } from '../../search/index.js';
import { collapseBursts } from '../../bursts/index.js';
import { loadMatchThreshold } from '../../vision/index.js';
import { ImageReadError } from '../../photo/index.js';
import type { CommandContext } from '../context.js';
import { human, UserFacingError } from '../output.js';
import { withEventRepos } from './event-database.js';
import { openCliFaceEngine } from './face-engine-for-cli.js';

export async function runSearch(ctx: CommandContext, eventName: string, selfiePath: string, limit: number, oneFor: 'photo' | 'burst' = 'photo'): Promise<SelfieSearchResult> {
  return withEventRepos(ctx, eventName, async (repos, event) => {
    const { engine, detect } = await openCliFaceEngine(ctx);
    try {
      const found = await searchBySelfie(engine, repos, event.id, selfiePath, { threshold: loadMatchThreshold().searchThreshold, limit, detect });
      return oneFor === 'burst' ? { ...found, matches: collapseBursts(repos, found.matches) } : found;
    } catch (err) {
      if (err instanceof SelfieError || err instanceof ImageReadError) throw new UserFacingError(err.message, 2);
      throw err;
    } finally {
      await engine.release();
    }
  });
}

export function formatSearch(r: SelfieSearchResult): string {
  if (!r.matches.length) return human`No photos of this person yet (${r.tookMs} ms).`;
  const lines = r.matches.map((m, i) => human`${String(i + 1).padStart(3)}. ${m.path}  (distance ${m.distance.toFixed(3)})`);
  return [human`${r.matches.length} photo(s) in ${r.tookMs} ms (search ${r.searchMs} ms):`, ...lines].join('\n');
}
