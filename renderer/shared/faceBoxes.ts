// Face boxes arrive as fractions of the whole photo; a tile shows the photo letterboxed
// (object-fit: contain) in a frame of another shape, so boxes are mapped into the frame.
import type { RelativeBox } from '@api';

/**
 * Maps a box relative to the image into a box relative to a frame that shows the image
 * with object-fit: contain. Aspects are width / height.
 */
export function boxInContainFrame(box: RelativeBox, imageAspect: number, frameAspect: number): RelativeBox {
  const [x, y, w, h] = box;
  if (!(imageAspect > 0) || !(frameAspect > 0)) return box;
  if (imageAspect >= frameAspect) {
    // Wider than the frame: full width, bands above and below.
    const shownHeight = frameAspect / imageAspect;
    const top = (1 - shownHeight) / 2;
    return [x, top + y * shownHeight, w, h * shownHeight];
  }
  const shownWidth = imageAspect / frameAspect;
  const left = (1 - shownWidth) / 2;
  return [left + x * shownWidth, y, w * shownWidth, h];
}

export function boxStyle([x, y, w, h]: RelativeBox): { left: string; top: string; width: string; height: string } {
  const percent = (v: number) => `${(v * 100).toFixed(2)}%`;
  return { left: percent(x), top: percent(y), width: percent(w), height: percent(h) };
}
