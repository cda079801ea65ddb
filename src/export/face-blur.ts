// Faces of people who asked not to be published, made unrecognisable in a copy of a photo: the
// face is pixelated and then blurred hard, over a box grown past the detector's tight box so hair,
// ears and jaw go too. Everything outside the grown boxes keeps its pixels; the original file is
// never touched (this returns new bytes).
import sharp from 'sharp';

/** A face box in pixels of the image as it is seen upright (EXIF orientation applied), as the engine stores them. */
export interface FaceBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A region of the stored (not rotated) pixel grid, integers, inside the image. */
export interface PixelRegion {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * How far past the detector's box the blur reaches, as fractions of the box. The SSD detector's
 * box runs from the brows to the chin and cheek to cheek: hair and forehead above (most), ears at
 * the sides, jaw and chin below are what someone who knows the person still recognises them by.
 */
export const BLUR_MARGIN = { side: 0.3, above: 0.5, below: 0.3 } as const;

/**
 * Blocks across a face after pixelation. Six blocks leave a skin-coloured mosaic and nothing of
 * the eyes, nose or mouth (each feature is smaller than a block); relative to the face, so a 60 px
 * face and a 600 px face both lose the same detail.
 */
export const BLOCKS_PER_FACE = 6;

/** Gaussian sigma after pixelation, as a fraction of the face size: melts the block edges that could otherwise be read back. */
export const BLUR_SIGMA_PER_FACE = 0.12;

/** Pixels of the decoded source behind each side of a mosaic block (at least). */
const SOURCE_PX_PER_BLOCK = 4;
/** How much smaller than the patch the blur is computed (see the patch's comment). */
const BLUR_WORK_SHRINK = 4;
/** libjpeg decodes directly at 1/2, 1/4 and 1/8: no smaller. */
const MAX_SHRINK = 8;

/** Quality for JPEG output: high enough that pixels outside the boxes survive the re-encode within a level or two. */
const JPEG_QUALITY = 92;

/**
 * A box given in upright pixels (size `uprightW`×`uprightH`) mapped to the stored pixel grid of an
 * image with this EXIF orientation (1–8). Blurring in the stored grid keeps the file's orientation
 * tag, size and every pixel outside the box as they were.
 */
export function uprightBoxToStored(box: FaceBox, orientation: number, stored: { width: number; height: number }): FaceBox {
  const { width: W, height: H } = stored;
  const corners = [
    [box.x, box.y],
    [box.x + box.w, box.y + box.h],
  ].map(([u, v]) => toStored(u!, v!, orientation, W, H));
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

/** One upright point to the stored grid: the inverse of what each EXIF orientation asks a viewer to do. */
function toStored(u: number, v: number, orientation: number, W: number, H: number): [number, number] {
  switch (orientation) {
    case 2:
      return [W - u, v];
    case 3:
      return [W - u, H - v];
    case 4:
      return [u, H - v];
    case 5:
      return [v, u];
    case 6:
      return [v, H - u];
    case 7:
      return [W - v, H - u];
    case 8:
      return [W - v, u];
    default:
      return [u, v];
  }
}

/**
 * The region a face's blur covers: the box grown by BLUR_MARGIN, in whole pixels, clipped to the
 * image. Margins are taken from the upright box, so "above" is above the head even in a portrait
 * photo stored sideways. Null when nothing of it lies inside the image.
 */
export function blurRegion(box: FaceBox, orientation: number, stored: { width: number; height: number }): PixelRegion | null {
  const grown: FaceBox = {
    x: box.x - box.w * BLUR_MARGIN.side,
    y: box.y - box.h * BLUR_MARGIN.above,
    w: box.w * (1 + 2 * BLUR_MARGIN.side),
    h: box.h * (1 + BLUR_MARGIN.above + BLUR_MARGIN.below),
  };
  const s = uprightBoxToStored(grown, orientation, stored);
  const left = Math.max(0, Math.floor(s.x));
  const top = Math.max(0, Math.floor(s.y));
  const right = Math.min(stored.width, Math.ceil(s.x + s.w));
  const bottom = Math.min(stored.height, Math.ceil(s.y + s.h));
  if (right - left < 1 || bottom - top < 1) return null;
  return { left, top, width: right - left, height: bottom - top };
}

type OutputFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'avif';
const WRITABLE: readonly string[] = ['jpeg', 'png', 'webp', 'tiff', 'avif'] satisfies OutputFormat[];

export interface BlurOptions {
  /**
   * The upright size the boxes were measured on, when that is not this image: the engine's boxes
   * are in pixels of the original photo, and a preview or thumbnail is smaller.
   */
  boxesOf?: { width: number; height: number };
}

/**
 * The image with every given face made unrecognisable, in the same format and size. Boxes are in
 * pixels of the image as seen upright, or of an upright image of `options.boxesOf` size.
 */
export async function blurFaces(image: Buffer, boxes: readonly FaceBox[], options: BlurOptions = {}): Promise<Buffer> {
  if (boxes.length === 0) return image;
  const meta = await sharp(image).metadata();
  const { width, height, format } = meta;
  if (!width || !height || !format) throw new Error('Cannot blur faces: the image has no readable size or format');
  if (!WRITABLE.includes(format)) {
    throw new Error(
      `Cannot blur faces in a ${format.toUpperCase()} image: Shutterfind cannot write that format; blur its JPEG preview instead`,
    );
  }
  const orientation = meta.orientation ?? 1;
  const stored = { width, height };
  const upright = orientation >= 5 ? { width: height, height: width } : stored;
  const sx = options.boxesOf ? upright.width / options.boxesOf.width : 1;
  const sy = options.boxesOf ? upright.height / options.boxesOf.height : 1;
  const faces = boxes
    .map((b) => ({ x: b.x * sx, y: b.y * sy, w: b.w * sx, h: b.h * sy }))
    .map((box) => ({ box, region: blurRegion(box, orientation, stored) }))
    .filter((f): f is { box: FaceBox; region: PixelRegion } => f.region !== null);
  if (faces.length === 0) return image;

  // The mosaic needs only a few pixels per block, so the pixels it is made from are decoded at a
  // fraction of the size (JPEG shrink-on-load: ~5× cheaper than a full decode, measured on a
  // 2048 px preview) while each block still averages at least SOURCE_PX_PER_BLOCK² of them. The
  // final pass decodes the file fully once, so its EXIF (orientation, capture time) and colour
  // profile travel into the copy.
  const blockOf = (box: FaceBox) => Math.max(2, Math.max(box.w, box.h, 1) / BLOCKS_PER_FACE);
  const shrink = Math.min(MAX_SHRINK, Math.max(1, Math.floor(Math.min(...faces.map((f) => blockOf(f.box))) / SOURCE_PX_PER_BLOCK)));
  const reduced = { width: Math.max(1, Math.round(width / shrink)), height: Math.max(1, Math.round(height / shrink)) };
  const { data, info } = await sharp(image)
    .resize(reduced.width, reduced.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  const rx = info.width / width;
  const ry = info.height / height;
  const patches = await Promise.all(
    faces.map(async ({ box, region }) => {
      const faceSize = Math.max(box.w, box.h, 1);
      const block = blockOf(box);
      const small = {
        width: Math.max(1, Math.round(region.width / block)),
        height: Math.max(1, Math.round(region.height / block)),
      };
      const left = Math.min(info.width - 1, Math.floor(region.left * rx));
      const top = Math.min(info.height - 1, Math.floor(region.top * ry));
      const from = {
        left,
        top,
        width: Math.max(1, Math.min(info.width - left, Math.round(region.width * rx))),
        height: Math.max(1, Math.min(info.height - top, Math.round(region.height * ry))),
      };
      const mosaic = await sharp(data, { raw }).extract(from).resize(small.width, small.height, { fit: 'fill' }).raw().toBuffer();
      // The blur runs on the patch at a quarter of its size and is then scaled up: a blurred
      // image has nothing a smaller copy loses, and the wide kernel (sigma ~25 px for a 200 px
      // face) cost more than the rest of the copy at full size.
      const work = {
        width: Math.max(small.width, Math.round(region.width / BLUR_WORK_SHRINK)),
        height: Math.max(small.height, Math.round(region.height / BLUR_WORK_SHRINK)),
      };
      const sigma = Math.max(0.5, (faceSize * BLUR_SIGMA_PER_FACE * work.width) / region.width);
      const blurred = await sharp(mosaic, { raw: { ...small, channels: info.channels } })
        .resize(work.width, work.height, { fit: 'fill', kernel: 'nearest' })
        .blur(sigma)
        .raw()
        .toBuffer();
      const patch = await sharp(blurred, { raw: { ...work, channels: info.channels } })
        .resize(region.width, region.height, { fit: 'fill', kernel: 'cubic' })
        .raw()
        .toBuffer();
      return { input: patch, raw: { width: region.width, height: region.height, channels: info.channels }, ...region };
    }),
  );
  const out = sharp(image)
    .composite(patches.map((p) => ({ input: p.input, raw: p.raw, left: p.left, top: p.top })))
    .keepMetadata();
  switch (format as OutputFormat) {
    case 'jpeg':
      return out.jpeg({ quality: JPEG_QUALITY, mozjpeg: false }).toBuffer();
    default:
      return out.toFormat(format as OutputFormat).toBuffer();
  }
}
