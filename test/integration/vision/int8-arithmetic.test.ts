// The int8 detector's three kinds of convolution, built by the converter's own layer code and
// run by ONNX Runtime on this CPU, against exact integer arithmetic. On x86 CPUs without VNNI
// (most AVX2 laptops) ONNX Runtime adds pairs of u8 x s8 products in 16 bits with saturation;
// weights that overflowed there would make wrong outputs here, tens of levels off.
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ensureFaceModels } from '../../../src/vision/index.js';
import { OnnxGraph } from '../../../src/vision/onnx-graph.js';
import { sessionOptions } from '../../../src/vision/onnx-sessions.js';
import {
  dequantise,
  quantisedConv,
  quantiseFilter,
  type OnnxFilter,
  type QuantisedTensor,
} from '../../../src/vision/face-networks/layers.js';
import { seededRandom } from '../../support/random-vectors.js';

interface Layer {
  /** u8 activations, NCHW with batch 1. */
  input: Uint8Array;
  channels: number;
  size: number;
  inputQuantisation: { scale: number; zeroPoint: number };
  filter: OnnxFilter;
  stride: number;
}

/** The layer's uint8 outputs from exact integer sums, requantised to `output` (valid padding, no bias). */
function exactOutputs(layer: Layer, output: { scale: number; zeroPoint: number }): { values: number[]; real: number[] } {
  const { data: weights, scales } = quantiseFilter(layer.filter);
  const [cout, cinPerGroup, k] = layer.filter.shape;
  const depthwise = layer.filter.group > 1;
  const outSize = Math.floor((layer.size - k) / layer.stride) + 1;
  const values: number[] = [];
  const real: number[] = [];
  for (let o = 0; o < cout; o++)
    for (let oy = 0; oy < outSize; oy++)
      for (let ox = 0; ox < outSize; ox++) {
        let acc = 0;
        for (let i = 0; i < cinPerGroup; i++) {
          const channel = depthwise ? o : i;
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const x = layer.input[(channel * layer.size + oy * layer.stride + ky) * layer.size + ox * layer.stride + kx]!;
              acc += (x - layer.inputQuantisation.zeroPoint) * weights[((o * cinPerGroup + i) * k + ky) * k + kx]!;
            }
        }
        const r = acc * Math.fround(layer.inputQuantisation.scale) * scales[o]!;
        real.push(r);
        values.push(Math.min(255, Math.max(0, Math.round(r / output.scale) + output.zeroPoint)));
      }
  return { values, real };
}

/** The same layer as the detector builds it (QLinearConv), run by ONNX Runtime as ingest runs it. */
async function onnxOutputs(layer: Layer, output: { scale: number; zeroPoint: number }): Promise<number[]> {
  const g = new OnnxGraph('int8_layer');
  const dims = { channels: layer.channels, height: layer.size, width: layer.size };
  const name = g.op('QuantizeLinear', [
    g.input('x', [1, layer.channels, layer.size, layer.size]),
    g.constant('s', [], [1]),
    g.uint8Constant('zp', [], [0]),
  ]);
  const x: QuantisedTensor = { name, dims, ...layer.inputQuantisation };
  const y = quantisedConv(g, x, layer.filter, { stride: layer.stride, padding: 'valid', output });
  g.op('Identity', [dequantise(g, y).name], {}, 'y');
  g.output('y', [1, y.dims.channels, y.dims.height, y.dims.width]);
  const session = await ort.InferenceSession.create(g.toBytes(), sessionOptions('cpu', 1));
  try {
    const input = new ort.Tensor('float32', Float32Array.from(layer.input), [1, layer.channels, layer.size, layer.size]);
    const out = (await session.run({ x: input })).y!.data as Float32Array;
    return Array.from(out, (v) => Math.round(v / output.scale) + output.zeroPoint);
  } finally {
    await session.release();
  }
}

