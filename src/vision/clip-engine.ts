// CLIP's two towers on ONNX Runtime, with the same provider choice as the face engine: images
// (in workers, from the decoded analysis image) and text queries (in the process that searches).
import * as ort from 'onnxruntime-node';
import { sessionOptions } from './onnx-sessions.js';
import { chooseProvider, preferredProviders, type ProviderChoice, type ProviderName, type ProviderSetting } from './execution-providers.js';
import { CLIP_INPUT_SIZE } from './clip-preprocess.js';
import type { ClipTokenizer } from './clip-tokenizer.js';
import { l2Normalise } from './face-engine.js';

export interface ClipEngineOptions {
  visionPath?: string;
  textPath?: string;
  tokenizerDir?: string;
  provider: ProviderSetting;
  threads: number;
}

function rows(data: Float32Array, count: number): Float32Array[] {
  const dim = data.length / count;
  return Array.from({ length: count }, (_, i) => l2Normalise(data.slice(i * dim, (i + 1) * dim)));
}

export class ClipEngine {
  private constructor(
    private readonly vision: ort.InferenceSession | null,
    private readonly text: ort.InferenceSession | null,
    private readonly tokenizer: ClipTokenizer | null,
    readonly provider: ProviderChoice,
  ) {}

  static async open(options: ClipEngineOptions): Promise<ClipEngine> {
    const open = async (provider: ProviderName) => {
      const session = sessionOptions(provider, options.threads);
      return Promise.all([
        options.visionPath ? ort.InferenceSession.create(options.visionPath, session) : null,
        options.textPath ? ort.InferenceSession.create(options.textPath, session) : null,
      ]);
    };
    const { value, choice } = await chooseProvider(preferredProviders(options.provider), open);
    // The tokenizer (and its library) loads only for text: photo workers embed images alone.
    const tokenizer = options.tokenizerDir ? (await import('./clip-tokenizer.js')).ClipTokenizer.fromDir(options.tokenizerDir) : null;
    return new ClipEngine(value[0], value[1], tokenizer, choice);
  }

  async release(): Promise<void> {
    await Promise.all([this.vision?.release(), this.text?.release()]);
  }

  /** L2-normalised image embeddings for preprocessed NCHW 224x224 inputs, one per image. */
  async embedImages(pixels: readonly Float32Array[]): Promise<Float32Array[]> {
    if (!this.vision) throw new Error('This CLIP engine was opened without the vision tower');
    if (!pixels.length) return [];
    const plane = 3 * CLIP_INPUT_SIZE * CLIP_INPUT_SIZE;
    const batch = new Float32Array(pixels.length * plane);
    pixels.forEach((p, i) => batch.set(p, i * plane));
    const out = await this.vision.run({
      pixel_values: new ort.Tensor('float32', batch, [pixels.length, 3, CLIP_INPUT_SIZE, CLIP_INPUT_SIZE]),
    });
    return rows(out.image_embeds!.data as Float32Array, pixels.length);
  }

  /** L2-normalised text embeddings, one per query. */
  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    if (!this.text || !this.tokenizer) throw new Error('This CLIP engine was opened without the text tower');
    if (!texts.length) return [];
    const { inputIds, attentionMask, batch } = this.tokenizer.encodeBatch([...texts]);
    const out = await this.text.run({
      input_ids: new ort.Tensor('int64', inputIds, [batch, inputIds.length / batch]),
      attention_mask: new ort.Tensor('int64', attentionMask, [batch, attentionMask.length / batch]),
    });
    return rows(out.text_embeds!.data as Float32Array, batch);
  }
}
