// Installing CLIP models: the generated tiny model from a folder and from a loopback URL,
// refusal of broken folders with nothing left behind, and both installed towers on ONNX Runtime.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeClipModel,
  ClipModelError,
  installClipModel,
  listClipModels,
  setActiveClipModel,
  verifyInstalledClipModel,
} from '../../../src/vision/index.js';
import { ClipTokenizer } from '../../../src/vision/index.js';
import { OnnxGraph } from '../../../src/vision/onnx-graph.js';
import { TINY_CLIP_COLOURS, writeTinyClipModel } from '../../fixtures/tiny-clip.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;
let fp32: string;
let int8: string;

beforeAll(async () => {
  root = await makeTempDir('shutterfind-clip-models-');
  fp32 = join(root, 'tiny-fp32');
  int8 = join(root, 'tiny-int8');
  await writeTinyClipModel(fp32);
  await writeTinyClipModel(int8, { precision: 'int8', tokenizer: 'fast' });
});
afterAll(() => removeDir(root));

let counter = 0;
const freshModelsDir = () => join(root, `models-${++counter}`);
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** A copy of the fp32 model folder with one change applied. */
async function brokenCopy(change: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(root, `broken-${++counter}`);
  await writeTinyClipModel(dir);
  await change(dir);
  return dir;
}

async function refusal(source: string, modelsDir: string): Promise<string> {
  try {
    await installClipModel(source, modelsDir);
  } catch (err) {
    expect(err).toBeInstanceOf(ClipModelError);
    return (err as Error).message;
  }
  throw new Error(`installing ${source} should have been refused`);
}

/** What is left in <modelsDir>/clip after a refused install: nothing but the (empty) folder. */
const leftovers = async (modelsDir: string) => readdir(join(modelsDir, 'clip')).catch(() => [] as string[]);

describe('installClipModel from a folder', () => {
  it('verifies, records sha256 of every file in the manifest, and lists the model as active', async () => {
    const modelsDir = freshModelsDir();
    const model = await installClipModel(fp32, modelsDir, { name: 'tiny' });
    expect(model.dir).toEqual(join(modelsDir, 'clip', 'tiny'));
    expect([model.precision, model.dims]).toEqual(['fp32', 512]);
    expect(Object.keys(model.files).sort()).toEqual(['merges.txt', 'text_model.onnx', 'vision_model.onnx', 'vocab.json']);
    for (const file of Object.keys(model.files)) {
      expect(model.files[file]).toEqual({ sha256: await sha256(join(fp32, file)), bytes: (await stat(join(fp32, file))).size });
    }
    const manifest = JSON.parse(await readFile(join(model.dir, 'manifest.json'), 'utf8')) as { name: string; files: unknown; dims: number };
    expect([manifest.name, manifest.dims, manifest.files]).toEqual(['tiny', 512, model.files]);
    expect(listClipModels(modelsDir).map((m) => m.name)).toEqual(['tiny']);
    expect(activeClipModel(modelsDir)?.name).toEqual('tiny');
    expect(await verifyInstalledClipModel(model)).toEqual({ name: 'tiny', status: 'verified', problems: [] });
  });

  it('records an int8 model (DequantizeLinear weights, tokenizer.json) as int8', async () => {
    const modelsDir = freshModelsDir();
    const model = await installClipModel(int8, modelsDir);
    expect([model.name, model.precision, model.towers]).toEqual(['tiny-int8', 'int8', { vision: 'int8', text: 'int8' }]);
    expect(Object.keys(model.files).sort()).toEqual(['text_model.onnx', 'tokenizer.json', 'vision_model.onnx']);
  });

  it('makes the latest install active, and active.json can switch back', async () => {
    const modelsDir = freshModelsDir();
    let t = Date.parse('2025-06-01T10:00:00Z');
    const now = () => new Date((t += 60_000));
    await installClipModel(fp32, modelsDir, { name: 'first', now });
    await installClipModel(int8, modelsDir, { name: 'second', now });
    expect(listClipModels(modelsDir).map((m) => m.name)).toEqual(['second', 'first']);
    expect(activeClipModel(modelsDir)?.name).toEqual('second');
    setActiveClipModel(modelsDir, 'first');
    expect(activeClipModel(modelsDir)?.name).toEqual('first');
  });

  it('refuses a second model under a name already installed', async () => {
    const modelsDir = freshModelsDir();
    await installClipModel(fp32, modelsDir);
    expect(await refusal(fp32, modelsDir)).toMatch(/A CLIP model named "tiny-fp32" is already installed .*: pass --name/);
    expect(listClipModels(modelsDir).map((m) => m.name)).toEqual(['tiny-fp32']);
  });

  it('finds a damaged file when re-verifying an installed model', async () => {
    const modelsDir = freshModelsDir();
    const model = await installClipModel(fp32, modelsDir, { name: 'tiny' });
    const vocab = join(model.dir, 'vocab.json');
    const text = await readFile(vocab, 'utf8');
    await writeFile(vocab, text.replace('"red</w>"', '"rod</w>"'));
    const check = await verifyInstalledClipModel(model);
    expect(check.status).toEqual('damaged');
    expect(check.problems).toEqual([`${vocab} does not match its sha256 in the manifest (file changed or damaged)`]);
    await truncate(model.textPath, 10);
    expect(activeClipModel(modelsDir)).toEqual(null);
  });
});

