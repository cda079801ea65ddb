// What other folders may use of the face engine.
export { FaceEngine, DEFAULT_DETECT_OPTIONS, l2Normalise, type AnalysedFace, type DetectOptions, type FaceEngineOptions } from './face-engine.js';
export { analyseImage, ImageReadError, ANALYSIS_LONG_SIDE, type AnalysedFile } from './analyse-file.js';
export { intraOpThreads, preferredProviders, type ProviderChoice, type ProviderName, type ProviderSetting } from './execution-providers.js';
export { ensureFaceModels, convertFaceModels, faceModelDir, FACE_MODEL_ID, type FaceModelPaths } from './face-model-files.js';
export { loadMatchThreshold, matchThresholdPath, type MatchThreshold } from './match-threshold.js';
export { cosineDistance } from './face-vectors.js';
export { assignFacesToPersons, reclusterEvent, type ReclusterSummary } from './people.js';
export { createFaceStage, reusableFaceEngine } from './face-stage.js';
