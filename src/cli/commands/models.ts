// `shutterfind models add <dir|url>` and `shutterfind models list`: the CLIP model that turns
// scene search on, installed into the data dir after its files and both towers are checked.
import { existsSync } from 'node:fs';
import { dataDirLayout } from '../../config/index.js';
import {
  activeClipModel,
  CLIP_MODEL_LAYOUT,
  ClipModelError,
  installClipModel,
  listClipModels,
  type ClipPrecision,
  type InstalledClipModel,
} from '../../vision/index.js';
import type { CommandContext } from '../context.js';
import { withEngineEdits } from '../engine-access.js';
import { human, UserFacingError } from '../output.js';

export interface ModelSummary {
  kind: 'clip';
  name: string;
  active: boolean;
  precision: ClipPrecision;
  towers: { vision: ClipPrecision; text: ClipPrecision };
  dims: number;
  dir: string;
  source: string;
  installedAt: string;
  files: { file: string; bytes: number; sha256: string }[];
}

export interface ModelsAddReport {
  installed: ModelSummary;
  /** What was checked before the model was moved into place. */
  verified: string[];
}

export interface ModelsListReport {
  modelsDir: string;
  models: ModelSummary[];
  /** null when no CLIP model is installed: scene search is off. */
  active: string | null;
}

function summarise(m: InstalledClipModel, activeName: string | null): ModelSummary {
  return {
    kind: 'clip',
    name: m.name,
    active: m.name === activeName,
    precision: m.precision,
    towers: m.towers,
    dims: m.dims,
    dir: m.dir,
    source: m.source,
    installedAt: m.installedAt,
    files: Object.entries(m.files).map(([file, f]) => ({ file, bytes: f.bytes, sha256: f.sha256 })),
  };
}

export async function runModelsAdd(ctx: CommandContext, source: string, name?: string): Promise<ModelsAddReport> {
  const modelsDir = dataDirLayout(ctx.dataDir).models;
  let model: InstalledClipModel;
  try {
    model = await installClipModel(source, modelsDir, name === undefined ? {} : { name });
  } catch (err) {
    if (err instanceof ClipModelError) throw new UserFacingError(`CLIP model not installed: ${err.message}`);
    throw err;
  }
  ctx.log.info({ model: model.name, dir: model.dir, precision: model.precision }, 'CLIP model installed');
  return {
    installed: summarise(model, activeClipModel(modelsDir)?.name ?? null),
    verified: [
      'vision_model.onnx: input pixel_values float32 [N,3,224,224], output image_embeds float32 [1,512] on a test batch',
      'text_model.onnx: inputs input_ids and attention_mask int64 [N,77], output text_embeds float32 [1,512] on a test batch',
      'tokenizer: CLIP start/end tokens present, test text encoded to 77 tokens',
      `sha256 recorded for ${Object.keys(model.files).length} file(s) in manifest.json`,
    ],
  };
}

export function runModelsList(ctx: CommandContext): ModelsListReport {
  const modelsDir = dataDirLayout(ctx.dataDir).models;
  const active = activeClipModel(modelsDir)?.name ?? null;
  return { modelsDir, models: listClipModels(modelsDir).map((m) => summarise(m, active)), active };
}

const size = (bytes: number) => (bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);

function formatModel(m: ModelSummary): string[] {
  const total = m.files.reduce((sum, f) => sum + f.bytes, 0);
  return [
    human`${m.active ? '*' : ' '} ${m.name}  CLIP ${m.precision} (vision ${m.towers.vision}, text ${m.towers.text}), ${m.dims}-d, ${size(total)}`,
    human`    ${m.dir}`,
    human`    installed ${m.installedAt} from ${m.source}`,
  ];
}

export function formatModels(report: ModelsAddReport | ModelsListReport): string {
  if ('installed' in report) {
    return [
      human`Installed CLIP model "${report.installed.name}"${report.installed.active ? ' (active: scene search is on)' : ''}`,
      ...formatModel(report.installed),
      'Verified:',
      ...report.verified.map((v) => human`  ✓ ${v}`),
    ].join('\n');
  }
  if (!report.models.length) {
    return [
      human`No CLIP model installed in ${report.modelsDir}: scene search is off.`,
      'Turn it on with `shutterfind models add <dir|url>`, a folder or base URL holding',
      human`  ${CLIP_MODEL_LAYOUT}.`,
    ].join('\n');
  }
  return [human`CLIP models in ${report.modelsDir} (* = active):`, ...report.models.flatMap(formatModel)].join('\n');
}

/**
 * Scene-search back-fill for every event's earlier photos (low priority, behind new photos), by
 * the engine that owns the data dir: a running `serve` notices the new model within seconds and
 * queues it itself; otherwise the jobs are queued here and the next `serve` or `ingest` runs them.
 */
export async function queueSceneBackfill(ctx: CommandContext): Promise<{ via: 'serve' | 'engine' | 'none'; queued: number }> {
  if (!existsSync(dataDirLayout(ctx.dataDir).database)) return { via: 'none', queued: 0 };
  return withEngineEdits(ctx, async (edits) => ({ via: edits.via, queued: await edits.queueSceneBackfill() }));
}