describe('installClipModel refuses a broken model and leaves nothing behind', () => {
  it('names the missing text_model.onnx', async () => {
    const source = await brokenCopy(async (dir) => removeDir(join(dir, 'text_model.onnx')));
    const modelsDir = freshModelsDir();
    expect(await refusal(source, modelsDir)).toMatch(/text_model\.onnx is missing/);
    expect(await leftovers(modelsDir)).toEqual([]);
  });

  it('names a vision model whose output is not image_embeds', async () => {
    const source = await brokenCopy(async (dir) => {
      const g = new OnnxGraph('wrong_output');
      const x = g.input('pixel_values', ['batch', 3, 224, 224]);
      g.op('ReduceMean', [x], { axes: [1, 2, 3], keepdims: 0 }, 'pooled');
      g.output('pooled', ['batch']);
      await writeFile(join(dir, 'vision_model.onnx'), g.toBytes());
    });
    const modelsDir = freshModelsDir();
    expect(await refusal(source, modelsDir)).toMatch(/vision_model\.onnx has no output "image_embeds" \(its outputs: pooled\)/);
    expect(await leftovers(modelsDir)).toEqual([]);
  });

  it('names a vision model that gives the wrong embedding size', async () => {
    const source = await brokenCopy(async (dir) => {
      const g = new OnnxGraph('wrong_dims');
      const x = g.input('pixel_values', ['batch', 3, 224, 224]);
      g.op('ReduceMean', [x], { axes: [2, 3], keepdims: 0 }, 'image_embeds');
      g.output('image_embeds', ['batch', 3]);
      await writeFile(join(dir, 'vision_model.onnx'), g.toBytes());
    });
    const modelsDir = freshModelsDir();
    expect(await refusal(source, modelsDir)).toMatch(
      /vision_model\.onnx output "image_embeds" is float32 \[1,3\] for a batch of 1, expected float32 \[1,512\]/,
    );
    expect(await leftovers(modelsDir)).toEqual([]);
  });

  it('names a truncated text_model.onnx', async () => {
    const source = await brokenCopy(async (dir) => {
      const path = join(dir, 'text_model.onnx');
      await truncate(path, Math.floor((await stat(path)).size / 2));
    });
    const modelsDir = freshModelsDir();
    expect(await refusal(source, modelsDir)).toMatch(
      /text_model\.onnx cannot be loaded by ONNX Runtime \(truncated, or not an ONNX model\)/,
    );
    expect(await leftovers(modelsDir)).toEqual([]);
  });

  it('names missing tokenizer files', async () => {
    const source = await brokenCopy(async (dir) => removeDir(join(dir, 'merges.txt')));
    const modelsDir = freshModelsDir();
    expect(await refusal(source, modelsDir)).toMatch(/expected tokenizer\.json, or vocab\.json and merges\.txt \(missing merges\.txt\)/);
    expect(await leftovers(modelsDir)).toEqual([]);
  });
});

