// Input sizes of the landmark and descriptor nets, apart from the graph builders: the face
// engine needs them on every photo, the builders (and onnx-proto) only when converting models.

export const LANDMARK_INPUT_SIZE = 112;
export const DESCRIPTOR_INPUT_SIZE = 150;
/** MTCNN's O-Net, which places the five points of the `five-point-onet` chip (mtcnn-onet.ts). */
export const ONET_INPUT_SIZE = 48;
