// TF.js (NHWC) layers expressed as ONNX (NCHW) nodes. Weight layouts are transposed here once,
// and TF's 'same' padding becomes explicit pads so the graphs run identically on every provider.
import { convOutSize, samePads, type Dims, type OnnxGraph } from '../onnx-graph.js';
import type { WeightTensor } from '../tfjs-weights.js';

export interface Tensor {
  name: string;
  dims: Dims;
}

export interface ConvOptions {
  stride: number;
  padding: 'same' | 'valid';
  /** Per-output-channel multiplier folded into the weights (batch-norm or scale layers). */
  scale?: Float32Array;
  bias?: Float32Array;
}

/** TF [kh, kw, in, out] → ONNX [out, in, kh, kw], optionally scaled per output channel. */
function transposeFilter(filter: WeightTensor, scale?: Float32Array): Float32Array {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const out = new Float32Array(filter.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          const v = filter.data[((y * kw + x) * cin + i) * cout + o]!;
          out[((o * cin + i) * kh + y) * kw + x] = scale ? v * scale[o]! : v;
        }
  return out;
}

function pads(dims: Dims, k: number, stride: number, padding: 'same' | 'valid'): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const [top, bottom] = samePads(dims.height, k, stride);
  const [left, right] = samePads(dims.width, k, stride);
  return [top, left, bottom, right];
}

export function conv2d(g: OnnxGraph, x: Tensor, filter: WeightTensor, opts: ConvOptions): Tensor {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  if (cin !== x.dims.channels) throw new Error(`conv2d: filter expects ${cin} channels, input has ${x.dims.channels}`);
  const w = g.constant('w', [cout, cin, kh, kw], transposeFilter(filter, opts.scale));
  const inputs = [x.name, w];
  if (opts.bias) inputs.push(g.constant('b', [cout], opts.bias));
  const name = g.op('Conv', inputs, {
    kernel_shape: [kh, kw],
    strides: [opts.stride, opts.stride],
    pads: pads(x.dims, kh, opts.stride, opts.padding),
  });
  return {
    name,
    dims: {
      channels: cout,
      height: convOutSize(x.dims.height, kh, opts.stride, opts.padding),
      width: convOutSize(x.dims.width, kw, opts.stride, opts.padding),
    },
  };
}

/** TF depthwise [kh, kw, in, 1] → ONNX grouped conv [in, 1, kh, kw]. */
export function depthwiseConv2d(g: OnnxGraph, x: Tensor, filter: WeightTensor, opts: ConvOptions): Tensor {
  const [kh, kw, cin, mult] = filter.shape as [number, number, number, number];
  if (mult !== 1 || cin !== x.dims.channels) throw new Error(`depthwiseConv2d: unsupported filter shape [${filter.shape.join(',')}]`);
  const w = new Float32Array(filter.data.length);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let c = 0; c < cin; c++) {
        const v = filter.data[(y * kw + xx) * cin + c]!;
        w[(c * kh + y) * kw + xx] = opts.scale ? v * opts.scale[c]! : v;
      }
  const inputs = [x.name, g.constant('dw', [cin, 1, kh, kw], w)];
  if (opts.bias) inputs.push(g.constant('db', [cin], opts.bias));
  const name = g.op('Conv', inputs, {
    kernel_shape: [kh, kw],
    strides: [opts.stride, opts.stride],
    pads: pads(x.dims, kh, opts.stride, opts.padding),
    group: cin,
  });
  return {
    name,
    dims: {
      channels: cin,
      height: convOutSize(x.dims.height, kh, opts.stride, opts.padding),
      width: convOutSize(x.dims.width, kw, opts.stride, opts.padding),
    },
  };
}

export const relu = (g: OnnxGraph, x: Tensor): Tensor => ({ name: g.op('Relu', [x.name]), dims: x.dims });

export function relu6(g: OnnxGraph, x: Tensor): Tensor {
  const lo = g.constant('zero', [], [0]);
  const hi = g.constant('six', [], [6]);
  return { name: g.op('Clip', [x.name, lo, hi]), dims: x.dims };
}

export function add(g: OnnxGraph, a: Tensor, b: Tensor): Tensor {
  return { name: g.op('Add', [a.name, b.name]), dims: a.dims };
}

/** Per-channel affine on the raw 0-255 NCHW input: (x - offset) * multiplier. */
export function normalizeInput(g: OnnxGraph, x: Tensor, offset: number[], multiplier: number): Tensor {
  const sub = g.constant('mean', [1, 3, 1, 1], offset);
  const mul = g.constant('mul', [], [multiplier]);
  return { name: g.op('Mul', [g.op('Sub', [x.name, sub]), mul]), dims: x.dims };
}

export function vector(w: WeightTensor, expected: number): Float32Array {
  if (w.data.length !== expected) throw new Error(`expected ${expected} values, weights have ${w.data.length}`);
  return w.data;
}
