// What other folders may use of search.
export { dominantFace, SelfieError, DEFAULT_SELFIE_RULES, type SelfieProblem, type SelfieRules } from './selfie.js';
export {
  photosForEmbedding,
  tieredPhotosForEmbedding,
  expandedSelfie,
  expandQuery,
  MAYBE_LIMIT,
  type TieredMatches,
  type SelfieMatch,
  type SelfieSearchOptions,
} from './selfie-search.js';
export type { CentreRule } from './person-expansion.js';
export { sureDistanceFor, type SureAtScale } from './sure-distance.js';
export { FaceIndex, FACE_INDEX_DEFAULTS, type FaceIndexOptions, type FaceIndexRow, type IndexedFace } from './face-index.js';
export {
  createFaceIndexCache,
  nearestPhotosInIndex,
  type FaceIndexCache,
  type FaceIndexSource,
  type FacesLookup,
} from './face-index-cache.js';
export { rankScenes, type SceneQuery, type SceneResult } from './scene-search.js';
export {
  matchSelfie,
  kioskDistances,
  TOO_DARK_LUMA,
  MAX_MATCHES,
  type KioskDistances,
  type MatchedSelfie,
  type SelfieMatching,
  type AnalyseSelfie,
} from './selfie-matching.js';
export {
  createEventSearch,
  SceneSearchError,
  SCENE_SEARCH_OFF,
  type EventSearch,
  type EventSearchDeps,
  type SceneQueryInput,
} from './event-search.js';
