// `shutterfind search --text "..." / --like PHOTO [--person ID | --selfie IMG]`: scene search,
// alone or within one person's photos.
import { dataDirLayout, loadSettingsFile, resolveSettings } from '../../config/index.js';
import { rankScenes, searchBySelfie, SelfieError, type SceneResult } from '../../search/index.js';
import { collapseBursts } from '../../bursts/index.js';
import { activeClipModel, ClipEngine, loadMatchThreshold } from '../../vision/index.js';
import { ImageReadError } from '../../photo/index.js';
import type { CommandContext } from '../context.js';
import { human, UserFacingError } from '../output.js';
import { withEventRepos } from './event-database.js';
import { openCliFaceEngine } from './face-engine-for-cli.js';

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

export const SCENE_SEARCH_OFF =
  'Scene search is off: no CLIP model is installed. Turn it on with `shutterfind models add <folder or URL of a CLIP ViT-B/32 ONNX export>`.';

export async function runSceneSearch(ctx: CommandContext, eventName: string, req: SceneSearchRequest): Promise<SceneSearchReport> {
  const started = performance.now();
  const layout = dataDirLayout(ctx.dataDir);
  const model = activeClipModel(layout.models);
  const settings = resolveSettings(loadSettingsFile(layout.settings));
  return withEventRepos(ctx, eventName, async (repos, event) => {
    if (!model) throw new UserFacingError(SCENE_SEARCH_OFF, 2);
    let restrictTo: Set<number> | undefined;
    if (req.person !== undefined) restrictTo = new Set(repos.faces.photoIdsOfPerson(event.id, req.person));
    if (req.selfie) {
      const { engine, detect } = await openCliFaceEngine(ctx);
      try {
        const found = await searchBySelfie(engine, repos, event.id, req.selfie, { threshold: loadMatchThreshold().searchThreshold, limit: 4096, detect });
        const ids = new Set(found.matches.map((m) => m.photoId));
        restrictTo = restrictTo ? new Set([...restrictTo].filter((id) => ids.has(id))) : ids;
      } catch (err) {
        if (err instanceof SelfieError || err instanceof ImageReadError) throw new UserFacingError(err.message, 2);
        throw err;
      } finally {
        await engine.release();
      }
    }

    let query: Float32Array | undefined;
    if (req.like !== undefined) {
      query = repos.clipVectors.embeddingOf(req.like);
      if (!query) {
        throw new UserFacingError(
          repos.photos.getPhoto(req.like)
            ? `Photo ${req.like} has no scene embedding yet (it is still being processed or back-filled); try again shortly.`
            : `There is no photo ${req.like} in "${eventName}".`,
          2,
        );
      }
    } else if (req.text !== undefined) {
      if (!req.text.trim()) throw new UserFacingError('Say what to look for, for example --text "cake cutting".', 2);
      const clip = await ClipEngine.open({ textPath: model.textPath, tokenizerDir: model.tokenizerDir, provider: settings.faces.provider, threads: 1 });
      try {
        [query] = await clip.embedTexts([req.text]);
      } finally {
        await clip.release();
      }
    }
    if (!query) throw new UserFacingError('Give --text "..." or --like PHOTO_ID (with --person or --selfie to search one person\'s photos).', 2);
    const ranked = rankScenes(repos, event.id, query, { limit: req.limit, ...(restrictTo ? { restrictTo } : {}), ...(req.like !== undefined ? { exclude: req.like } : {}) });
    const matches = req.collapseBursts ? collapseBursts(repos, ranked) : ranked;
    return { matches, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  });
}

export function formatSceneSearch(r: SceneSearchReport): string {
  if (!r.matches.length) return human`No photos found (${r.tookMs} ms).`;
  return [human`${r.matches.length} photo(s) in ${r.tookMs} ms:`, ...r.matches.map((m, i) => human`${String(i + 1).padStart(3)}. ${m.path}  (score ${m.score.toFixed(3)})`)].join('\n');
}
