// Measures whether a face was blurred in a copy of a photo: fine detail inside a box, and how
// much the pixels outside a region changed.
import sharp from 'sharp';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Detail at the scale a face is recognised by: the box cut out and brought to 48 px across (eyes,
 * nostrils and mouth are a few pixels each; JPEG noise and sensor grain are averaged away), then
 * the mean absolute Laplacian of that.
 */
export async function faceDetail(image: Buffer | string, b: Box, upright = false): Promise<number> {
  const region = { left: Math.round(b.x), top: Math.round(b.y), width: Math.round(b.w), height: Math.round(b.h) };
  const base = upright ? sharp(await sharp(image).rotate().toBuffer()) : sharp(image);
  const { data, info } = await base
    .extract(region)
    .resize(48, Math.max(3, Math.round((48 * b.h) / b.w)), { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let sum = 0;
  let n = 0;
  for (let y = 1; y < info.height - 1; y++) {
    for (let x = 1; x < info.width - 1; x++) {
      const at = (dx: number, dy: number) => data[(y + dy) * info.width + x + dx]!;
      sum += Math.abs(4 * at(0, 0) - at(-1, 0) - at(1, 0) - at(0, -1) - at(0, 1));
      n++;
    }
  }
  return sum / n;
}

/** Mean and largest absolute difference of the grey pixels of two same-size images, outside a region. */
export async function differenceOutside(
  a: Buffer | string,
  b: Buffer | string,
  region: { left: number; top: number; width: number; height: number },
): Promise<{ mean: number; max: number }> {
  const [ga, gb] = await Promise.all([a, b].map((i) => sharp(i).greyscale().raw().toBuffer({ resolveWithObject: true })));
  const { data: da, info } = ga!;
  const db = gb!.data;
  if (gb!.info.width !== info.width || gb!.info.height !== info.height) throw new Error('the two images differ in size');
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if (x >= region.left && x < region.left + region.width && y >= region.top && y < region.top + region.height) continue;
      const d = Math.abs(da[y * info.width + x]! - db[y * info.width + x]!);
      sum += d;
      max = Math.max(max, d);
      n++;
    }
  }
  return { mean: sum / n, max };
}
