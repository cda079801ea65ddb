// TFLite operators as ONNX nodes, shared by the networks converted from TFLite files
// (mobilefacenet.ts, mtcnn-onet.ts). TFLite is NHWC and ONNX here NCHW: weights are turned to
// NCHW, per-channel constants broadcast as [C, 1, 1], and TF's SAME padding becomes explicit pads.
import { OnnxGraph, samePads } from '../onnx-graph.js';
import type { TfliteGraph, TfliteOperator } from './tflite-model.js';

/** schema.fbs ActivationFunctionType: the activation a TFLite operator fuses in. */
export const ACTIVATION = { NONE: 0, RELU: 1, RELU6: 3 } as const;

/** The graph being written, the file being read, and how a tensor or a fused activation becomes an ONNX value. */
export interface Converting {
  g: OnnxGraph;
  model: TfliteGraph;
  /** The network's name, for errors ("The MobileFaceNet file ..."). */
  network: string;
  /** A tensor as an ONNX value; `rank` 2 (a fully connected layer's output) keeps a 1-D constant as it is. */
  valueOf: (index: number, rank?: 2 | 4) => string;
  activate: (value: string, activation: number) => string;
}

/**
 * A converting context over `model`: `names` maps the TFLite tensors already made to ONNX values;
 * a constant is made on first use, a per-channel one (NHWC's last axis) as [C, 1, 1] beside 4-D
 * activations.
 */
export function converting(g: OnnxGraph, model: TfliteGraph, network: string, names: Map<number, string>): Converting {
  const valueOf = (index: number, rank: 2 | 4 = 4): string => {
    const known = names.get(index);
    if (known) return known;
    const { shape, data, float } = model.tensors[index]!;
    if (!float) throw new Error(`Tensor ${index} of the ${network} file is not float32: only float32 networks convert.`);
    if (!data) throw new Error(`Tensor ${index} of the ${network} file is used before any operator makes it.`);
    // A per-channel constant (NHWC's last axis) broadcasts over NCHW as [C, 1, 1].
    const name = g.constant('c', shape.length === 1 && rank === 4 ? [shape[0]!, 1, 1] : shape, data);
    names.set(index, name);
    return name;
  };
  const activate = (value: string, activation: number): string => {
    if (activation === ACTIVATION.NONE) return value;
    if (activation === ACTIVATION.RELU) return g.op('Relu', [value]);
    if (activation === ACTIVATION.RELU6) return g.op('Clip', [value, g.constant('lo', [], [0]), g.constant('hi', [], [6])]);
    throw new Error(`The ${network} file fuses activation ${activation}, which the converter does not know.`);
  };
  return { g, model, network, valueOf, activate };
}

/**
 * CONV_2D (weights [O, H, W, I]) and DEPTHWISE_CONV_2D (weights [1, H, W, C]) as ONNX Conv.
 * Options (schema.fbs): Conv2DOptions 0 padding, 1 stride_w, 2 stride_h, 3 activation, 4/5
 * dilation; DepthwiseConv2DOptions 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier,
 * 4 activation, 5/6 dilation.
 */
export function convolution({ g, model, network, valueOf, activate }: Converting, op: TfliteOperator, depthwise: boolean): string {
  const [x, w, bias] = op.inputs as [number, number, number];
  const weights = model.tensors[w]!;
  const biases = model.tensors[bias]?.data;
  const options = op.options;
  if (!weights.data || !biases || !options) throw new Error(`A ${network} convolution lacks its weights, biases or options.`);
  const dilation = [model.int32(options, depthwise ? 5 : 4, 1), model.int32(options, depthwise ? 6 : 5, 1)];
  if (dilation.some((d) => d !== 1)) throw new Error(`A ${network} convolution is dilated, which the converter does not handle.`);
  if (depthwise && model.int32(options, 3, 1) !== 1) throw new Error(`A ${network} depthwise convolution has a depth multiplier.`);
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
