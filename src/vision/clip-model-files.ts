// Installed CLIP models under <data dir>/models/clip/<name>/: installing one from a folder or a
// base URL (checked with real ONNX Runtime sessions before it is moved into place), listing
// them, choosing the active one, and re-checking their files against the recorded sha256.
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { CLIP_CONTEXT_LENGTH, ClipTokenizer } from './clip-tokenizer.js';

export const CLIP_EMBED_DIMS = 512;
const CLIP_IMAGE_SIZE = 224;
const MANIFEST = 'manifest.json';
const ACTIVE = 'active.json';
const MANIFEST_FORMAT = 1;

export const CLIP_VISION_FILE = 'vision_model.onnx';
export const CLIP_TEXT_FILE = 'text_model.onnx';
/** Copied when the source has them (preprocessing and tokenizer settings, for reference). */
const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json', 'preprocessor_config.json'];

/** What `shutterfind models add` expects, for error messages. */
export const CLIP_MODEL_LAYOUT =
  `${CLIP_VISION_FILE} (input pixel_values float32 [N,3,224,224] → image_embeds float32 [N,512]), ` +
  `${CLIP_TEXT_FILE} (inputs input_ids and attention_mask int64 [N,77] → text_embeds float32 [N,512]), ` +
  'and tokenizer.json or vocab.json + merges.txt';

interface TowerSpec {
  file: string;
  inputs: { name: string; type: 'float32' | 'int64'; shape: number[] }[];
  output: string;
}

const VISION: TowerSpec = {
  file: CLIP_VISION_FILE,
  inputs: [{ name: 'pixel_values', type: 'float32', shape: [3, CLIP_IMAGE_SIZE, CLIP_IMAGE_SIZE] }],
  output: 'image_embeds',
};
const TEXT: TowerSpec = {
  file: CLIP_TEXT_FILE,
  inputs: [
    { name: 'input_ids', type: 'int64', shape: [CLIP_CONTEXT_LENGTH] },
    { name: 'attention_mask', type: 'int64', shape: [CLIP_CONTEXT_LENGTH] },
  ],
  output: 'text_embeds',
};

// Op types that only appear in quantised graphs (static QDQ, dynamic quantisation, QOperator).
const QUANTISED_OPS = ['DequantizeLinear', 'DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger', 'QLinearMatMul', 'QLinearConv'];

export type ClipPrecision = 'fp32' | 'int8';

const fileEntrySchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  kind: z.literal('clip'),
  name: z.string().min(1),
  source: z.string(),
  dims: z.literal(CLIP_EMBED_DIMS),
  precision: z.enum(['fp32', 'int8']),
  towers: z.object({ vision: z.enum(['fp32', 'int8']), text: z.enum(['fp32', 'int8']) }),
  installedAt: z.string(),
  files: z.record(z.string(), fileEntrySchema),
});

export type ClipModelManifest = z.infer<typeof manifestSchema>;
export type ClipModelFile = z.infer<typeof fileEntrySchema>;

export interface InstalledClipModel {
  name: string;
  dir: string;
  visionPath: string;
  textPath: string;
  tokenizerDir: string;
  precision: ClipPrecision;
  towers: { vision: ClipPrecision; text: ClipPrecision };
  dims: 512;
  files: Record<string, ClipModelFile>;
  installedAt: string;
  source: string;
}

export interface ClipModelVerification {
  name: string;
  status: 'verified' | 'damaged';
  /** One line per file that is missing or differs from the manifest. */
  problems: string[];
}

/** A model that cannot be installed: says which file, name or shape is wrong. */
export class ClipModelError extends Error {
  override name = 'ClipModelError';
}

export function clipModelsDir(modelsDir: string): string {
  return join(modelsDir, 'clip');
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function defaultName(source: string): string {
  const last = isUrl(source) ? (new URL(source).pathname.split('/').filter(Boolean).pop() ?? new URL(source).hostname) : basename(source);
  const cleaned = last
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned || 'clip';
}

const isUrl = (source: string) => /^https?:\/\//i.test(source);

/** Stream copy that records sha256, size and whether a quantised op name occurs in the bytes. */
class FileScan extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  quantised = false;
  private tail = Buffer.alloc(0);
  private static readonly overlap = Math.max(...QUANTISED_OPS.map((o) => o.length)) - 1;

  constructor(private readonly scanOps: boolean) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.scanOps && !this.quantised) {
      // The op type is a plain string in the protobuf; keep a tail so a name split across
      // two chunks is still found.
      const window = Buffer.concat([this.tail, chunk]);
      this.quantised = QUANTISED_OPS.some((op) => window.includes(op));
      this.tail = window.subarray(Math.max(0, window.length - FileScan.overlap));
    }
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

