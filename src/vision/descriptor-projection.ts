// A fixed linear map from a network's descriptor (704 numbers for the two networks joined, 512 for
// the faceplugin network alone) to the 128 numbers that storage (sqlite-vec FLOAT[128]), the face
// index, sync and every calibrated threshold hold. Its rows are the principal axes of the
// descriptors of the calibration half of the face-identities set, as the engine makes them
// (bench:match --fit-projection; the held-out people never enter it). On held-out pairs, 128 axes
// of the joined descriptor keep same-person pairs accepted at 1 false match in 100,000 at 0.946
// against 0.944 for all 704 numbers; for the faceplugin network alone 0.905 against 0.918 for all
// 512, where a random 128-d projection keeps 0.843. Far fewer numbers also keep the kiosk's scan
// and the data dir as they were.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const projectionSchema = z.object({
  network: z.string(),
  from: z.number().int().positive(),
  to: z.number().int().positive(),
  /** Row-major `to x from` float32, little-endian, base64. */
  matrix: z.string(),
  method: z.string(),
  provenance: z.record(z.string(), z.unknown()).optional(),
});

export interface DescriptorProjection {
  network: string;
  from: number;
  to: number;
  /** Row-major, `to` rows of `from` numbers. */
  matrix: Float32Array;
}

export function parseDescriptorProjection(raw: unknown, where: string): DescriptorProjection {
  const parsed = projectionSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `The descriptor projection at ${where} is not valid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); reinstall Shutterfind.`,
    );
  const bytes = Buffer.from(parsed.data.matrix, 'base64');
  const { from, to } = parsed.data;
  if (bytes.byteLength !== from * to * 4)
    throw new Error(
      `The descriptor projection at ${where} holds ${bytes.byteLength} bytes, not ${from} x ${to} float32: reinstall Shutterfind.`,
    );
  const matrix = new Float32Array(from * to);
  for (let i = 0; i < matrix.length; i++) matrix[i] = bytes.readFloatLE(i * 4);
  return { network: parsed.data.network, from, to, matrix };
}

export function loadDescriptorProjection(dir: string, file: string): DescriptorProjection {
  const path = join(dir, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the descriptor projection at ${path} (${(err as Error).message}); reinstall Shutterfind.`, { cause: err });
  }
  return parseDescriptorProjection(raw, path);
}

/** The projected vector (not normalised). */
export function project(p: DescriptorProjection, v: Float32Array): Float32Array {
  if (v.length !== p.from) throw new RangeError(`The descriptor projection takes ${p.from} numbers, got ${v.length}`);
  const out = new Float32Array(p.to);
  for (let r = 0; r < p.to; r++) {
    let sum = 0;
    const row = r * p.from;
    for (let c = 0; c < p.from; c++) sum += p.matrix[row + c]! * v[c]!;
    out[r] = sum;
  }
  return out;
}

/** The matrix as stored: row-major float32, little-endian, base64. */
export function encodeProjectionMatrix(matrix: Float32Array): string {
  const bytes = Buffer.alloc(matrix.length * 4);
  matrix.forEach((x, i) => bytes.writeFloatLE(x, i * 4));
  return bytes.toString('base64');
}
