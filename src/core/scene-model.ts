// Scene search runs when a CLIP model is installed (`shutterfind models add`). The models folder is
// looked at again every few seconds, so a model added while the engine runs is taken up without a
// restart: new photos get scene embeddings and earlier ones are back-filled behind them.
import type { Logger } from 'pino';
import type { ClipTaskOptions } from '../photo/index.js';
import { activeClipModel, type InstalledClipModel, type ProviderSetting } from '../vision/index.js';

const CLIP_MODEL_RECHECK_MS = 5_000;

export interface SceneModel {
  /** The installed model now (looked for again when the last look is older than a few seconds). */
  current(recheck?: boolean): InstalledClipModel | null;
  /** What a photo worker needs to embed scenes, or null when scene search is off. */
  taskOptions(recheck?: boolean): ClipTaskOptions | null;
}

function findClipModel(modelsDir: string, log: Logger): InstalledClipModel | null {
  try {
    return activeClipModel(modelsDir);
  } catch (err) {
    log.error(
      { err },
      `The installed CLIP model cannot be used (${(err as Error).message}); scene search is off. Reinstall it with \`shutterfind models add\`.`,
    );
    return null;
  }
}

export function watchSceneModel(options: {
  modelsDir: string;
  provider: ProviderSetting;
  threads: number;
  log: Logger;
  /** A model appeared (or changed): back-fill the open events. */
  onInstalled: (model: InstalledClipModel) => void;
  now?: () => number;
}): SceneModel {
  const now = options.now ?? Date.now;
  let model = findClipModel(options.modelsDir, options.log);
  let checkedAt = now();
  const current = (recheck = false): InstalledClipModel | null => {
    if (recheck || now() - checkedAt > CLIP_MODEL_RECHECK_MS) {
      checkedAt = now();
      const found = findClipModel(options.modelsDir, options.log);
      if (found?.dir !== model?.dir) {
        model = found;
        if (found) {
          options.log.info(`Scene search on: CLIP model "${found.name}"`);
          options.onInstalled(found);
        } else {
          options.log.warn('The CLIP model is gone: scene search is off');
        }
      }
    }
    return model;
  };
  return {
    current,
    taskOptions(recheck = false) {
      const m = current(recheck);
      return m ? { visionPath: m.visionPath, provider: options.provider, threads: options.threads } : null;
    },
  };
}
