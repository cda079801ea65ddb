// The five points O-Net places on a face (eye centres, nose tip, mouth corners), the chip's
// alignment when the descriptor is configured `five-point-onet` (face-alignment.ts). Pure: the
// crops it reads and what it makes of the network's output; the face engine runs the network.
//
// O-Net reads a square around the face, 48 px, and says how the square should move to frame the
// face as MTCNN's boxes do. Its first square here is the one around the 68 landmarks (the engine
// has no MTCNN box); the second is the one it asked for, and its points are those of the second
// look. Faces that O-Net does not take for a face (score under 0.5) keep the five points of the
// 68 landmarks.
import { alignFivePoints, fivePoints, squareAround, warpAligned, type Alignment, type PlacedImage } from './face-alignment.js';
import { boundingBox, type Point } from './face-geometry.js';
import { ONET_INPUT_SIZE as ONET_SIZE } from './face-networks/input-sizes.js';

/** Looks O-Net takes at each face: the landmarks' square, then the square it asked for. */
export const ONET_LOOKS = 2;
/** Below this O-Net's points are not used (the probability that the crop is a face). */
export const ONET_MIN_SCORE = 0.5;

/** The first square O-Net looks at: around the 68 landmarks, upright. */
export function firstOnetSquare(landmarks: readonly Point[]): Alignment {
  return squareAround(boundingBox(landmarks));
}

/**
 * The square's 48 px RGB crop. A square much larger than 48 px in its source is sampled at up to
 * 4x and averaged down, so a 300 px face does not alias into the crop.
 */
export function onetCrop(source: PlacedImage, square: Alignment): Uint8Array {
  const k = Math.max(1, Math.min(4, Math.round((square.side * source.scale) / ONET_SIZE)));
  const big = warpAligned(source, square, ONET_SIZE * k);
  if (k === 1) return big;
  const out = new Uint8Array(ONET_SIZE * ONET_SIZE * 3);
  const bigSide = ONET_SIZE * k;
  for (let y = 0; y < ONET_SIZE; y++)
    for (let x = 0; x < ONET_SIZE; x++)
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) sum += big[((y * k + dy) * bigSide + x * k + dx) * 3 + c]!;
        out[(y * ONET_SIZE + x) * 3 + c] = Math.round(sum / (k * k));
      }
  return out;
}

/** Crops as O-Net's input: NCHW, (value - 127.5) / 128, transposed (the network's rows are the image's columns). */
export function onetInput(crops: readonly Uint8Array[]): Float32Array {
  const plane = ONET_SIZE * ONET_SIZE;
  const out = new Float32Array(crops.length * 3 * plane);
  crops.forEach((crop, b) => {
    for (let y = 0; y < ONET_SIZE; y++)
      for (let x = 0; x < ONET_SIZE; x++)
        for (let c = 0; c < 3; c++) out[(b * 3 + c) * plane + x * ONET_SIZE + y] = (crop[(y * ONET_SIZE + x) * 3 + c]! - 127.5) / 128;
  });
  return out;
}

export interface OnetLook {
  /** Probability that the square holds a face. */
  score: number;
  /** The five points, in the square's image coordinates. */
  points: Point[];
  /** The square O-Net would frame the face with. */
  next: Alignment;
}

/** Face `b` of one run: `score` [b, 2], `box` [b, 4] (x1 y1 x2 y2 corrections), `points` [b, 10] (five x, then five y), all in fractions of the side. */
export function readOnetLook(square: Alignment, b: number, score: Float32Array, box: Float32Array, points: Float32Array): OnetLook {
  const { side } = square;
  const x0 = square.centre.x - side / 2;
  const y0 = square.centre.y - side / 2;
  const r = box.subarray(b * 4, b * 4 + 4);
  const p = points.subarray(b * 10, b * 10 + 10);
  const framed = { x: x0 + r[0]! * side, y: y0 + r[1]! * side, width: side * (1 + r[2]! - r[0]!), height: side * (1 + r[3]! - r[1]!) };
  return {
    score: score[b * 2 + 1]!,
    points: [0, 1, 2, 3, 4].map((k) => ({ x: x0 + p[k]! * side, y: y0 + p[k + 5]! * side })),
    next: framed.width > 1 && framed.height > 1 ? squareAround(framed) : square,
  };
}

/** The chip's alignment from O-Net's last look, or from the 68 landmarks when O-Net saw no face. */
export function onetAlignment(look: OnetLook, landmarks: readonly Point[]): Alignment {
  return alignFivePoints(look.score >= ONET_MIN_SCORE ? look.points : fivePoints(landmarks));
}
