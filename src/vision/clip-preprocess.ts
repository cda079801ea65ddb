// CLIP's image preprocessing, as openai/CLIP's _transform: bicubic resize of the short side to
// 224 (long side int(224 * long / short)), centre crop 224x224 (offset round((size - 224) / 2)),
// then per-channel (x / 255 - mean) / std, laid out NCHW. Done on the already-decoded analysis
// image; sharp's 'cubic' kernel is Catmull-Rom (a = -0.5, PIL's BICUBIC) with antialiasing.
import sharp from 'sharp';

export const CLIP_INPUT_SIZE = 224;
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The resized (pre-crop) size and the crop offset, as torchvision's Resize + CenterCrop compute them. */
export function clipGeometry(width: number, height: number, size = CLIP_INPUT_SIZE) {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const longResized = Math.trunc((size * long) / short);
  const resized = width <= height ? { width: size, height: longResized } : { width: longResized, height: size };
  return { resized, left: Math.round((resized.width - size) / 2), top: Math.round((resized.height - size) / 2) };
}

/** Normalised NCHW floats from a centre-cropped 224x224 RGB image. */
export function normaliseForClip(rgb: Uint8Array, size = CLIP_INPUT_SIZE): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (rgb[i * 3 + c]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
  }
  return out;
}

export async function clipCrop(image: RgbPixels, size = CLIP_INPUT_SIZE): Promise<Uint8Array> {
  const g = clipGeometry(image.width, image.height, size);
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(g.resized.width, g.resized.height, { fit: 'fill', kernel: 'cubic' })
    .extract({ left: g.left, top: g.top, width: size, height: size })
    .raw()
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export async function preprocessForClip(image: RgbPixels): Promise<Float32Array> {
  return normaliseForClip(await clipCrop(image));
}