/** A layer with weights spread over the whole range, both signs, and activations drawn from [low, 255]. */
function makeLayer(kind: 'first' | 'depthwise' | 'pointwise', stride: number, seed: number): Layer {
  const next = seededRandom(seed);
  const shapes = {
    first: { channels: 3, cout: 32, k: 3, low: 0, quantisation: { scale: 1 / 127.5, zeroPoint: 128 } },
    depthwise: { channels: 64, cout: 64, k: 3, low: 160, quantisation: { scale: 6 / 255, zeroPoint: 0 } },
    pointwise: { channels: 256, cout: 64, k: 1, low: 160, quantisation: { scale: 6 / 255, zeroPoint: 0 } },
  } as const;
  const s = shapes[kind];
  const size = 9;
  const cinPerGroup = kind === 'depthwise' ? 1 : s.channels;
  const input = Uint8Array.from({ length: s.channels * size * size }, () => s.low + Math.floor(next() * (256 - s.low)));
  const data = Float32Array.from({ length: s.cout * cinPerGroup * s.k * s.k }, () => (next() * 2 - 1) * 0.05);
  return {
    input,
    channels: s.channels,
    size,
    inputQuantisation: s.quantisation,
    filter: { data, shape: [s.cout, cinPerGroup, s.k, s.k], group: kind === 'depthwise' ? s.channels : 1 },
    stride,
  };
}

describe('int8 detector arithmetic on this CPU', () => {
  it.each([
    ['the first convolution (raw pixels, 3x3, stride 2)', 'first', 2],
    ['a depthwise 3x3 convolution, stride 1', 'depthwise', 1],
    ['a depthwise 3x3 convolution, stride 2', 'depthwise', 2],
    ['a pointwise 1x1 convolution over 256 channels', 'pointwise', 1],
  ] as const)('%s matches exact integer sums', async (_label, kind, stride) => {
    const layer = makeLayer(kind, stride, 7);
    // An output range that holds every exact result, so no error hides in clipping.
    const spread = Math.max(...exactOutputs(layer, { scale: 1, zeroPoint: 0 }).real.map(Math.abs));
    const output = { scale: spread / 120, zeroPoint: 128 };
    const expected = exactOutputs(layer, output).values;
    const actual = await onnxOutputs(layer, output);
    expect(actual.length).toBe(expected.length);
    // Rounding may differ by one level; a saturated pair of products is off by ten or more.
    const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!)));
    expect(worst).toBeLessThanOrEqual(1);
    // The outputs cover the range: the comparison is not between two constants.
    expect(new Set(expected).size).toBeGreaterThan(50);
  });
});

describe('the shipped int8 detector', () => {
  // On a CPU with VNNI the sums above are exact whatever the weights, so the file is also checked
  // directly: a CI machine with VNNI must still catch weights that would overflow elsewhere.
  it('keeps full and 1x1 convolution weights within +-63 and depthwise ones within +-127, using the range', async () => {
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(readFileSync((await ensureFaceModels()).detectorInt8));
    const graph = model.graph!;
    const initialisers = new Map(graph.initializer!.map((t) => [t.name!, t]));
    const widest = { matrix: 0, depthwise: 0 };
    let convs = 0;
    for (const node of graph.node!) {
      if (node.opType !== 'QLinearConv') continue;
      convs++;
      const weights = initialisers.get(node.input![3]!)!;
      expect(weights.dataType).toBe(onnx.TensorProto.DataType.INT8);
      const raw = weights.rawData!;
      const values = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      const group = Number(node.attribute!.find((a) => a.name === 'group')?.i ?? 1);
      const kind = group > 1 ? 'depthwise' : 'matrix';
      for (const v of values) widest[kind] = Math.max(widest[kind], Math.abs(v));
    }
    // 13 depthwise, 13 pointwise, the first convolution and 8 extra layers.
    expect(convs).toBe(35);
    expect(widest).toEqual({ matrix: 63, depthwise: 127 });
  });
});
