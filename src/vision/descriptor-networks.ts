// The networks that turn an aligned face into its identity descriptor, and how each is fed.
//
// - 'dlib-resnet': face-api's port of dlib's ResNet (128-d), converted at build time from the
//   TF.js weights of @vladmandic/face-api (models/face/face_recognition.onnx).
// - 'faceplugin-512': an ArcFace-style network (512-d, 112 px, five-point alignment) shipped as
//   an ONNX file in the npm package faceplugin-face-recognition-js (MIT), copied under
//   models/face/faceplugin/ with its licence and provenance. Its 512 numbers are reduced to the
//   128 that storage, the face index and sync hold by a fixed linear projection
//   (descriptor-projection.ts). On held-out people of real, different photos it accepts 90% of
//   same-person pairs at 1 false match in 100,000 where dlib's accepts 49% (bench:match).
import { join } from 'node:path';
import type { ChipAlignment } from './face-alignment.js';
import { DESCRIPTOR_INPUT_SIZE } from './face-networks/input-sizes.js';

export type DescriptorNetwork = 'dlib-resnet' | 'faceplugin-512';

export interface DescriptorNetworkSpec {
  /** Side of the square chip it reads. */
  inputSize: number;
  inputName: string;
  outputName: string;
  /** Faces per run: the faceplugin graph is fixed at batch 1. */
  maxBatch: number;
  /** A chip byte (0-255) as the network wants it. */
  scale: number;
  offset: number;
  /** The chip alignments it was trained on (the first is the one to use). */
  alignments: readonly ChipAlignment[];
}

export const DESCRIPTOR_NETWORKS: Record<DescriptorNetwork, DescriptorNetworkSpec> = {
  'dlib-resnet': {
    inputSize: DESCRIPTOR_INPUT_SIZE,
    inputName: 'face',
    outputName: 'descriptor',
    maxBatch: Number.POSITIVE_INFINITY,
    // The converted graph does its own normalisation (face-descriptor.ts): raw 0-255 in.
    scale: 1,
    offset: 0,
    alignments: ['mean-face', 'landmark-box'],
  },
  'faceplugin-512': {
    inputSize: 112,
    inputName: 'input',
    outputName: 'output',
    maxBatch: 1,
    scale: 1 / 128,
    offset: -127 / 128,
    alignments: ['five-point'],
  },
};

/** The shipped ONNX file of the faceplugin network (under models/face) and its sha256 (models/face/faceplugin/README.md). */
export const FACEPLUGIN_FILE = join('faceplugin', 'fr_feature.onnx');
export const FACEPLUGIN_SHA256 = '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581';
