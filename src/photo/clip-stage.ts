// The CLIP stage of the photo job (scene search), run inside a photo worker on the pixels the
// worker already decoded; and the back-fill task that embeds an already-ready photo from its
// stored preview when a model is installed after the photos arrived.
import sharp, { type OutputInfo } from 'sharp';
import type {
  AnalysisContext,
  AnalysisImage,
  AnalysisOutput,
  AnalysisStage,
  ClipJobResult,
  ClipJobTask,
  ClipTaskOptions,
} from './index.js';
import { ClipEngine } from '../vision/index.js';
import { preprocessForClip } from '../vision/index.js';

export type ClipEngineSource = (options: ClipTaskOptions) => Promise<ClipEngine>;

/** One vision-tower engine per worker thread, reopened only when the model or settings change. */
export function reusableClipEngine(open: typeof ClipEngine.open = (o) => ClipEngine.open(o)): ClipEngineSource {
  let engine: Promise<ClipEngine> | undefined;
  let key = '';
  return (options) => {
    const wanted = `${options.visionPath}:${options.provider}:${options.threads}`;
    if (!engine || wanted !== key) {
      const previous = engine;
      key = wanted;
      const opening = open({ visionPath: options.visionPath, provider: options.provider, threads: options.threads });
      opening.catch(() => {
        if (engine === opening) engine = undefined;
      });
      engine = opening;
      previous?.then((e) => e.release()).catch(() => undefined);
    }
    return engine;
  };
}

export const createClipStage = (engineFor: ClipEngineSource): AnalysisStage => ({
  name: 'clip',
  async run(image: AnalysisImage, ctx: AnalysisContext): Promise<AnalysisOutput> {
    if (!ctx.clip) return {};
    const engine = await engineFor(ctx.clip);
    const [embedding] = await engine.embedImages([
      await preprocessForClip({ data: image.pixels, width: image.width, height: image.height }),
    ]);
    return embedding ? { clipEmbedding: embedding } : {};
  },
});

export async function embedPreview(task: ClipJobTask, engineFor: ClipEngineSource): Promise<ClipJobResult> {
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    pixels = await sharp(task.previewPath).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      failure: code === 'EMFILE' || code === 'EBUSY' ? 'transient' : 'permanent',
      error: `Cannot read the preview ${task.previewPath} for scene search: ${(err as Error).message}`,
    };
  }
  try {
    const engine = await engineFor(task.clip);
    const input = await preprocessForClip({ data: new Uint8Array(pixels.data), width: pixels.info.width, height: pixels.info.height });
    const [embedding] = await engine.embedImages([input]);
    if (!embedding) return { ok: false, failure: 'permanent', error: 'The CLIP model returned no embedding' };
    return { ok: true, embedding };
  } catch (err) {
    return { ok: false, failure: 'transient', error: `Scene search embedding failed: ${(err as Error).message}` };
  }
}
