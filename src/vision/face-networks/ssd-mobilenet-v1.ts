// face-api's SSD MobileNetV1 face detector as an ONNX graph: raw RGB 512x512 in, decoded boxes
// ([ymin, xmin, ymax, xmax] relative to the input) and face scores out. NMS stays in TypeScript.
import { OnnxGraph } from '../onnx-graph.js';
import { weight, type WeightMap } from '../tfjs-weights.js';
import { conv2d, depthwiseConv2d, normalizeInput, relu6, type Tensor } from './layers.js';

export const SSD_INPUT_SIZE = 512;
const BN_EPSILON = 0.0010000000474974513;

function pointwise(g: OnnxGraph, w: WeightMap, x: Tensor, prefix: string, stride: number): Tensor {
  const out = conv2d(g, x, weight(w, `${prefix}/weights`), {
    stride,
    padding: 'same',
    bias: weight(w, `${prefix}/convolution_bn_offset`).data,
  });
  return relu6(g, out);
}

function depthwise(g: OnnxGraph, w: WeightMap, x: Tensor, idx: number, stride: number): Tensor {
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
  return relu6(g, depthwiseConv2d(g, x, weight(w, `${p}/depthwise_weights`), { stride, padding: 'same', scale, bias }));
}

function boxPredictor(g: OnnxGraph, w: WeightMap, x: Tensor, idx: number): { boxes: string; classes: string; anchors: number } {
  const p = `Prediction/BoxPredictor_${idx}`;
  const head = (kind: string, per: number) => {
    const conv = conv2d(g, x, weight(w, `${p}/${kind}/weights`), {
      stride: 1,
      padding: 'same',
      bias: weight(w, `${p}/${kind}/biases`).data,
    });
    // TF reshapes in NHWC order, so go to NHWC before flattening the anchors.
    const nhwc = g.op('Transpose', [conv.name], { perm: [0, 2, 3, 1] });
    return { name: g.op('Reshape', [nhwc, g.int64s('shape', [0, -1, per])]), count: (conv.dims.channels / per) * conv.dims.height * conv.dims.width };
  };
  const boxes = head('BoxEncodingPredictor', 4);
  const classes = head('ClassPredictor', 3);
  return { boxes: boxes.name, classes: classes.name, anchors: boxes.count };
}

export function buildSsdMobilenetV1(w: WeightMap): Uint8Array {
  const g = new OnnxGraph('ssd_mobilenetv1_face');
  const input: Tensor = {
    name: g.input('image', ['batch', 3, SSD_INPUT_SIZE, SSD_INPUT_SIZE]),
    dims: { channels: 3, height: SSD_INPUT_SIZE, width: SSD_INPUT_SIZE },
  };
  let x = pointwise(g, w, normalizeInput(g, input, [127.5, 127.5, 127.5], 1 / 127.5), 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: Tensor | undefined;
  for (let idx = 1; idx <= 13; idx++) {
    x = depthwise(g, w, x, idx, [2, 4, 6, 12].includes(idx) ? 2 : 1);
    x = pointwise(g, w, x, `MobilenetV1/Conv2d_${idx}_pointwise`, 1);
    if (idx === 11) conv11 = x;
  }
  if (!conv11) throw new Error('MobileNetV1: layer 11 missing');

  const pred: Tensor[] = [];
  let y = x;
  for (let i = 0; i <= 7; i++) {
    y = pointwise(g, w, y, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    pred.push(y);
  }
  const sources = [conv11, x, pred[1]!, pred[3]!, pred[5]!, pred[7]!];
  const heads = sources.map((s, i) => boxPredictor(g, w, s, i));
  const anchorCount = heads.reduce((n, h) => n + h.anchors, 0);

  const encodings = g.op('Concat', heads.map((h) => h.boxes), { axis: 1 });
  const classes = g.op('Concat', heads.map((h) => h.classes), { axis: 1 });

  const scores = g.op(
    'Reshape',
    [g.op('Sigmoid', [g.op('Slice', [classes, g.int64s('s', [1]), g.int64s('e', [2]), g.int64s('ax', [2])])]), g.int64s('shape', [0, -1])],
    {},
    'scores',
  );

  // Anchor decoding exactly as face-api's outputLayer, with anchor sizes and centres precomputed.
  const anchors = weight(w, 'Output/extra_dim');
  if (anchors.data.length !== anchorCount * 4) throw new Error(`SSD anchors: ${anchors.data.length / 4} in weights, ${anchorCount} in graph`);
  const sizes = new Float32Array(anchorCount * 2);
  const centres = new Float32Array(anchorCount * 2);
  for (let a = 0; a < anchorCount; a++) {
    const [y0, x0, y1, x1] = [0, 1, 2, 3].map((k) => anchors.data[a * 4 + k]!) as [number, number, number, number];
    sizes[a * 2] = y1 - y0;
    sizes[a * 2 + 1] = x1 - x0;
    centres[a * 2] = y0 + (y1 - y0) / 2;
    centres[a * 2 + 1] = x0 + (x1 - x0) / 2;
  }
  const size = g.constant('anchor_size', [1, anchorCount, 2], sizes);
  const centre = g.constant('anchor_centre', [1, anchorCount, 2], centres);
  const slice = (from: number, to: number) => g.op('Slice', [encodings, g.int64s('s', [from]), g.int64s('e', [to]), g.int64s('ax', [2])]);
  const c = g.op('Add', [g.op('Mul', [g.op('Div', [slice(0, 2), g.constant('ten', [], [10])]), size]), centre]);
  const half = g.op('Div', [g.op('Mul', [g.op('Exp', [g.op('Div', [slice(2, 4), g.constant('five', [], [5])])]), size]), g.constant('two', [], [2])]);
  g.op('Concat', [g.op('Sub', [c, half]), g.op('Add', [c, half])], { axis: 2 }, 'boxes');

  g.output('boxes', ['batch', anchorCount, 4]);
  g.output('scores', ['batch', anchorCount]);
  return g.toBytes();
}
