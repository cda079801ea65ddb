// The face engine as a command runs it: in-process, on the provider the data dir's settings ask for.
import { availableParallelism } from 'node:os';
import { dataDirLayout, resolveSettings, loadSettingsFile } from '../../config/index.js';
import { FaceEngine, type DetectOptions } from '../../vision/index.js';
import type { CommandContext } from '../context.js';

export async function openCliFaceEngine(ctx: CommandContext): Promise<{ engine: FaceEngine; detect: DetectOptions }> {
  const settings = resolveSettings(loadSettingsFile(dataDirLayout(ctx.dataDir).settings));
  const engine = await FaceEngine.open({ provider: settings.faces.provider, detectorPrecision: settings.faces.detectorPrecision, threads: availableParallelism() });
  if (engine.provider.fallbackReason) ctx.log.info(`Face engine on ${engine.provider.active}: ${engine.provider.fallbackReason}`);
  const detect: DetectOptions = {
    minFacePx: settings.faces.minFacePx,
    minScore: settings.faces.minScore,
    tiling: settings.faces.tiling,
    maxFaces: settings.faces.maxFacesPerPhoto,
  };
  return { engine, detect };
}
