// face-api's 68-point landmark net (dense blocks of separable convolutions + a fully connected
// layer) as an ONNX graph: raw RGB 112x112 face crop in, 136 relative coordinates out.
import { OnnxGraph } from '../onnx-graph.js';
import { weight, type WeightMap } from '../tfjs-weights.js';
import { add, conv2d, depthwiseConv2d, normalizeInput, relu, type Tensor } from './layers.js';
import { LANDMARK_INPUT_SIZE } from './input-sizes.js';

export const FACE_MEAN_RGB = [122.782, 117.001, 104.298];

function separable(g: OnnxGraph, w: WeightMap, x: Tensor, prefix: string, stride: number): Tensor {
  const dw = depthwiseConv2d(g, x, weight(w, `${prefix}/depthwise_filter`), { stride, padding: 'same' });
  return conv2d(g, dw, weight(w, `${prefix}/pointwise_filter`), { stride: 1, padding: 'same', bias: weight(w, `${prefix}/bias`).data });
}

function denseBlock4(g: OnnxGraph, w: WeightMap, x: Tensor, prefix: string, isFirst: boolean): Tensor {
  const out1 = relu(
    g,
    isFirst
      ? conv2d(g, x, weight(w, `${prefix}/conv0/filters`), { stride: 2, padding: 'same', bias: weight(w, `${prefix}/conv0/bias`).data })
      : separable(g, w, x, `${prefix}/conv0`, 2),
  );
  const out2 = separable(g, w, out1, `${prefix}/conv1`, 1);
  const out3 = separable(g, w, relu(g, add(g, out1, out2)), `${prefix}/conv2`, 1);
  const out4 = separable(g, w, relu(g, add(g, out1, add(g, out2, out3))), `${prefix}/conv3`, 1);
  return relu(g, add(g, out1, add(g, out2, add(g, out3, out4))));
}

export function buildLandmarks68(w: WeightMap): Uint8Array {
  const g = new OnnxGraph('face_landmark_68');
  const input: Tensor = {
    name: g.input('face', ['batch', 3, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE]),
    dims: { channels: 3, height: LANDMARK_INPUT_SIZE, width: LANDMARK_INPUT_SIZE },
  };
  let x = normalizeInput(g, input, FACE_MEAN_RGB, 1 / 255);
  x = denseBlock4(g, w, x, 'dense0', true);
  x = denseBlock4(g, w, x, 'dense1', false);
  x = denseBlock4(g, w, x, 'dense2', false);
  x = denseBlock4(g, w, x, 'dense3', false);
  const pooled = g.op('AveragePool', [x.name], { kernel_shape: [7, 7], strides: [2, 2] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const fcW = weight(w, 'fc/weights');
  const fcB = weight(w, 'fc/bias');
  const [cin, cout] = fcW.shape as [number, number];
  g.op('Add', [g.op('MatMul', [flat, g.constant('fc_w', [cin, cout], fcW.data)]), g.constant('fc_b', [cout], fcB.data)], {}, 'landmarks');
  g.output('landmarks', ['batch', cout]);
  return g.toBytes();
}
