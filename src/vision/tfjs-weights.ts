// Reads a TF.js weights manifest (as shipped by @vladmandic/face-api) into plain float arrays,
// dequantising uint8/uint16 entries (value = min + q * scale) so graphs can be built from them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const quantizationSchema = z.object({
  dtype: z.enum(['uint8', 'uint16', 'float16']),
  scale: z.number().optional(),
  min: z.number().optional(),
});

const manifestSchema = z.array(
  z.object({
    paths: z.array(z.string()),
    weights: z.array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        dtype: z.enum(['float32', 'int32']),
        quantization: quantizationSchema.optional(),
      }),
    ),
  }),
);

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

export type WeightMap = ReadonlyMap<string, WeightTensor>;

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

export function loadTfjsWeights(manifestPath: string): WeightMap {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  const weights = new Map<string, WeightTensor>();
  for (const group of manifest) {
    const buffers = group.paths.map((p) => readFileSync(join(dirname(manifestPath), p)));
    const bytes = Buffer.concat(buffers);
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const storedAs = w.quantization?.dtype ?? w.dtype;
      const size = count * (BYTES[storedAs] ?? 4);
      if (offset + size > bytes.length) {
        throw new Error(
          `Weights file for ${manifestPath} is shorter than its manifest says (at ${w.name}); reinstall @vladmandic/face-api.`,
        );
      }
      const view = bytes.subarray(offset, offset + size);
      weights.set(w.name, { shape: w.shape, data: decode(view, storedAs, count, w.quantization) });
      offset += size;
    }
  }
  return weights;
}

function decode(view: Buffer, storedAs: string, count: number, q?: z.infer<typeof quantizationSchema>): Float32Array {
  const out = new Float32Array(count);
  if (storedAs === 'uint8' || storedAs === 'uint16') {
    const scale = q?.scale ?? 1;
    const min = q?.min ?? 0;
    for (let i = 0; i < count; i++) out[i] = min + (storedAs === 'uint8' ? view[i]! : view.readUInt16LE(i * 2)) * scale;
    return out;
  }
  if (storedAs === 'float16') throw new Error('float16-quantised TF.js weights are not supported');
  const aligned = new Uint8Array(view).buffer;
  if (storedAs === 'int32') {
    const ints = new Int32Array(aligned);
    for (let i = 0; i < count; i++) out[i] = ints[i]!;
    return out;
  }
  out.set(new Float32Array(aligned));
  return out;
}

export function weight(map: WeightMap, name: string): WeightTensor {
  const w = map.get(name);
  if (!w) throw new Error(`Weight "${name}" is missing from the face-api model files; reinstall @vladmandic/face-api.`);
  return w;
}
