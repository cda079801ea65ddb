// SSD MobileNetV1's anchors for an input of any size, and face-api's box decoding. The network
// was trained at 512x512 with the TF Object Detection API's multiple-grid anchors: six feature
// maps (strides 16 to 512), anchors centred on each cell, with fixed shapes per map. The same
// shapes in pixels on a larger grid let one pass cover a level of the photo that took six
// overlapping 512 px tiles. A test checks the 512x512 set against the one face-api ships.

/** The input size the detector was trained at; anchor shapes are fractions of it. */
export const TRAINED_INPUT = 512;
const STRIDES = [16, 32, 64, 128, 256, 512] as const;

/** Anchor scales of the six maps (min 0.2, max 0.95, evenly spaced), and 1.0 after the last. */
const SCALES = [0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1] as const;

/** [height, width] of each anchor of a map's cell, as fractions of the trained input, in output order. */
export function anchorShapes(map: number): [number, number][] {
  const shape = (scale: number, ratio: number): [number, number] => [scale / Math.sqrt(ratio), scale * Math.sqrt(ratio)];
  // The lowest map has three small anchors only (TF's reduce_boxes_in_lowest_layer).
  if (map === 0) return [shape(0.1, 1), shape(SCALES[0], 2), shape(SCALES[0], 0.5)];
  const s = SCALES[map]!;
  return [shape(s, 1), shape(Math.sqrt(s * SCALES[map + 1]!), 1), shape(s, 2), shape(s, 0.5), shape(s, 3), shape(s, 1 / 3)];
}

/** Cells per side of each map for an input side: every strided conv halves it, rounding up. */
export function featureMapSizes(side: number): number[] {
  const sizes: number[] = [];
  let n = side;
  // conv0, dw2, dw4 and dw6 bring it to stride 16 (map 0); each later map halves it again.
  for (let i = 0; i < 4; i++) n = Math.ceil(n / 2);
  for (let map = 0; map < STRIDES.length; map++) {
    if (map > 0) n = Math.ceil(n / 2);
    sizes.push(n);
  }
  return sizes;
}

/** Anchors for an input of height x width, in input pixels: centre (y, x) and size (h, w) per anchor. */
export interface Anchors {
  count: number;
  centres: Float32Array;
  sizes: Float32Array;
  /**
   * The first anchor of map 2 (stride 64). Maps 0 and 1 give the same boxes whether the photo
   * is padded to face-api's 512x512 square or not. From map 2 on, a cell sees much of the pass,
   * so the square's black padding (face-api's, the one the network learnt with) changes its
   * answer: in a pass cut to the photo's aspect, faces filling a close-up came out shifted (box
   * IoU down to 0.72 against the square, on sample crops).
   */
  paddingSensitiveFrom: number;
}

export function anchorsFor(height: number, width: number): Anchors {
  const rows = featureMapSizes(height);
  const cols = featureMapSizes(width);
  const count = STRIDES.reduce((n, _, k) => n + rows[k]! * cols[k]! * anchorShapes(k).length, 0);
  const centres = new Float32Array(count * 2);
  const sizes = new Float32Array(count * 2);
  let a = 0;
  STRIDES.forEach((stride, k) => {
    const shapes = anchorShapes(k);
    for (let i = 0; i < rows[k]!; i++)
      for (let j = 0; j < cols[k]!; j++)
        for (const [h, w] of shapes) {
          centres[a * 2] = (i + 0.5) * stride;
          centres[a * 2 + 1] = (j + 0.5) * stride;
          sizes[a * 2] = h * TRAINED_INPUT;
          sizes[a * 2 + 1] = w * TRAINED_INPUT;
          a++;
        }
  });
  const paddingSensitiveFrom = rows[0]! * cols[0]! * anchorShapes(0).length + rows[1]! * cols[1]! * anchorShapes(1).length;
  return { count, centres, sizes, paddingSensitiveFrom };
}

/** Whether any anchor from index `from` on scores at least minScore. */
export function scoresFrom(scores: Float32Array, from: number, minScore: number): boolean {
  for (let a = from; a < scores.length; a++) if (scores[a]! >= minScore) return true;
  return false;
}

/**
 * One anchor's box from the network's encoding, as face-api's output layer decodes it (centre
 * offsets scaled by 10, log sizes by 5): [ymin, xmin, ymax, xmax] in input pixels.
 */
export function decodeBox(encodings: Float32Array, anchors: Anchors, a: number): [number, number, number, number] {
  const ah = anchors.sizes[a * 2]!;
  const aw = anchors.sizes[a * 2 + 1]!;
  const cy = (encodings[a * 4]! / 10) * ah + anchors.centres[a * 2]!;
  const cx = (encodings[a * 4 + 1]! / 10) * aw + anchors.centres[a * 2 + 1]!;
  const halfH = (Math.exp(encodings[a * 4 + 2]! / 5) * ah) / 2;
  const halfW = (Math.exp(encodings[a * 4 + 3]! / 5) * aw) / 2;
  return [cy - halfH, cx - halfW, cy + halfH, cx + halfW];
}
