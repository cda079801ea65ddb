// TF.js (NHWC) layers expressed as ONNX (NCHW) nodes. Weight layouts are transposed here once,
// and TF's 'same' padding becomes explicit pads so the graphs run identically on every provider.
import { convOutSize, samePads, type Dims, type OnnxGraph } from '../onnx-graph.js';
import type { WeightTensor } from '../tfjs-weights.js';

export interface Tensor {
  name: string;
  dims: Dims;
}

/**
 * 'same' pads explicitly for the graph's fixed input size; 'same-any-size' gives the graph an
 * input of any size: stride-1 pads do not depend on it, and strided ones become auto_pad
 * SAME_UPPER, which is TF's 'same' (the extra pixel at the end) computed at run time.
 */
export type Padding = 'same' | 'same-any-size' | 'valid';

export interface ConvOptions {
  stride: number;
  padding: Padding;
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

function padAttrs(dims: Dims, k: number, stride: number, padding: Padding): { pads: number[] } | { auto_pad: string } {
  if (padding === 'valid') return { pads: [0, 0, 0, 0] };
  if (padding === 'same-any-size') {
    if (stride > 1) return { auto_pad: 'SAME_UPPER' };
    const begin = Math.floor((k - 1) / 2);
    return { pads: [begin, begin, k - 1 - begin, k - 1 - begin] };
  }
  const [top, bottom] = samePads(dims.height, k, stride);
  const [left, right] = samePads(dims.width, k, stride);
  return { pads: [top, left, bottom, right] };
}

const outSize = (size: number, k: number, stride: number, padding: Padding) =>
  convOutSize(size, k, stride, padding === 'valid' ? 'valid' : 'same');

/** A conv's weights in ONNX layout [out, in/group, kh, kw], with what the node needs to know. */
export interface OnnxFilter {
  data: Float32Array;
  shape: [number, number, number, number];
  group: number;
}

export function convFilter(x: Tensor, filter: WeightTensor, scale?: Float32Array): OnnxFilter {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  if (cin !== x.dims.channels) throw new Error(`conv2d: filter expects ${cin} channels, input has ${x.dims.channels}`);
  return { data: transposeFilter(filter, scale), shape: [cout, cin, kh, kw], group: 1 };
}

export function conv2d(g: OnnxGraph, x: Tensor, filter: WeightTensor, opts: ConvOptions): Tensor {
  return filterConv(g, x, convFilter(x, filter, opts.scale), opts);
}

/** Shape of a convolution's output: cout channels, each side by its kernel, stride and padding. */
function convOutDims(
  input: Tensor['dims'],
  cout: number,
  kh: number,
  kw: number,
  opts: Pick<ConvOptions, 'stride' | 'padding'>,
): Tensor['dims'] {
  return {
    channels: cout,
    height: outSize(input.height, kh, opts.stride, opts.padding),
    width: outSize(input.width, kw, opts.stride, opts.padding),
  };
}

/** A float Conv node from ONNX-layout weights. */
export function filterConv(g: OnnxGraph, x: Tensor, filter: OnnxFilter, opts: Pick<ConvOptions, 'stride' | 'padding' | 'bias'>): Tensor {
  const [cout, , kh, kw] = filter.shape;
  const inputs = [x.name, g.constant(filter.group > 1 ? 'dw' : 'w', filter.shape, filter.data)];
  if (opts.bias) inputs.push(g.constant(filter.group > 1 ? 'db' : 'b', [cout], opts.bias));
  const name = g.op('Conv', inputs, {
    kernel_shape: [kh, kw],
    strides: [opts.stride, opts.stride],
    ...padAttrs(x.dims, kh, opts.stride, opts.padding),
    ...(filter.group > 1 ? { group: filter.group } : {}),
  });
  return { name, dims: convOutDims(x.dims, cout, kh, kw, opts) };
}

/** TF depthwise [kh, kw, in, 1] → ONNX grouped conv weights [in, 1, kh, kw]. */
export function depthwiseFilter(x: Tensor, filter: WeightTensor, scale?: Float32Array): OnnxFilter {
  const [kh, kw, cin, mult] = filter.shape as [number, number, number, number];
  if (mult !== 1 || cin !== x.dims.channels) throw new Error(`depthwiseConv2d: unsupported filter shape [${filter.shape.join(',')}]`);
  const w = new Float32Array(filter.data.length);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let c = 0; c < cin; c++) {
        const v = filter.data[(y * kw + xx) * cin + c]!;
        w[(c * kh + y) * kw + xx] = scale ? v * scale[c]! : v;
      }
  return { data: w, shape: [cin, 1, kh, kw], group: cin };
}