interface FetchedFile extends ClipModelFile {
  quantised: boolean;
}

async function copyInto(read: Readable, target: string, scanOps: boolean): Promise<FetchedFile> {
  mkdirSync(dirname(target), { recursive: true });
  const scan = new FileScan(scanOps);
  await pipeline(read, scan, createWriteStream(target));
  return { sha256: scan.digest(), bytes: scan.bytes, quantised: scan.quantised };
}

/** Where each file of the model comes from: a folder, or a base URL serving the same names. */
interface ModelSource {
  describe(file: string): string;
  /** The file's bytes, or null when the source does not have it. */
  open(file: string): Promise<Readable | null>;
}

function folderSource(dir: string): ModelSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ClipModelError(
      `Cannot install a CLIP model from ${dir}: not a folder (expected a folder or an http(s) URL holding ${CLIP_MODEL_LAYOUT})`,
    );
  }
  // HF/Xenova exports keep the ONNX files in an onnx/ subfolder beside the tokenizer files.
  const locate = (file: string) => [join(dir, file), join(dir, 'onnx', file)].find((p) => existsSync(p) && statSync(p).isFile());
  return {
    describe: (file) => locate(file) ?? join(dir, file),
    open: async (file) => {
      const path = locate(file);
      return path ? createReadStream(path) : null;
    },
  };
}

