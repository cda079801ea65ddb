// face-api's face recognition net (dlib's ResNet-34 style, 128-d) as an ONNX graph: raw RGB
// 150x150 aligned face in, the 128-d descriptor out (not normalised; callers L2-normalise).
import { OnnxGraph } from '../onnx-graph.js';
import { weight, type WeightMap } from '../tfjs-weights.js';
import { add, conv2d, normalizeInput, relu, type Tensor } from './layers.js';
import { FACE_MEAN_RGB } from './landmarks-68.js';
import { DESCRIPTOR_INPUT_SIZE } from './input-sizes.js';

/** conv + bias, then the scale layer (x*w + b), folded into one Conv. */
function convScaled(g: OnnxGraph, w: WeightMap, x: Tensor, prefix: string, stride: number, padding: 'same' | 'valid'): Tensor {
  const s = weight(w, `${prefix}/scale/weights`).data;
  const sb = weight(w, `${prefix}/scale/biases`).data;
  const b = weight(w, `${prefix}/conv/bias`).data;
  const bias = new Float32Array(b.length);
  for (let c = 0; c < b.length; c++) bias[c] = b[c]! * s[c]! + sb[c]!;
  return conv2d(g, x, weight(w, `${prefix}/conv/filters`), { stride, padding, scale: s, bias });
}

function residual(g: OnnxGraph, w: WeightMap, x: Tensor, prefix: string): Tensor {
  const out = relu(g, convScaled(g, w, x, `${prefix}/conv1`, 1, 'same'));
  return relu(g, add(g, convScaled(g, w, out, `${prefix}/conv2`, 1, 'same'), x));
}

function pad(g: OnnxGraph, x: Tensor, end: { channels: number; height: number; width: number }): Tensor {
  if (!end.channels && !end.height && !end.width) return x;
  const name = g.op('Pad', [x.name, g.int64s('pads', [0, 0, 0, 0, 0, end.channels, end.height, end.width])]);
  return {
    name,
    dims: { channels: x.dims.channels + end.channels, height: x.dims.height + end.height, width: x.dims.width + end.width },
  };
}

/** Strided residual: the shortcut is a 2x2 average pool, zero-padded to the new channel count. */
function residualDown(g: OnnxGraph, w: WeightMap, x: Tensor, prefix: string): Tensor {
  let out = relu(g, convScaled(g, w, x, `${prefix}/conv1`, 2, 'valid'));
  out = convScaled(g, w, out, `${prefix}/conv2`, 1, 'same');
  let pooled: Tensor = {
    name: g.op('AveragePool', [x.name], { kernel_shape: [2, 2], strides: [2, 2] }),
    dims: { channels: x.dims.channels, height: Math.floor(x.dims.height / 2), width: Math.floor(x.dims.width / 2) },
  };
  // face-api pads the conv path with a zero row and column when the two paths disagree in size.
  out = pad(g, out, {
    channels: 0,
    height: pooled.dims.height - out.dims.height,
    width: pooled.dims.width - out.dims.width,
  });
  pooled = pad(g, pooled, { channels: out.dims.channels - pooled.dims.channels, height: 0, width: 0 });
  return relu(g, add(g, pooled, out));
}

export function buildFaceDescriptor(w: WeightMap): Uint8Array {
  const g = new OnnxGraph('face_recognition_128');
  const input: Tensor = {
    name: g.input('face', ['batch', 3, DESCRIPTOR_INPUT_SIZE, DESCRIPTOR_INPUT_SIZE]),
    dims: { channels: 3, height: DESCRIPTOR_INPUT_SIZE, width: DESCRIPTOR_INPUT_SIZE },
  };
  let x = normalizeInput(g, input, FACE_MEAN_RGB, 1 / 255);
  x = relu(g, convScaled(g, w, x, 'conv32_down', 2, 'valid'));
  x = {
    name: g.op('MaxPool', [x.name], { kernel_shape: [3, 3], strides: [2, 2] }),
    dims: { channels: x.dims.channels, height: Math.floor((x.dims.height - 3) / 2) + 1, width: Math.floor((x.dims.width - 3) / 2) + 1 },
  };
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(g, w, x, p);
  x = residualDown(g, w, x, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(g, w, x, p);
  x = residualDown(g, w, x, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) x = residual(g, w, x, p);
  x = residualDown(g, w, x, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) x = residual(g, w, x, p);
  x = residualDown(g, w, x, 'conv256_down_out');
  const avg = g.op('ReduceMean', [x.name], { axes: [2, 3], keepdims: 0 });
  const fc = weight(w, 'fc');
  const [cin, cout] = fc.shape as [number, number];
  g.op('MatMul', [avg, g.constant('fc', [cin, cout], fc.data)], {}, 'descriptor');
  g.output('descriptor', ['batch', cout]);
  return g.toBytes();
}