describe('installClipModel from a URL', () => {
  let server: Server;
  let base: string;
  const requested: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const file = (req.url ?? '/').replace(/^\/models\/tiny\//, '');
      requested.push(file);
      readFile(join(fp32, file)).then(
        (bytes) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes),
        () => res.writeHead(404).end('not found'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/tiny/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads the same files, verifies them and records the same sha256 as the folder', async () => {
    const modelsDir = freshModelsDir();
    const model = await installClipModel(base, modelsDir);
    expect(model.name).toEqual('tiny');
    expect(model.source).toEqual(base);
    for (const file of ['vision_model.onnx', 'text_model.onnx', 'vocab.json', 'merges.txt']) {
      expect(model.files[file]?.sha256).toEqual(await sha256(join(fp32, file)));
    }
    expect(requested.slice(0, 3)).toEqual(['vision_model.onnx', 'text_model.onnx', 'tokenizer.json']);
  });

  it('says which URL was not found', async () => {
    const modelsDir = freshModelsDir();
    const message = await refusal(base.replace('/tiny/', '/nothing-here/'), modelsDir);
    expect(message).toMatch(/http:\/\/127\.0\.0\.1:\d+\/models\/nothing-here\/vision_model\.onnx is missing/);
    expect(await leftovers(modelsDir)).toEqual([]);
  });
});

describe('an installed tiny model on ONNX Runtime', () => {
  const MEAN = [0.48145466, 0.4578275, 0.40821073];
  const STD = [0.26862954, 0.26130258, 0.27577711];
  const PLANE = 224 * 224;

  const cosine = (a: Float32Array, b: Float32Array) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i]! * b[i]!;
      na += a[i]! ** 2;
      nb += b[i]! ** 2;
    }
    return dot / Math.sqrt(na * nb);
  };

  it.each(['fp32', 'int8'] as const)('ranks the photo of each colour first for that colour word (%s)', async (precision) => {
    const model = await installClipModel(precision === 'fp32' ? fp32 : int8, freshModelsDir(), { name: precision });
    const vision = await ort.InferenceSession.create(model.visionPath);
    const text = await ort.InferenceSession.create(model.textPath);
    try {
      const colours = Object.keys(TINY_CLIP_COLOURS) as (keyof typeof TINY_CLIP_COLOURS)[];
      // Solid-colour photos, normalised as CLIP's preprocessing does.
      const pixels = new Float32Array(colours.length * 3 * PLANE);
      colours.forEach((name, i) => {
        TINY_CLIP_COLOURS[name].forEach((value, c) => {
          pixels.fill((value / 255 - MEAN[c]!) / STD[c]!, (i * 3 + c) * PLANE, (i * 3 + c + 1) * PLANE);
        });
      });
      const images = (await vision.run({ pixel_values: new ort.Tensor('float32', pixels, [colours.length, 3, 224, 224]) })).image_embeds!;
      const queries = colours.map((c) => `a photo of a ${c.toUpperCase()} cake`);
      const tokens = ClipTokenizer.fromDir(model.tokenizerDir).encodeBatch(queries);
      const texts = (
        await text.run({
          input_ids: new ort.Tensor('int64', tokens.inputIds, [tokens.batch, 77]),
          attention_mask: new ort.Tensor('int64', tokens.attentionMask, [tokens.batch, 77]),
        })
      ).text_embeds!;
      expect([images.dims, texts.dims]).toEqual([
        [4, 512],
        [4, 512],
      ]);
      const row = (t: ort.Tensor, i: number) => (t.data as Float32Array).subarray(i * 512, (i + 1) * 512);
      const best = colours.map((_, q) => {
        const scores = colours.map((__, i) => cosine(row(texts, q), row(images, i)));
        return colours[scores.indexOf(Math.max(...scores))];
      });
      expect(best).toEqual(colours);
    } finally {
      await vision.release();
      await text.release();
    }
  });
});
