// The face engine on loose image files, in this process (`shutterfind faces` and `verify`): for a
// photographer checking a shot and for scripts. No data dir state is read or written.
import { availableParallelism } from 'node:os';
import { dataDirLayout, loadSettingsFile, resolveSettings } from '../config/index.js';
import { analyseImage, type AnalysedFile } from '../photo/index.js';
import { DEFAULT_SELFIE_RULES, dominantFace, SelfieError } from '../search/index.js';
import { cosineDistance, FaceEngine, loadMatchThreshold, type DetectOptions, type MatchThreshold } from '../vision/index.js';
import type { Logger } from './logger.js';

export interface FaceTools {
  readonly match: MatchThreshold;
  analyse(path: string): Promise<AnalysedFile>;
  /** Cosine distance between the dominant faces of two photos (a SelfieError says why a photo has none). */
  distance(a: string, b: string): Promise<number>;
  close(): Promise<void>;
}

export async function openFaceTools(dataDir: string, log: Logger): Promise<FaceTools> {
  const settings = resolveSettings(loadSettingsFile(dataDirLayout(dataDir).settings));
  const engine = await FaceEngine.open({
    provider: settings.faces.provider,
    detectorPrecision: settings.faces.detectorPrecision,
    threads: availableParallelism(),
  });
  if (engine.provider.fallbackReason) log.info(`Face engine on ${engine.provider.active}: ${engine.provider.fallbackReason}`);
  const detect: DetectOptions = {
    minFacePx: settings.faces.minFacePx,
    minScore: settings.faces.minScore,
    tiling: settings.faces.tiling,
    maxFaces: settings.faces.maxFacesPerPhoto,
  };
  const analyse = (path: string) => analyseImage(engine, path, detect);
  // A loose photo is judged as a selfie would be, except for sharpness: a soft face still compares.
  const mainFace = async (path: string) => {
    const { faces } = await analyse(path);
    try {
      return dominantFace(faces, { ...DEFAULT_SELFIE_RULES, minSharpness: 0 });
    } catch (err) {
      throw err instanceof SelfieError ? new SelfieError(err.problem, `${path}: ${err.message}`) : err;
    }
  };
  return {
    match: loadMatchThreshold(),
    analyse,
    distance: async (a, b) => cosineDistance((await mainFace(a)).embedding, (await mainFace(b)).embedding),
    close: () => engine.release(),
  };
}
