// The one step that makes opted-out faces unrecognisable in an exported image (src/export/face-blur.ts
// does the pixels). The boxes are in the photo's upright pixels; the image may be its smaller preview.
import { blurFaces } from '../face-blur.js';
import type { HiddenFace } from './export-model.js';

export async function blurHiddenFaces(
  image: Buffer,
  hidden: readonly HiddenFace[],
  photoSize: { width: number; height: number },
): Promise<Buffer> {
  if (hidden.length === 0) return image;
  return blurFaces(
    image,
    hidden.map(({ box: [x, y, w, h] }) => ({ x, y, w, h })),
    photoSize.width && photoSize.height ? { boxesOf: photoSize } : {},
  );
}
