// HEIC/HEIF pixels through libheif-js (libheif + libde265 built to WebAssembly), for the files
// sharp's prebuilt libvips cannot decode: it reads AVIF but has no HEVC decoder (patent licensing).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The primary image of a HEIF file as 8-bit RGBA, with libheif's rotation and mirroring applied. */
export interface HeifPixels {
  rgba: Buffer;
  width: number;
  height: number;
}

/** A file libheif could not read or decode; the message names the file and says what to do. */
export class HeifDecodeError extends Error {
  override name = 'HeifDecodeError';
}

// The few calls of libheif-js's embind API used here (its own .d.ts is not wired to the package).
interface HeifError {
  code: number | { value: number };
  message?: string;
}
interface HeifChannel {
  id: { value: number };
  width: number;
  height: number;
  stride: number;
  data: Uint8Array;
}
interface HeifImage {
  image: unknown;
  channels?: HeifChannel[];
  code?: unknown;
  message?: string;
}
type Handle = { code?: unknown; message?: string };
interface LibHeif {
  heif_context_alloc(): unknown;
  heif_context_free(ctx: unknown): void;
  heif_context_read_from_memory(ctx: unknown, bytes: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(ctx: unknown): Handle;
  heif_image_handle_release(handle: Handle): void;
  heif_image_handle_get_width(handle: Handle): number;
  heif_image_handle_get_height(handle: Handle): number;
  heif_js_decode_image2(handle: Handle, colorspace: unknown, chroma: unknown): HeifImage;
  heif_image_release(image: unknown): void;
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: { value: number } };
}

const RGBA_CHANNELS = 4;

/**
 * One instance per worker thread, made on the first HEIC and reused: compiling the 1.4 MB
 * wasm costs ~60 ms, more than a small HEIC's decode. The instance holds no file or handle,
 * only its heap; a thread that never sees a HEIC never loads it.
 */
let instance: LibHeif | null = null;

function libheif(): LibHeif {
  if (instance) return instance;
  const require = createRequire(import.meta.url);
  // The wasm variant (not the default asm.js one, ~4x slower); given its binary so that it
  // compiles synchronously and does not look for the .wasm relative to the working directory.
  const factory = require('libheif-js/libheif-wasm/libheif.js') as (options: { wasmBinary: Buffer }) => LibHeif;
  instance = factory({ wasmBinary: readFileSync(require.resolve('libheif-js/libheif-wasm/libheif.wasm')) });
  return instance;
}

const codeOf = (e: HeifError): number => (typeof e.code === 'number' ? e.code : e.code.value);
const failed = (v: { code?: unknown }): boolean => v.code !== undefined && v.code !== null;

/**
 * Decodes the primary image of a HEIC/HEIF file (a collection's cover, an iPhone's tiled grid
 * as one picture). libheif applies the file's `irot`/`imir` transforms, so the pixels are
 * upright: the EXIF Orientation inside a HEIC describes the same turn and must not be applied
 * again (HEIF spec; libvips does the same for the HEICs it can read).
 */
export function decodeHeif(bytes: Uint8Array, fileName: string, options: { maxPixels?: number } = {}): HeifPixels {
  let lib: LibHeif;
  try {
    lib = libheif();
  } catch (err) {
    throw new HeifDecodeError(`Cannot read ${fileName}: the HEIC decoder (libheif-js) could not start (${(err as Error).message})`);
  }
  const ctx = lib.heif_context_alloc();
  if (!ctx) throw new HeifDecodeError(`Cannot read ${fileName}: the HEIC decoder ran out of memory`);
  let handle: Handle | null = null;
  try {
    const read = lib.heif_context_read_from_memory(ctx, bytes);
    if (codeOf(read) !== 0) {
      throw new HeifDecodeError(`Cannot read ${fileName}: not a readable HEIC/HEIF file (${read.message?.trim() ?? 'libheif refused it'})`);
    }
    const primary = lib.heif_js_context_get_primary_image_handle(ctx);
    if (failed(primary)) {
      throw new HeifDecodeError(`Cannot read ${fileName}: the HEIC file has no primary image (${primary.message?.trim() ?? 'none'})`);
    }
    handle = primary;
    // The same decompression-bomb guard as sharp's limitInputPixels, read from the header before
    // any pixel is decoded.
    const width = lib.heif_image_handle_get_width(handle);
    const height = lib.heif_image_handle_get_height(handle);
    if (options.maxPixels !== undefined && width * height > options.maxPixels) {
      throw new HeifDecodeError(
        `Cannot read ${fileName}: image dimensions are too large (${width}x${height}, over the pixel limit of ${options.maxPixels}; possible decompression bomb)`,
      );
    }
    const image = lib.heif_js_decode_image2(handle, lib.heif_colorspace.heif_colorspace_RGB, lib.heif_chroma.heif_chroma_interleaved_RGBA);
    if (!image || failed(image) || !image.channels) {
      throw new HeifDecodeError(
        `Cannot read ${fileName}: the HEIC image data is damaged (${image?.message?.trim() ?? 'decoding failed'}); copy it from the phone or card again`,
      );
    }
    try {
      const plane = image.channels.find((c) => c.id.value === lib.heif_channel.heif_channel_interleaved.value);
      if (!plane) throw new HeifDecodeError(`Cannot read ${fileName}: the HEIC decoder returned no RGBA pixels`);
      const { width, height, stride } = plane;
      const row = width * RGBA_CHANNELS;
      // plane.data is a view into the wasm heap, gone once the image is released: copy it out.
      const rgba = Buffer.allocUnsafe(row * height);
      if (stride === row) rgba.set(plane.data.subarray(0, row * height));
      else for (let y = 0; y < height; y += 1) rgba.set(plane.data.subarray(y * stride, y * stride + row), y * row);
      return { rgba, width, height };
    } finally {
      lib.heif_image_release(image.image);
    }
  } catch (err) {
    if (err instanceof HeifDecodeError) throw err;
    // An abort inside the wasm leaves its heap unusable: start a fresh instance next time.
    instance = null;
    throw new HeifDecodeError(`Cannot read ${fileName}: the HEIC image data is damaged (${(err as Error).message})`);
  } finally {
    if (handle) lib.heif_image_handle_release(handle);
    lib.heif_context_free(ctx);
  }
}

/**
 * Whether a sharp error means its libheif has no decoder for this file's codec (HEVC in the
 * prebuilt binaries): "Support for this compression format has not been built in: HEVC (11.6003)".
 */
export function isMissingHeifCodec(message: string): boolean {
  return /compression format has not been built in|no matching decoder|\(11\.6003\)/i.test(message);
}
