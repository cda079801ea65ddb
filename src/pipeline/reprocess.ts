// Runs one stage again for a whole event (after a model or threshold change): a query that queues
// that stage's job for every photo, since each stage has its own kind of job. The photos keep
// their other results, and ready photos stay ready while the stage runs.
import type { JobsRepository, PhotoStage } from '../store/index.js';

/**
 * Behind live frames (10) and card imports (0), so a re-run never holds up photos still arriving;
 * ahead of the scene back-fill (-10), which only uses idle time.
 */
export const REPROCESS_PRIORITY = -5;

/** The stage cannot run on this installation as it is set up: the message says how to turn it on. */
export class StageOffError extends Error {
  override name = 'StageOffError';
  constructor(
    readonly stage: PhotoStage,
    message: string,
  ) {
    super(message);
  }
}

export interface StageQueued {
  stage: PhotoStage;
  /** Photos the stage runs for: read, not failed, and for scene with a stored preview. */
  photos: number;
  /** Jobs queued now; the other photos already had one waiting. */
  queued: number;
  /** Failed photos left out: `shutterfind retry` processes them again, every stage. */
  failedPhotos: number;
}

export interface ReprocessDeps {
  jobs: JobsRepository;
  maxAttempts: number;
  /** Whether face analysis is on in settings. */
  facesOn: boolean;
  /** Whether a CLIP model is installed (scene search). */
  sceneOn: boolean;
}

export function queueStageAgain(deps: ReprocessDeps, eventId: number, stage: PhotoStage, now: number): StageQueued {
  if (stage === 'faces' && !deps.facesOn) {
    throw new StageOffError(
      'faces',
      'Face analysis is switched off: set "faces": { "enabled": true } in settings.json, then run the faces stage again.',
    );
  }
  if (stage === 'scene' && !deps.sceneOn) {
    throw new StageOffError(
      'scene',
      'Scene search is off: no CLIP model is installed. Install one with `shutterfind models add <folder or URL of a CLIP ViT-B/32 ONNX export>`, then run the scene stage again.',
    );
  }
  const { photos, jobIds, failedPhotos } = deps.jobs.enqueueStageForEvent(eventId, stage, {
    priority: REPROCESS_PRIORITY,
    maxAttempts: deps.maxAttempts,
    now,
  });
  return { stage, photos, queued: jobIds.length, failedPhotos };
}