export function depthwiseConv2d(g: OnnxGraph, x: Tensor, filter: WeightTensor, opts: ConvOptions): Tensor {
  return filterConv(g, x, depthwiseFilter(x, filter, opts.scale), opts);
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

/** A uint8 tensor with its quantisation: real value = (q - zeroPoint) * scale. */
export interface QuantisedTensor extends Tensor {
  scale: number;
  zeroPoint: number;
}

/** ReLU6 outputs span exactly [0, 6], so they quantise without calibration, and the clip is free. */
export const RELU6_RANGE = { scale: 6 / 255, zeroPoint: 0 } as const;

/**
 * Weight levels per side, by the kernel ONNX Runtime runs. Its u8s8 matrix kernels on x86 CPUs
 * without VNNI (AVX2, AVX-512 before Cascade Lake) add each pair of u8 x s8 products in 16 bits
 * with saturation: 255 x 127 x 2 overflows, 255 x 63 x 2 = 32130 does not. So full and 1x1
 * convolutions keep 7 bits (+-63), which makes the same model exact on every CPU. Depthwise
 * convolutions run in a kernel that widens to 16 bits and adds in 32, so they keep all 8: with 9
 * weights per channel they are where a lost bit costs most (all-7-bit lost 2 of 19 small faces
 * in the crowd test; this mix lost none). int8-arithmetic.test.ts checks both on the CPU at hand.
 */
const MATRIX_WEIGHT_LEVELS = 63;
const DEPTHWISE_WEIGHT_LEVELS = 127;

export function quantiseFilter(filter: OnnxFilter): { data: Int8Array; scales: Float32Array } {
  const [cout] = filter.shape;
  const per = filter.data.length / cout;
  const levels = filter.group > 1 ? DEPTHWISE_WEIGHT_LEVELS : MATRIX_WEIGHT_LEVELS;
  const data = new Int8Array(filter.data.length);
  const scales = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    let max = 0;
    for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(filter.data[o * per + i]!));
    const scale = max > 0 ? max / levels : 1;
    scales[o] = scale;
    for (let i = 0; i < per; i++) data[o * per + i] = Math.round(filter.data[o * per + i]! / scale);
  }
  return { data, scales };
}

export interface QuantisedConvOptions {
  stride: number;
  padding: Padding;
  bias?: Float32Array;
  output: { scale: number; zeroPoint: number };
}

/** QLinearConv: uint8 activations, int8 per-channel weights, int32 bias; saturates to the output range. */
export function quantisedConv(g: OnnxGraph, x: QuantisedTensor, filter: OnnxFilter, opts: QuantisedConvOptions): QuantisedTensor {
  const [cout, , kh, kw] = filter.shape;
  const { data, scales } = quantiseFilter(filter);
  // Stored as float32 then read back, so the bias is quantised with exactly the scales the node sees.
  const storedScales = Float32Array.from(scales);
  const bias = new Int32Array(cout);
  if (opts.bias) for (let o = 0; o < cout; o++) bias[o] = Math.round(opts.bias[o]! / (Math.fround(x.scale) * storedScales[o]!));
  const name = g.op(
    'QLinearConv',
    [
      x.name,
      g.constant('x_scale', [], [x.scale]),
      g.uint8Constant('x_zp', [], [x.zeroPoint]),
      g.int8Constant('qw', filter.shape, data),
      g.constant('w_scale', [cout], storedScales),
      g.int8Constant('w_zp', [cout], new Int8Array(cout)),
      g.constant('y_scale', [], [opts.output.scale]),
      g.uint8Constant('y_zp', [], [opts.output.zeroPoint]),
      g.int32Constant('qb', [cout], bias),
    ],
    {
      kernel_shape: [kh, kw],
      strides: [opts.stride, opts.stride],
      ...padAttrs(x.dims, kh, opts.stride, opts.padding),
      group: filter.group,
    },
  );
  return { name, dims: convOutDims(x.dims, cout, kh, kw, opts), ...opts.output };
}

export function dequantise(g: OnnxGraph, x: QuantisedTensor): Tensor {
  const name = g.op('DequantizeLinear', [x.name, g.constant('dq_scale', [], [x.scale]), g.uint8Constant('dq_zp', [], [x.zeroPoint])]);
  return { name, dims: x.dims };
}
