// What every photo worker is told about the face engine, from the settings.
import type { Settings } from '../config/index.js';
import type { FaceTaskOptions } from '../photo/index.js';
import { ensureFaceModels, type FaceModelPaths } from '../vision/index.js';
import type { Logger } from './logger.js';

/**
 * The face model files, checked (or converted) once here for every photo worker: each worker
 * checking them hashed ~50 MB at start, and workers converting at once wrote the same files.
 * On failure the workers try again and each photo reports why.
 */
async function checkedFaceModels(log: Logger): Promise<FaceModelPaths | undefined> {
  try {
    return await ensureFaceModels();
  } catch (err) {
    log.warn({ err }, `Face models: ${(err as Error).message}`);
    return undefined;
  }
}

export async function faceTaskOptions(settings: Settings, threads: number, log: Logger): Promise<FaceTaskOptions> {
  const models = await checkedFaceModels(log);
  return {
    provider: settings.faces.provider,
    detectorPrecision: settings.faces.detectorPrecision,
    threads,
    minFacePx: settings.faces.minFacePx,
    minScore: settings.faces.minScore,
    tiling: settings.faces.tiling,
    maxFaces: settings.faces.maxFacesPerPhoto,
    ...(models ? { models } : {}),
  };
}