function urlSource(base: string): ModelSource {
  const url = (file: string) => new URL(file, base.endsWith('/') ? base : `${base}/`).toString();
  return {
    describe: url,
    open: async (file) => {
      let res: Response;
      try {
        res = await fetch(url(file));
      } catch (err) {
        throw new ClipModelError(`Cannot download ${url(file)}: ${errorMessage(err)}`);
      }
      if (res.status === 404) return null;
      if (!res.ok || !res.body) throw new ClipModelError(`Cannot download ${url(file)}: HTTP ${res.status} ${res.statusText}`);
      return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    },
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function fetchFiles(source: ModelSource, staging: string): Promise<Record<string, FetchedFile>> {
  const files: Record<string, FetchedFile> = {};
  const take = async (file: string, required: boolean): Promise<boolean> => {
    const read = await source.open(file);
    if (!read) {
      if (required) throw new ClipModelError(`${source.describe(file)} is missing: a CLIP model folder holds ${CLIP_MODEL_LAYOUT}`);
      return false;
    }
    files[file] = await copyInto(read, join(staging, file), file.endsWith('.onnx'));
    return true;
  };
  await take(CLIP_VISION_FILE, true);
  await take(CLIP_TEXT_FILE, true);
  if (!(await take('tokenizer.json', false))) {
    const vocab = await take('vocab.json', false);
    const merges = await take('merges.txt', false);
    if (!vocab || !merges) {
      throw new ClipModelError(
        `No CLIP tokenizer at ${source.describe('')}: expected tokenizer.json, or vocab.json and merges.txt` +
          ` (missing ${[vocab ? null : 'vocab.json', merges ? null : 'merges.txt'].filter(Boolean).join(' and ')})`,
      );
    }
  }
  for (const file of OPTIONAL_FILES) await take(file, false);
  return files;
}

function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

/** Opens a tower, checks its names, dtypes and shapes, and runs one batch of 1. */
async function verifyTower(path: string, spec: TowerSpec, feeds: () => Record<string, ort.Tensor>): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (err) {
    throw new ClipModelError(
      `${spec.file} cannot be loaded by ONNX Runtime (truncated, or not an ONNX model): ${errorMessage(err).split('\n')[0]}`,
    );
  }
  try {
    for (const want of spec.inputs) {
      const meta = session.inputMetadata.find((m) => m.name === want.name);
      if (!meta) {
        throw new ClipModelError(
          `${spec.file} has no input "${want.name}" (its inputs: ${session.inputNames.join(', ')}); expected ${CLIP_MODEL_LAYOUT}`,
        );
      }
      if (!meta.isTensor || meta.type !== want.type) {
        throw new ClipModelError(
          `${spec.file} input "${want.name}" is ${meta.isTensor ? meta.type : 'not a tensor'}, expected ${want.type}`,
        );
      }
      // Leading dim is the batch (named or -1); the rest must be fixed at CLIP's sizes or free.
      const rest = meta.shape.slice(1);
      const fits =
        meta.shape.length === want.shape.length + 1 && rest.every((d, i) => typeof d === 'string' || d < 0 || d === want.shape[i]);
      if (!fits) {
        throw new ClipModelError(
          `${spec.file} input "${want.name}" has shape ${shapeText(meta.shape)}, expected [N,${want.shape.join(',')}]`,
        );
      }
    }
    if (!session.outputNames.includes(spec.output)) {
      throw new ClipModelError(
        `${spec.file} has no output "${spec.output}" (its outputs: ${session.outputNames.join(', ')}); expected ${CLIP_MODEL_LAYOUT}`,
      );
    }
    let out: ort.Tensor;
    try {
      out = (await session.run(feeds(), [spec.output]))[spec.output]!;
    } catch (err) {
      throw new ClipModelError(`${spec.file} failed on a batch of 1: ${errorMessage(err).split('\n')[0]}`);
    }
    if (out.type !== 'float32' || out.dims.length !== 2 || out.dims[0] !== 1 || out.dims[1] !== CLIP_EMBED_DIMS) {
      throw new ClipModelError(
        `${spec.file} output "${spec.output}" is ${out.type} ${shapeText(out.dims)} for a batch of 1, expected float32 [1,${CLIP_EMBED_DIMS}]`,
      );
    }
    if (!(out.data as Float32Array).every(Number.isFinite))
      throw new ClipModelError(`${spec.file} output "${spec.output}" has NaN or infinite values`);
  } finally {
    await session.release();
  }
}

async function verifyStaged(staging: string): Promise<void> {
  let tokenizer: ClipTokenizer;
  try {
    tokenizer = ClipTokenizer.fromDir(staging);
  } catch (err) {
    throw new ClipModelError(`The tokenizer files cannot be used: ${errorMessage(err)}`);
  }
  const pixels = () => ({
    pixel_values: new ort.Tensor('float32', new Float32Array(3 * CLIP_IMAGE_SIZE * CLIP_IMAGE_SIZE), [
      1,
      3,
      CLIP_IMAGE_SIZE,
      CLIP_IMAGE_SIZE,
    ]),
  });
  const text = () => {
    const t = tokenizer.encode('a photo');
    return {
      input_ids: new ort.Tensor('int64', t.inputIds, [1, CLIP_CONTEXT_LENGTH]),
      attention_mask: new ort.Tensor('int64', t.attentionMask, [1, CLIP_CONTEXT_LENGTH]),
    };
  };
  await verifyTower(join(staging, CLIP_VISION_FILE), VISION, pixels);
  await verifyTower(join(staging, CLIP_TEXT_FILE), TEXT, text);
}

function fromManifest(dir: string, m: ClipModelManifest): InstalledClipModel {
  return {
    name: m.name,
    dir,
    visionPath: join(dir, CLIP_VISION_FILE),
    textPath: join(dir, CLIP_TEXT_FILE),
    tokenizerDir: dir,
    precision: m.precision,
    towers: m.towers,
    dims: CLIP_EMBED_DIMS,
    files: m.files,
    installedAt: m.installedAt,
    source: m.source,
  };
}

function readManifest(dir: string): ClipModelManifest | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null; // an unreadable manifest means "not an installed model": listed by nobody
  }
  const parsed = manifestSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * Copies a CLIP model into `<modelsDir>/clip/<name>/` and makes it the active one. Files go to
 * a staging folder first; only a model whose tokenizer and both towers pass is renamed into
 * place, so a refused or interrupted install leaves nothing behind.
 */
