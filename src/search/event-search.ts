// Search within an event, the one path for every caller: by selfie (kiosk, console, CLI) and by
// scene (text or "more like this", optionally within one person's photos).
import type { Repositories } from '../store/index.js';
import { ClipEngine, type InstalledClipModel, type ProviderSetting } from '../vision/index.js';
import type { FaceIndexCache } from './face-index-cache.js';
import { rankScenes, type SceneResult } from './scene-search.js';
import { matchSelfie, matchWithConfirmedFaces, type AnalyseSelfie, type KioskDistances, type MatchedSelfie } from './selfie-matching.js';

export interface EventSearchDeps {
  repos: Repositories;
  faceIndexes: FaceIndexCache;
  analyseSelfie: AnalyseSelfie;
  /** Sure, "Maybe you?" and person-centre distances, from match-threshold.json (kioskDistances). */
  distances: KioskDistances;
  /** The installed CLIP model now, or null (scene search off). */
  clipModel: () => InstalledClipModel | null;
  provider: ProviderSetting;
}

export interface SceneQueryInput {
  text?: string;
  /** "More like this": a photo of the event. */
  likePhotoId?: number;
  /** Only among these photos (a person's, or a selfie's matches). */
  restrictTo?: ReadonlySet<number>;
  limit: number;
}

/** Scene search cannot run: no model, no embedding yet for the photo, or nothing to look for. */
export class SceneSearchError extends Error {
  override name = 'SceneSearchError';
  constructor(
    readonly problem: 'off' | 'not-ready' | 'not-found' | 'bad-query',
    message: string,
  ) {
    super(message);
  }
}

export const SCENE_SEARCH_OFF =
  'Scene search is off: no CLIP model is installed. Turn it on with `shutterfind models add <folder or URL of a CLIP ViT-B/32 ONNX export>`.';

export function createEventSearch(deps: EventSearchDeps) {
  return {
    /** The kiosk's search: quality rules, sure and "maybe" tiers, at most MAX_MATCHES photos. */
    bySelfie: (eventId: number, image: Buffer): Promise<MatchedSelfie> => matchSelfie(deps, eventId, image),

    /** The selfie's search again with the faces the attendee confirmed as theirs ("Maybe you?" photos tapped in). */
    withConfirmedFaces: (eventId: number, embedding: Float32Array, confirmedFaceIds: readonly number[]): Omit<MatchedSelfie, 'embedding'> =>
      matchWithConfirmedFaces(deps, eventId, embedding, confirmedFaceIds),

    async byScene(eventId: number, q: SceneQueryInput): Promise<SceneResult[]> {
      const model = deps.clipModel();
      if (!model) throw new SceneSearchError('off', SCENE_SEARCH_OFF);
      let query: Float32Array | undefined;
      if (q.likePhotoId !== undefined) {
        query = deps.repos.clipVectors.embeddingOf(q.likePhotoId);
        if (!query) {
          const photo = deps.repos.photos.getPhoto(q.likePhotoId);
          throw photo && photo.eventId === eventId
            ? new SceneSearchError(
                'not-ready',
                `Photo ${q.likePhotoId} has no scene embedding yet (it is still being processed or back-filled); try again shortly.`,
              )
            : new SceneSearchError('not-found', `There is no photo ${q.likePhotoId} in this event.`);
        }
      } else if (q.text !== undefined) {
        if (!q.text.trim()) throw new SceneSearchError('bad-query', 'Say what to look for, for example --text "cake cutting".');
        const clip = await ClipEngine.open({
          textPath: model.textPath,
          tokenizerDir: model.tokenizerDir,
          provider: deps.provider,
          threads: 1,
        });
        try {
          [query] = await clip.embedTexts([q.text]);
        } finally {
          await clip.release();
        }
      }
      if (!query)
        throw new SceneSearchError(
          'bad-query',
          "Give a text or a photo to look for (with a person or a selfie to search one person's photos).",
        );
      return rankScenes(deps.repos, eventId, query, {
        limit: q.limit,
        ...(q.restrictTo ? { restrictTo: q.restrictTo } : {}),
        ...(q.likePhotoId !== undefined ? { exclude: q.likePhotoId } : {}),
      });
    },
  };
}

export type EventSearch = ReturnType<typeof createEventSearch>;
