// face-api's SSD MobileNetV1 face detector as an ONNX graph: raw RGB of any size in (trained at
// 512x512; dims are computed for that size), box encodings per anchor and face scores out.
// Anchor decoding (ssd-anchors.ts) and NMS stay in TypeScript.
import { OnnxGraph } from '../onnx-graph.js';
import { weight, type WeightMap } from '../tfjs-weights.js';
import {
  conv2d,
  convFilter,
  depthwiseFilter,
  dequantise,
  filterConv,
  normalizeInput,
  quantisedConv,
  relu6,
  RELU6_RANGE,
  type OnnxFilter,
  type QuantisedTensor,
  type Tensor,
} from './layers.js';

export const SSD_INPUT_SIZE = 512;
const BN_EPSILON = 0.0010000000474974513;

export type DetectorPrecision = 'float32' | 'int8';

/** A conv layer followed by ReLU6, in float or as QLinearConv (whose uint8 output range is the clip). */
type Relu6Conv<T extends Tensor> = (x: T, filter: OnnxFilter, stride: number, bias: Float32Array) => T;

function pointwiseFilter(w: WeightMap, x: Tensor, prefix: string): { filter: OnnxFilter; bias: Float32Array } {
  return { filter: convFilter(x, weight(w, `${prefix}/weights`)), bias: weight(w, `${prefix}/convolution_bn_offset`).data };
}

function pointwise<T extends Tensor>(conv: Relu6Conv<T>, w: WeightMap, x: T, prefix: string, stride: number): T {
  const { filter, bias } = pointwiseFilter(w, x, prefix);
  return conv(x, filter, stride, bias);
}

function depthwise<T extends Tensor>(conv: Relu6Conv<T>, w: WeightMap, x: T, idx: number, stride: number): T {
  const p = `MobilenetV1/Conv2d_${idx}_depthwise`;
  const gamma = weight(w, `${p}/BatchNorm/gamma`).data;
  const beta = weight(w, `${p}/BatchNorm/beta`).data;
  const mean = weight(w, `${p}/BatchNorm/moving_mean`).data;
  const variance = weight(w, `${p}/BatchNorm/moving_variance`).data;
  // Batch norm folded into the depthwise weights: y = conv(x)*s + (beta - mean*s).
  const scale = new Float32Array(gamma.length);
  const bias = new Float32Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) {
    scale[c] = gamma[c]! / Math.sqrt(variance[c]! + BN_EPSILON);
    bias[c] = beta[c]! - mean[c]! * scale[c]!;
  }
  return conv(x, depthwiseFilter(x, weight(w, `${p}/depthwise_weights`), scale), stride, bias);
}

function boxPredictor(g: OnnxGraph, w: WeightMap, x: Tensor, idx: number): { boxes: string; classes: string; anchors: number } {
  const p = `Prediction/BoxPredictor_${idx}`;
  const head = (kind: string, per: number) => {
    const conv = conv2d(g, x, weight(w, `${p}/${kind}/weights`), {
      stride: 1,
      padding: 'same-any-size',
      bias: weight(w, `${p}/${kind}/biases`).data,
    });
    // TF reshapes in NHWC order, so go to NHWC before flattening the anchors.
    const nhwc = g.op('Transpose', [conv.name], { perm: [0, 2, 3, 1] });
    return {
      name: g.op('Reshape', [nhwc, g.int64s('shape', [0, -1, per])]),
      count: (conv.dims.channels / per) * conv.dims.height * conv.dims.width,
    };
  };
  const boxes = head('BoxEncodingPredictor', 4);
  const classes = head('ClassPredictor', 3);
  return { boxes: boxes.name, classes: classes.name, anchors: boxes.count };
}