export async function installClipModel(
  source: string,
  modelsDir: string,
  opts: { name?: string; now?: () => Date } = {},
): Promise<InstalledClipModel> {
  const name = opts.name ?? defaultName(source);
  if (!NAME_PATTERN.test(name)) {
    throw new ClipModelError(
      `"${name}" cannot name a model: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)`,
    );
  }
  const root = clipModelsDir(modelsDir);
  const target = join(root, name);
  if (existsSync(target)) {
    throw new ClipModelError(
      `A CLIP model named "${name}" is already installed in ${target}: pass --name to install this one under another name`,
    );
  }
  mkdirSync(root, { recursive: true });
  const staging = join(root, `.staging-${name}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    const fetched = await fetchFiles(isUrl(source) ? urlSource(source) : folderSource(source), staging);
    await verifyStaged(staging);
    const towers = {
      vision: fetched[CLIP_VISION_FILE]!.quantised ? ('int8' as const) : ('fp32' as const),
      text: fetched[CLIP_TEXT_FILE]!.quantised ? ('int8' as const) : ('fp32' as const),
    };
    const manifest: ClipModelManifest = {
      format: MANIFEST_FORMAT,
      kind: 'clip',
      name,
      source,
      dims: CLIP_EMBED_DIMS,
      precision: towers.vision === 'int8' || towers.text === 'int8' ? 'int8' : 'fp32',
      towers,
      installedAt: (opts.now?.() ?? new Date()).toISOString(),
      files: Object.fromEntries(Object.entries(fetched).map(([file, f]) => [file, { sha256: f.sha256, bytes: f.bytes }])),
    };
    writeFileSync(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(staging, target);
    setActiveClipModel(modelsDir, name);
    return fromManifest(target, manifest);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Installed models with a readable manifest, newest first. Staging folders are skipped. */
export function listClipModels(modelsDir: string): InstalledClipModel[] {
  const root = clipModelsDir(modelsDir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .flatMap((e) => {
      const dir = join(root, e.name);
      const m = readManifest(dir);
      return m ? [fromManifest(dir, m)] : [];
    })
    .sort((a, b) => b.installedAt.localeCompare(a.installedAt) || a.name.localeCompare(b.name));
}

const activeSchema = z.object({ name: z.string() });

export function setActiveClipModel(modelsDir: string, name: string): void {
  const root = clipModelsDir(modelsDir);
  if (!readManifest(join(root, name))) throw new ClipModelError(`No CLIP model named "${name}" is installed in ${root}`);
  const path = join(root, ACTIVE);
  const temp = `${path}.${process.pid}.part`;
  writeFileSync(temp, `${JSON.stringify({ name })}\n`);
  renameSync(temp, path);
}

/** Files present with the recorded sizes: cheap enough for every lookup. */
function filesPresent(model: InstalledClipModel): boolean {
  return Object.entries(model.files).every(([file, f]) => {
    const path = join(model.dir, file);
    return existsSync(path) && statSync(path).size === f.bytes;
  });
}

/**
 * The model scene search uses: the one named in active.json (written by each install), or
 * else the most recently installed one, skipping any whose files are gone or resized.
 */
export function activeClipModel(modelsDir: string): InstalledClipModel | null {
  const models = listClipModels(modelsDir).filter(filesPresent);
  const path = join(clipModelsDir(modelsDir), ACTIVE);
  if (existsSync(path)) {
    let chosen: string | undefined;
    try {
      chosen = activeSchema.safeParse(JSON.parse(readFileSync(path, 'utf8'))).data?.name;
    } catch {
      chosen = undefined; // a damaged active.json falls back to the newest model
    }
    const named = models.find((m) => m.name === chosen);
    if (named) return named;
  }
  return models[0] ?? null;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Re-checks every file against the manifest: size first (instant), then sha256. */
export async function verifyInstalledClipModel(model: InstalledClipModel): Promise<ClipModelVerification> {
  const problems: string[] = [];
  for (const [file, f] of Object.entries(model.files)) {
    const path = join(model.dir, file);
    if (!existsSync(path)) {
      problems.push(`${path} is missing`);
      continue;
    }
    const size = statSync(path).size;
    if (size !== f.bytes) {
      problems.push(`${path} is ${size} bytes, the manifest says ${f.bytes}`);
      continue;
    }
    if ((await sha256OfFile(path)) !== f.sha256)
      problems.push(`${path} does not match its sha256 in the manifest (file changed or damaged)`);
  }
  return { name: model.name, status: problems.length ? 'damaged' : 'verified', problems };
}
