// What other folders may use of search.
export { dominantFace, SelfieError, DEFAULT_SELFIE_RULES, type SelfieProblem, type SelfieRules } from './selfie.js';
export { searchBySelfie, photosForEmbedding, type SelfieMatch, type SelfieSearchResult, type SelfieSearchOptions } from './selfie-search.js';
