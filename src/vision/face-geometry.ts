// Boxes and overlap maths shared by detection, tiling and search. Pure functions.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface ScoredBox extends Box {
  score: number;
}

const area = (b: Box): number => Math.max(0, b.width) * Math.max(0, b.height);

function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const i = intersection(a, b);
  return i === 0 ? 0 : i / (area(a) + area(b) - i);
}

/** Intersection over the smaller box: catches a partial face box inside the full one. */
export function overlapOfSmaller(a: Box, b: Box): number {
  const i = intersection(a, b);
  return i === 0 ? 0 : i / Math.min(area(a), area(b));
}

/**
 * Greedy non-maximum suppression, best score first. Thresholds are lower than face-api's 0.5:
 * the same face seen by two tiles or two levels gives offset boxes with IoU 0.3-0.5, while two
 * people's face boxes in a group shot barely overlap. A box is dropped when its IoU with a kept
 * box exceeds `iouThreshold`, or when most of it lies inside a kept box (`containThreshold`):
 * the same face seen at two tile scales gives boxes of different sizes with a low IoU.
 */
export function nonMaxSuppression<T extends ScoredBox>(boxes: readonly T[], iouThreshold = 0.3, containThreshold = 0.6): T[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const b of sorted) {
    if (kept.every((k) => iou(k, b) <= iouThreshold && overlapOfSmaller(k, b) <= containThreshold)) kept.push(b);
  }
  return kept;
}

export const centre = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

export function meanPoint(points: readonly Point[]): Point {
  const n = points.length || 1;
  return { x: points.reduce((s, p) => s + p.x, 0) / n, y: points.reduce((s, p) => s + p.y, 0) / n };
}

export function boundingBox(points: readonly Point[]): Box {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}
