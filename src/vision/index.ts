// What other folders may use of the face engine.
export {
  FaceEngine,
  DEFAULT_DETECT_OPTIONS,
  LEGACY_DESCRIPTOR,
  DLIB_CALIBRATED_DESCRIPTOR,
  FACEPLUGIN_DESCRIPTOR,
  JOINED_DESCRIPTOR,
  l2Normalise,
  type AnalysedFace,
  type DescriptorSettings,
  type DetectOptions,
  type DetectorPrecisionSetting,
  type FaceEngineOptions,
} from './face-engine.js';
export type { FaceQuality } from './face-quality.js';
export { intraOpThreads, preferredProviders, type ProviderChoice, type ProviderName, type ProviderSetting } from './execution-providers.js';
export {
  ensureFaceModels,
  convertFaceModels,
  faceModelDir,
  DLIB_MODEL_ID,
  FACEPLUGIN_MODEL_ID,
  JOINED_MODEL_ID,
  type FaceModelPaths,
} from './face-model-files.js';
export { loadMatchThreshold, matchThresholdPath, EARLIER_SEARCH_THRESHOLDS, type MatchThreshold } from './match-threshold.js';
export { cosineDistance } from './face-vectors.js';
export { ClipEngine, type ClipEngineOptions } from './clip-engine.js';
export { preprocessForClip, clipCrop, clipGeometry, normaliseForClip, CLIP_INPUT_SIZE, CLIP_MEAN, CLIP_STD } from './clip-preprocess.js';
export {
  ClipTokenizer,
  ClipTokenizerError,
  clipTokenizerConfig,
  CLIP_CONTEXT_LENGTH,
  CLIP_PAD_ID,
  CLIP_START_TOKEN,
  CLIP_END_TOKEN,
  type ClipTokens,
} from './clip-tokenizer.js';
export {
  installClipModel,
  listClipModels,
  activeClipModel,
  setActiveClipModel,
  verifyInstalledClipModel,
  clipModelsDir,
  ClipModelError,
  CLIP_EMBED_DIMS,
  CLIP_MODEL_LAYOUT,
  CLIP_VISION_FILE,
  CLIP_TEXT_FILE,
  type InstalledClipModel,
  type ClipModelVerification,
  type ClipModelManifest,
  type ClipModelFile,
  type ClipPrecision,
} from './clip-model-files.js';
export { linkGraphOnnx, TooManyLinksError } from './face-links.js';
export { groupByAverageDistance, groupByAverageDistanceInTable, type GroupedFace } from './average-distance-grouping.js';
export { DESCRIPTOR_INPUT_SIZE } from './face-networks/input-sizes.js';
export { DESCRIPTOR_NETWORKS, type DescriptorNetwork } from './descriptor-networks.js';
export { encodeProjectionMatrix, type DescriptorProjection } from './descriptor-projection.js';
