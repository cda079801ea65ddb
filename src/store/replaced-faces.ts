// When a photo's faces are found again (a faces re-run after a model or threshold change), which
// new face is which old one: the one in the same place. The new face then keeps the old one's
// person and the organiser's pin, so names, merges and splits survive a re-run.

type Box = readonly [x: number, y: number, width: number, height: number];

/**
 * Boxes overlapping by this intersection-over-union are the same face: the usual criterion for
 * "the same object" in detection (PASCAL VOC). The same model finds the same box again (IoU
 * about 1); another detector or threshold moves a box by a few pixels, well inside it, while
 * two people side by side overlap far less.
 */
export const SAME_FACE_MIN_OVERLAP = 0.5;

export function boxOverlap(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

/**
 * Pairs new faces with old ones, best overlap first, each face in at most one pair. Returns, for
 * each new face index that has one, the index of its old face.
 */
export function pairReplacedFaces(before: readonly Box[], after: readonly Box[], minOverlap = SAME_FACE_MIN_OVERLAP): Map<number, number> {
  const candidates: { oldIndex: number; newIndex: number; overlap: number }[] = [];
  before.forEach((o, oldIndex) =>
    after.forEach((n, newIndex) => {
      const overlap = boxOverlap(o, n);
      if (overlap >= minOverlap) candidates.push({ oldIndex, newIndex, overlap });
    }),
  );
  candidates.sort((x, y) => y.overlap - x.overlap || x.newIndex - y.newIndex || x.oldIndex - y.oldIndex);
  const pairs = new Map<number, number>();
  const usedOld = new Set<number>();
  for (const c of candidates) {
    if (pairs.has(c.newIndex) || usedOld.has(c.oldIndex)) continue;
    pairs.set(c.newIndex, c.oldIndex);
    usedOld.add(c.oldIndex);
  }
  return pairs;
}
