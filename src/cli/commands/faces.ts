// `shutterfind faces IMG...` and `shutterfind verify A B`: the face engine on loose files, for
// photographers checking a shot and for scripts.
import { openFaceTools, SelfieError } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { human, UserFacingError } from '../output.js';

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface FacesReport {
  model: string;
  metric: 'cosine';
  threshold: number;
  images: {
    path: string;
    width?: number;
    height?: number;
    faces: { box: [number, number, number, number]; score: number; quality: number; embedding?: number[] }[];
    error?: string;
  }[];
}

export async function runFaces(ctx: CommandContext, paths: string[], withEmbeddings: boolean): Promise<FacesReport> {
  const tools = await openFaceTools(ctx.dataDir, ctx.log);
  const threshold = tools.match;
  try {
    const images: FacesReport['images'] = [];
    for (const path of paths) {
      try {
        const result = await tools.analyse(path);
        images.push({
          path,
          width: result.width,
          height: result.height,
          faces: result.faces.map((f) => ({
            box: [round(f.box.x, 1), round(f.box.y, 1), round(f.box.width, 1), round(f.box.height, 1)],
            score: round(f.score),
            quality: round(f.quality.overall),
            ...(withEmbeddings ? { embedding: Array.from(f.embedding, (v) => round(v, 6)) } : {}),
          })),
        });
      } catch (err) {
        // One unreadable file must not hide the others' results.
        images.push({ path, faces: [], error: (err as Error).message });
      }
    }
    return { model: threshold.model, metric: threshold.metric, threshold: threshold.threshold, images };
  } finally {
    await tools.close();
  }
}

export function formatFaces(report: FacesReport): string {
  return report.images
    .map((img) => {
      if (img.error) return human`✗ ${img.path}\n    ${img.error}`;
      const faces = img.faces.map(
        (f) => human`    face at ${f.box.map(Math.round).join(',')} (score ${f.score.toFixed(2)}, quality ${f.quality.toFixed(2)})`,
      );
      return [human`${img.path}: ${img.faces.length} face(s) in ${img.width}x${img.height}`, ...faces].join('\n');
    })
    .join('\n');
}

export interface VerifyReport {
  verified: boolean;
  distance: number;
  threshold: number;
  metric: 'cosine';
  model: string;
}

/** Whether two photos show the same person, each photo's dominant face compared. */
export async function runVerify(ctx: CommandContext, a: string, b: string): Promise<VerifyReport> {
  const tools = await openFaceTools(ctx.dataDir, ctx.log);
  const threshold = tools.match;
  try {
    let distance: number;
    try {
      distance = await tools.distance(a, b);
    } catch (err) {
      throw new UserFacingError(err instanceof SelfieError ? `${err.message}` : (err as Error).message, 2);
    }
    return {
      verified: distance <= threshold.threshold,
      distance: round(distance, 5),
      threshold: threshold.threshold,
      metric: 'cosine',
      model: threshold.model,
    };
  } finally {
    await tools.close();
  }
}