/** The backbone and the extra feature layers, whatever the precision, up to the six head inputs. */
function featureMaps<T extends Tensor>(conv: Relu6Conv<T>, w: WeightMap, first: T): T[] {
  let x = first;
  let conv11: T | undefined;
  for (let idx = 1; idx <= 13; idx++) {
    x = depthwise(conv, w, x, idx, [2, 4, 6, 12].includes(idx) ? 2 : 1);
    x = pointwise(conv, w, x, `MobilenetV1/Conv2d_${idx}_pointwise`, 1);
    if (idx === 11) conv11 = x;
  }
  if (!conv11) throw new Error('MobileNetV1: layer 11 missing');
  const pred: T[] = [];
  let y = x;
  for (let i = 0; i <= 7; i++) {
    y = pointwise(conv, w, y, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    pred.push(y);
  }
  return [conv11, x, pred[1]!, pred[3]!, pred[5]!, pred[7]!];
}

function floatFeatureMaps(g: OnnxGraph, w: WeightMap, input: Tensor): Tensor[] {
  const conv: Relu6Conv<Tensor> = (x, filter, stride, bias) =>
    relu6(g, filterConv(g, x, filter, { stride, padding: 'same-any-size', bias }));
  const first = pointwise(conv, w, normalizeInput(g, input, [127.5, 127.5, 127.5], 1 / 127.5), 'MobilenetV1/Conv2d_0_pointwise', 2);
  return featureMaps(conv, w, first);
}

/**
 * The same network with every ReLU6 conv as QLinearConv (uint8 activations in [0, 6], int8
 * per-channel weights): about 2x faster on CPUs with int8 dot products. The box and class heads
 * stay float, on dequantised feature maps, so the box regression keeps its precision.
 */
function int8FeatureMaps(g: OnnxGraph, w: WeightMap, input: Tensor): Tensor[] {
  // Measured on the samples' tiles: every ReLU6 layer reaches 6 (most at the 99.99th percentile),
  // so calibrating narrower ranges would gain nothing.
  const conv: Relu6Conv<QuantisedTensor> = (x, filter, stride, bias) =>
    quantisedConv(g, x, filter, { stride, padding: 'same-any-size', bias, output: RELU6_RANGE });
  // Raw pixels 0..255 are exact in uint8. The net wants (p - 127.5) / 127.5, but a zero point
  // must be an integer: with 128 every input is 0.5/127.5 low, which the first bias makes up for
  // (exact away from the zero padding at the border).
  const pixels: QuantisedTensor = {
    name: g.op('QuantizeLinear', [input.name, g.constant('in_scale', [], [1]), g.uint8Constant('in_zp', [], [0])]),
    dims: input.dims,
    scale: 1,
    zeroPoint: 0,
  };
  const quantisedInput: QuantisedTensor = { ...pixels, scale: 1 / 127.5, zeroPoint: 128 };
  const { filter, bias } = pointwiseFilter(w, input, 'MobilenetV1/Conv2d_0_pointwise');
  const [cout] = filter.shape;
  const per = filter.data.length / cout;
  const compensated = Float32Array.from(bias, (b, o) => {
    let sum = 0;
    for (let i = 0; i < per; i++) sum += filter.data[o * per + i]!;
    return b + (0.5 / 127.5) * sum;
  });
  const first = conv(quantisedInput, filter, 2, compensated);
  return featureMaps(conv, w, first).map((t) => dequantise(g, t));
}

export function buildSsdMobilenetV1(w: WeightMap, precision: DetectorPrecision = 'float32'): Uint8Array {
  const g = new OnnxGraph(precision === 'int8' ? 'ssd_mobilenetv1_face_int8' : 'ssd_mobilenetv1_face');
  const input: Tensor = {
    name: g.input('image', ['batch', 3, 'height', 'width']),
    dims: { channels: 3, height: SSD_INPUT_SIZE, width: SSD_INPUT_SIZE },
  };
  const sources = precision === 'int8' ? int8FeatureMaps(g, w, input) : floatFeatureMaps(g, w, input);
  const heads = sources.map((s, i) => boxPredictor(g, w, s, i));
  const anchorCount = heads.reduce((n, h) => n + h.anchors, 0);

  g.op(
    'Concat',
    heads.map((h) => h.boxes),
    { axis: 1 },
    'encodings',
  );
  const classes = g.op(
    'Concat',
    heads.map((h) => h.classes),
    { axis: 1 },
  );
  const faceScore = g.op('Sigmoid', [g.op('Slice', [classes, g.int64s('s', [1]), g.int64s('e', [2]), g.int64s('ax', [2])])]);
  g.op('Reshape', [faceScore, g.int64s('shape', [0, -1])], {}, 'scores');

  // Anchors are not baked in: they depend on the input size. ssd-anchors.ts makes them for the
  // size run (a test checks them against the trained 512x512 set shipped in the weights).
  const anchors = weight(w, 'Output/extra_dim');
  if (anchors.data.length !== anchorCount * 4)
    throw new Error(`SSD anchors: ${anchors.data.length / 4} in weights, ${anchorCount} in graph`);
  g.output('encodings', ['batch', 'anchors', 4]);
  g.output('scores', ['batch', 'anchors']);
  return g.toBytes();
}
