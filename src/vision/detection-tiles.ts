// Plans the detector passes over an image. SSD MobileNetV1 takes 512x512 and finds faces from
// about 40 px at that size (measured on the face-api samples: 40 px faces score 0.9+, 25 px
// faces are found about half the time), so a 2048 px analysis image seen whole only yields faces
// over ~160 px. Finer levels tile the image at twice the scale each, overlapping by more than
// the largest face the level is responsible for, until faces of `minFaceSize` are covered.
import type { Box } from './face-geometry.js';

export const DETECTOR_INPUT = 512;
/**
 * A finer level whose scaled image fits this (detector px, both sides) is one pass of the
 * detector at that size (ssd-anchors.ts) instead of overlapping 512 px tiles: a 2048 px photo's
 * 2x level is one 1024x704 pass (2.75 tiles' work) instead of six tiles. The finest level stays
 * tiled: SSD found fewer 15 px faces in passes larger than 512 (measured on the 45 px crowd).
 */
export const MAX_ONE_PASS_SIDE = 1024;
/** One-pass inputs are padded (bottom, right) to a multiple of this, the stride of the maps small faces come from. */
export const PASS_ALIGN = 32;
/** Smallest face, in detector pixels, that SSD MobileNetV1 finds reliably. */
export const DETECTOR_MIN_FACE = 40;

/**
 * How much lower a tiled level's score bar is than the photo's own (`minScore`, 0.5 by default).
 * Faces of 60–110 px in a 6000 px photo reach the detector at 20–37 px of a 512 px tile, under
 * its reliable size, and often score 0.4–0.5: on bench:match's event (160 photos of 6000x4000,
 * 7,990 placed faces of real people) the detector found 98.69% of them with 0.5 everywhere and
 * 99.45% with 0.4 on tiled levels, with 3 boxes outside any person either way (0.4 on every level:
 * 99.51%, and 4). Only tiled levels run it, and they run only for photos with small faces:
 * portraits, selfies and close group shots keep the photo's own bar.
 */
export const TILED_SCORE_RELIEF = 0.1;

/** The score a box needs on this level. */
export function levelMinScore(level: Pick<DetectionLevel, 'level' | 'onePass'>, minScore: number): number {
  return level.level > 0 && !level.onePass ? Math.max(0.05, minScore - TILED_SCORE_RELIEF) : minScore;
}

/** Largest face (detector px) a tiled level answers for; tiles overlap by this much. */
export const LEVEL_MAX_FACE = 2.4 * DETECTOR_MIN_FACE;

export interface Tile extends Box {
  /** Detector pixels per image pixel for this tile. */
  scale: number;
  level: number;
}

export interface DetectionLevel {
  level: number;
  scale: number;
  tiles: Tile[];
  /** One detector pass at the scaled image's own size (a single tile), not 512x512 tiles. */
  onePass: boolean;
  /** Faces smaller than this (image px) need a finer level. */
  minFace: number;
}

function positions(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const stride = tile - overlap;
  const count = Math.ceil((length - tile) / stride) + 1;
  const step = (length - tile) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/** Levels from coarse (the whole image) to fine, the last one reaching faces of `minFaceSize` image px. */
export function planDetectionLevels(width: number, height: number, minFaceSize: number): DetectionLevel[] {
  const longSide = Math.max(width, height);
  const scales = [DETECTOR_INPUT / longSide];
  // Twice the scale each level, until faces of minFaceSize are covered; never upsample beyond the
  // analysis image (finer detail comes from the original, not from here).
  while (DETECTOR_MIN_FACE / scales.at(-1)! > minFaceSize && scales.at(-1)! < 1) scales.push(Math.min(1, scales.at(-1)! * 2));
  return scales.map((scale, level) => {
    // Levels between the whole photo and the finest one, when small enough: see MAX_ONE_PASS_SIDE.
    const onePass = level > 0 && level < scales.length - 1 && longSide * scale <= MAX_ONE_PASS_SIDE;
    const side = onePass ? longSide : Math.min(DETECTOR_INPUT / scale, longSide);
    // A face of up to 2x this level's minimum (a coarser level takes larger ones) must fit whole in some tile.
    const overlap = Math.min(side / 2, LEVEL_MAX_FACE / scale);
    const xs = positions(width, side, overlap);
    const ys = positions(height, side, overlap);
    const tiles = ys.flatMap((y) =>
      xs.map((x) => ({ x, y, width: Math.min(side, width - x), height: Math.min(side, height - y), scale, level })),
    );
    return { level, scale, tiles, minFace: DETECTOR_MIN_FACE / scale, onePass };
  });
}

/**
 * The detector input (height x width) for one tile's pixels; the tile sits top-left and the rest
 * is padded with black. The whole-photo pass is cut to the photo's own aspect (a 3:2 photo is
 * 512x352, not face-api's 512x512 square): on the samples and camera photos it found the same
 * faces (box IoU >= 0.996) in 35% less time, the padding being a third of the square. That holds
 * for faces up to about a third of the pass; larger ones need the square (see
 * Anchors.paddingSensitiveFrom), which the face engine runs when they are there. One-pass
 * levels never go under the trained 512 per side; tiles are exactly 512.
 */
export function detectorPassSize(level: DetectionLevel, pixels: { width: number; height: number }): { width: number; height: number } {
  const align = (n: number) => Math.max(PASS_ALIGN, Math.ceil(n / PASS_ALIGN) * PASS_ALIGN);
  if (level.level === 0) return { width: align(pixels.width), height: align(pixels.height) };
  if (level.onePass)
    return { width: Math.max(DETECTOR_INPUT, align(pixels.width)), height: Math.max(DETECTOR_INPUT, align(pixels.height)) };
  return { width: DETECTOR_INPUT, height: DETECTOR_INPUT };
}

/** Whether a finer level is worth running, given the faces (image px widths) found so far. */
export function needsFinerLevel(found: readonly number[], level: DetectionLevel, mode: 'adaptive' | 'always'): boolean {
  if (mode === 'always') return true;
  // Two levels without a single face: most likely no faces at all (decor, venue, food), and the
  // finest level is where the cost is (20 tiles of a 2048 px image).
  if (found.length === 0) return level.level <= 1;
  // Faces within 2x of this level's limit mean the scene has small faces; smaller ones are
  // likely too. A group photo whose faces are all larger stops here: on the samples (faces
  // ~200 px of 2048) a factor of 3 tiled down to 20 tiles and cost 4x the detector time.
  return Math.min(...found) < 2 * level.minFace;
}

/** A box touching an edge of its tile that is not an image edge is a face cut by the tile. */
export function touchesInnerEdge(box: Box, tile: Box, imageWidth: number, imageHeight: number, margin = 2): boolean {
  const left = tile.x > 0 && box.x <= tile.x + margin;
  const top = tile.y > 0 && box.y <= tile.y + margin;
  const right = tile.x + tile.width < imageWidth && box.x + box.width >= tile.x + tile.width - margin;
  const bottom = tile.y + tile.height < imageHeight && box.y + box.height >= tile.y + tile.height - margin;
  return left || top || right || bottom;
}
