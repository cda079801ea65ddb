// Runs inside a photo worker: decode once (shrink-on-load), orient, write the preview and the
// thumbnail, compute the perceptual hash, then hand the decoded pixels to the analysis stages.
// A faces re-run decodes the same way and skips the files, so they stay byte for byte the same.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import sharp, { type OutputInfo, type Sharp, type SharpOptions } from 'sharp';
import { mediaFilePath, mediaRelativePath } from '../config/index.js';
import type { MediaFileHash } from '../store/index.js';
// Worker-side code imports these two modules directly rather than through ingest/index.ts,
// which would load the watcher (chokidar) and the rest of ingest into every worker thread.
import { EMPTY_METADATA, mergeMetadata, readPhotoMetadata, type PhotoMetadata } from '../camera-files/index.js';
import { extractEmbeddedJpeg, RawPreviewError } from '../camera-files/index.js';
import { decodeHeif, HeifDecodeError, isMissingHeifCodec, longestZeroRunInScan, ZEROED_RUN_BYTES } from '../camera-files/index.js';
import {
  OVERVIEW_LONG_SIDE,
  type AnalysisContext,
  type AnalysisImage,
  type AnalysisOutput,
  type AnalysisStage,
  type OriginalRegion,
} from './analysis-stages.js';
import type { FailureKind } from './photo-task.js';
import { PHASH_INPUT_SIZE, perceptualHash } from './perceptual-hash.js';
import type { PhotoTask, PhotoTaskResult } from './photo-task.js';

const RAW_FORMATS = new Set(['raw-tiff', 'cr3', 'raf']);
/** libwebp effort 2 of 6: 12 ms instead of 18 ms for a 400 px thumbnail, same quality setting. */
const THUMBNAIL_WEBP_EFFORT = 2;

/** File-system errors that go away by themselves (or once the photographer frees disk space). */
const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'EIO', 'ETIMEDOUT']);

function describeFsError(err: NodeJS.ErrnoException, fileName: string): { message: string; kind: FailureKind } {
  switch (err.code) {
    case 'ENOENT':
      return { message: `Cannot read ${fileName}: the file is gone (moved or deleted after it landed)`, kind: 'permanent' };
    case 'EACCES':
    case 'EPERM':
      return { message: `Cannot read ${fileName}: permission denied (check the file's permissions)`, kind: 'permanent' };
    case 'ENOSPC':
    case 'EDQUOT':
      return { message: `Cannot write previews for ${fileName}: the disk is full (free space on the data drive)`, kind: 'storage' };
    default:
      return {
        message: `Cannot process ${fileName}: ${err.message}`,
        kind: TRANSIENT_CODES.has(err.code ?? '') ? 'transient' : 'permanent',
      };
  }
}

/** sharp's messages are accurate but terse; say which file and what it means for the photographer. */
export function describeDecodeError(err: Error, fileName: string): string {
  const m = err.message;
  if (/input file is missing/i.test(m)) {
    return `Cannot read ${fileName}: the file is gone (moved or deleted after it landed)`;
  }
  if (/exceeds pixel limit/i.test(m)) {
    return `Cannot read ${fileName}: image dimensions are too large (over the pixel limit; possible decompression bomb)`;
  }
  if (/premature end|truncated|unexpected end/i.test(m)) {
    return `Cannot read ${fileName}: the file is truncated (premature end of image data)`;
  }
  if (/unsupported image format|input file is missing|bad seek/i.test(m)) {
    return `Cannot read ${fileName}: not a photo sharp can decode (${m})`;
  }
  return `Cannot read ${fileName}: corrupt or invalid image data (${m})`;
}

/** EXIF orientation as sharp operations, for RAW previews whose JPEG lacks the tag. */
export function orientationOps(orientation: number | null): { angle: number; flop: boolean } {
  switch (orientation) {
    case 2:
      return { angle: 0, flop: true };
    case 3:
      return { angle: 180, flop: false };
    case 4:
      return { angle: 180, flop: true };
    case 5:
      return { angle: 90, flop: true };
    case 6:
      return { angle: 90, flop: false };
    case 7:
      return { angle: 270, flop: true };
    case 8:
      return { angle: 270, flop: false };
    default:
      return { angle: 0, flop: false };
  }
}

/** Width and height of a w x h image scaled to fit inside a square of `long` pixels. */
export function fitInside(width: number, height: number, long: number): { width: number; height: number } {
  const scale = long / Math.max(width, height, 1);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Writes next to the target then renames, so a killed process never leaves half a preview behind.
 * Returns the file's size and modification time, taken from the temporary file (the rename keeps
 * them): the target's name may already be another worker's file by the time it could be looked
 * at, as the same photo in two events renders to one name.
 */
async function writeAtomically(target: string, data: Uint8Array): Promise<{ size: number; mtimeMs: number }> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
  try {
    await writeFile(temp, data);
    const info = await stat(temp);
    await rename(temp, target);
    return info;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes a preview or thumbnail and hashes the bytes written, here on the worker thread (both
 * files of a photo, ~270 kB: 0.2 ms on one core with SHA extensions), for the sync differ's
 * cache (sync/media-hashes.ts): its first run after an event is enrolled then reads none of
 * them, where it used to read and hash them all on the engine's main thread. For bench:sync's
 * 2,000 photos (535 MB, in the page cache) that was about 0.35 s of SHA-256 plus the reads, too
 * little for the bench to see; what it saves is reading every file of a large event from disk.
 */
async function writeMediaFile(target: string, data: Uint8Array): Promise<MediaFileHash> {
  const sha256 = createHash('sha256').update(data).digest('hex');
  const { size, mtimeMs } = await writeAtomically(target, data);
  // Whole milliseconds, rounded as the differ's cache rounds the file's mtime when it compares.
  return { path: target, size, mtimeMs: Math.round(mtimeMs), sha256 };
}

interface DecodeInput {
  input: string | Buffer;
  metadata: PhotoMetadata;
  /** Orientation to apply by hand (RAW previews); null when sharp reads it from the JPEG itself. */
  manualOrientation: number | null;
  /** Set when `input` is already-decoded RGBA (a HEIC sharp cannot read, decoded by libheif-js). */
  raw?: { width: number; height: number; channels: 4 };
}

/** A sharp pipeline over the input, telling sharp the layout of already-decoded pixels. */
function sharpOf(input: DecodeInput, options: SharpOptions): Sharp {
  return sharp(input.input, input.raw ? { ...options, raw: input.raw } : options);
}

/**
 * A HEIC decoded by libheif-js (sharp's prebuilt libvips has no HEVC decoder), once, to RGBA
 * that every later step reads as raw pixels. libheif has already turned it upright (irot/imir),
 * so no orientation is applied to it again.
 */
async function decodeHeicInput(task: PhotoTask, fileName: string, metadata: PhotoMetadata): Promise<DecodeInput> {
  const { rgba, width, height } = decodeHeif(await readFile(task.path), fileName, { maxPixels: task.media.maxInputPixels });
  return { input: rgba, metadata, manualOrientation: null, raw: { width, height, channels: 4 } };
}

async function openInput(task: PhotoTask, fileName: string): Promise<DecodeInput> {
  if (task.format === 'jpeg') {
    // Read once into memory (the file was just hashed: it is in the page cache) so its scan can
    // be checked for zeroed stretches before libjpeg papers over them.
    const file = await readFile(task.path);
    return { input: file, metadata: await readPhotoMetadata(file), manualOrientation: null };
  }
  if (!RAW_FORMATS.has(task.format)) {
    return { input: task.path, metadata: await readPhotoMetadata(task.path), manualOrientation: null };
  }
  const file = await readFile(task.path);
  const view = extractEmbeddedJpeg(file, fileName);
  const jpeg = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  const rawTags = await readPhotoMetadata(file);
  const previewTags = await readPhotoMetadata(jpeg);
  const metadata = mergeMetadata(rawTags, previewTags);
  return {
    input: jpeg,
    metadata,
    manualOrientation: previewTags.orientation === null ? rawTags.orientation : null,
  };
}

/**
 * Full-resolution pixels of one region of the original, oriented like the analysis image. Only
 * stages that need detail for small faces call this, once per photo at most.
 */
async function loadOriginalRegion(
  input: DecodeInput,
  task: PhotoTask,
  region: { x: number; y: number; width: number; height: number },
  analysisWidth: number,
  originalWidth: number,
  originalHeight: number,
): Promise<OriginalRegion | null> {
  const scale = originalWidth / analysisWidth;
  if (scale <= 1) return null;
  const left = Math.max(0, Math.floor(region.x * scale));
  const top = Math.max(0, Math.floor(region.y * scale));
  const width = Math.min(originalWidth - left, Math.ceil(region.width * scale));
  const height = Math.min(originalHeight - top, Math.ceil(region.height * scale));
  if (width < 1 || height < 1) return null;
  let pipeline = sharpOf(input, { limitInputPixels: task.media.maxInputPixels, sequentialRead: true });
  if (input.manualOrientation !== null) {
    const ops = orientationOps(input.manualOrientation);
    pipeline = pipeline.rotate(ops.angle);
    if (ops.flop) pipeline = pipeline.flop();
  } else {
    pipeline = pipeline.autoOrient();
  }
  const { data, info } = await pipeline
    .extract({ left, top, width, height })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    scale,
    offsetX: left,
    offsetY: top,
  };
}

/**
 * libjpeg reports damaged scan data only as a warning, and paints what it could not decode
 * grey: an overwritten run of scan bytes gave a flat grey preview, no faces, and a photo marked
 * ready. These warnings mean pixels were made up. The other warnings libjpeg has ("Invalid SOS
 * parameters for sequential JPEG", an unknown JFIF revision, a few stray bytes before a marker)
 * are quirks of encoders whose pictures decode whole, so a photo is never refused for them.
 */
const DAMAGED_SCAN_WARNINGS = [
  /premature end of data segment/i,
  /premature end of JPEG file/i,
  /bad Huffman code/i,
  /Huffman code size table overflow/i,
  /found marker 0x[0-9a-f]{2} instead of RST/i,
  /invalid arithmetic code|arithmetic code bad/i,
];
/**
 * A scan that ends this far before the next marker left most of its data unread (a progressive
 * JPEG with later scans overwritten: 150 kB of them in the test); encoder padding is a few bytes.
 */
const EXTRANEOUS_BYTES_OF_DAMAGE = 4096;

/** Decodes again to read a warning whose message came back without libjpeg's words. */
const WARNING_REREADS = 3;

/**
 * Pure: whether sharp's message carries a libjpeg warning at all (not only libvips' "treated as
 * error" line). libjpeg's warnings reach it as "VipsJpeg: …", so the one word is enough.
 */
export function namesAJpegWarning(message: string): boolean {
  return /jpeg/i.test(message.replace(/Warning treated as error due to failOn setting/gi, ''));
}

/** Pure: whether a libjpeg warning (raised as an error by failOn 'warning') means damaged image data. */
export function judgeJpegWarning(message: string): { damaged: boolean; warning: string } {
  const warning = (
    /Corrupt JPEG data:[^\n]*|Premature end of JPEG file|Invalid SOS parameters[^\n]*/i.exec(message)?.[0] ??
    message.split('\n')[0] ??
    message
  ).trim();
  const extraneous = /(\d+) extraneous bytes before marker/i.exec(message);
  if (extraneous) return { damaged: Number(extraneous[1]) >= EXTRANEOUS_BYTES_OF_DAMAGE, warning };
  return { damaged: DAMAGED_SCAN_WARNINGS.some((re) => re.test(message)), warning };
}

/**
 * JPEGs (and RAW files' embedded JPEGs) decode with libjpeg's warnings raised, so damaged scan
 * data is seen (judgeJpegWarning). Other formats keep 'error': libpng warns about harmless
 * things (an sRGB profile it knows to be slightly off) in many exported PNGs.
 */
function failOnFor(format: PhotoTask['format']): 'warning' | 'error' {
  return format === 'jpeg' || RAW_FORMATS.has(format) ? 'warning' : 'error';
}

/** Decodes once, with shrink-on-load, to the preview size: the pixels every later step uses. */
async function decodeForPreview(
  decodeInput: DecodeInput,
  task: PhotoTask,
  failOn: 'warning' | 'error',
): Promise<{ decoded: { data: Buffer; info: OutputInfo }; originalWidth: number; originalHeight: number }> {
  const source = sharpOf(decodeInput, { limitInputPixels: task.media.maxInputPixels, failOn });
  const header = await source.metadata();
  // autoOrient has already swapped these for 90° orientations.
  let originalWidth = header.autoOrient?.width ?? header.width ?? 0;
  let originalHeight = header.autoOrient?.height ?? header.height ?? 0;
  let pipeline = source.clone();
  if (decodeInput.manualOrientation !== null) {
    const ops = orientationOps(decodeInput.manualOrientation);
    pipeline = pipeline.rotate(ops.angle);
    if (ops.flop) pipeline = pipeline.flop();
    if (ops.angle === 90 || ops.angle === 270) [originalWidth, originalHeight] = [originalHeight, originalWidth];
  } else {
    pipeline = pipeline.autoOrient();
  }
  const long = task.media.previewLongSide;
  const decoded = await pipeline
    // Catmull-Rom instead of the default Lanczos-3 for the last step after shrink-on-load
    // (3000 -> 2048 px): 8-15 ms less per 24 MP photo, no visible difference at this ratio, and
    // face descriptors from it within 0.004 cosine of Lanczos-3's (threshold 0.041).
    .resize({ width: long, height: long, fit: 'inside', withoutEnlargement: true, kernel: 'cubic' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { decoded, originalWidth, originalHeight };
}

/** The decoded image fitted inside OVERVIEW_LONG_SIDE: the face detector's whole-photo pass. */
function resizeToOverview(decoded: { data: Buffer; info: OutputInfo }): Promise<{ data: Buffer; info: OutputInfo }> {
  const { data, info } = decoded;
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .resize({ width: OVERVIEW_LONG_SIDE, height: OVERVIEW_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
}

const asOverview = (o: { data: Buffer; info: OutputInfo }): NonNullable<AnalysisImage['overview']> => ({
  pixels: o.data,
  width: o.info.width,
  height: o.info.height,
});

export async function renderPhoto(task: PhotoTask, stages: readonly AnalysisStage[]): Promise<PhotoTaskResult> {
  const fileName = basename(task.path);
  const started = performance.now();
  let decodeInput: DecodeInput;
  try {
    decodeInput = await openInput(task, fileName);
  } catch (err) {
    if (err instanceof RawPreviewError) return { ok: false, failure: 'permanent', error: err.message };
    const e = describeFsError(err as NodeJS.ErrnoException, fileName);
    return { ok: false, failure: e.kind, error: e.message };
  }
  // A JPEG (or a RAW's embedded one) with a stretch of its scan zeroed on the card: libjpeg
  // decodes it without a warning into made-up texture (camera-files/zeroed-scan.ts).
  const zeroed = typeof decodeInput.input === 'string' || decodeInput.raw ? 0 : longestZeroRunInScan(decodeInput.input);
  if (zeroed >= ZEROED_RUN_BYTES) {
    return {
      ok: false,
      failure: 'permanent',
      error: `Cannot read ${fileName}: the image data is damaged: ${Math.round(zeroed / 1024)} KB of it are zeros, a stretch lost on the card (the picture would show made-up texture from there on); copy it from the card again`,
    };
  }
  const readDone = performance.now();

  let decoded: { data: Buffer; info: OutputInfo };
  let originalWidth: number;
  let originalHeight: number;
  try {
    try {
      ({ decoded, originalWidth, originalHeight } = await decodeForPreview(decodeInput, task, failOnFor(task.format)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code || failOnFor(task.format) !== 'warning') throw err;
      let message = (err as Error).message;
      // libvips keeps one error buffer per process: while other photo workers' decodes fail at the
      // same moment, this one may read only "Warning treated as error due to failOn setting" (or
      // "Unknown error"), without libjpeg's warning, and a damaged photo went on as a grey picture
      // (about 7% of concurrent damaged decodes with four threads). Such a message is read again.
      let clean: Awaited<ReturnType<typeof decodeForPreview>> | null = null;
      for (let tries = 0; !namesAJpegWarning(message) && tries < WARNING_REREADS && !clean; tries += 1) {
        try {
          clean = await decodeForPreview(decodeInput, task, 'warning'); // the warning was another file's
        } catch (again) {
          if ((again as NodeJS.ErrnoException).code) throw again;
          message = (again as Error).message;
        }
      }
      const verdict = clean ? { damaged: false, warning: '' } : judgeJpegWarning(message);
      if (verdict.damaged) {
        return {
          ok: false,
          failure: 'permanent',
          error: `Cannot read ${fileName}: the image data is damaged (${verdict.warning}): part of the picture could not be decoded and would show as grey (a card read error, or the file was overwritten); copy it from the card again`,
        };
      }
      // A quirk of the encoder, not damage (or an error that stops the tolerant decode too):
      // decoded a second time, which happens only for such files.
      ({ decoded, originalWidth, originalHeight } = clean ?? (await decodeForPreview(decodeInput, task, 'error')));
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code) {
      const fsErr = describeFsError(e, fileName);
      return { ok: false, failure: fsErr.kind, error: fsErr.message };
    }
    // sharp's libvips has no HEVC decoder, so an HEVC HEIC always lands here. Its message cannot
    // be trusted to say so: libvips keeps one error buffer per process, and while another photo
    // worker's decode fails at the same time, this one reads "Unknown error" or the other file's
    // message (reproduced with four threads decoding HEICs: about a third of the failures; it
    // failed a good HEIC in CI). So an HEVC file goes to libheif-js whatever the message said, and
    // libheif-js checks the pixel limit itself.
    if (task.format !== 'heic' && !isMissingHeifCodec(e.message))
      return { ok: false, failure: 'permanent', error: describeDecodeError(e, fileName) };
    try {
      decodeInput = await decodeHeicInput(task, fileName, decodeInput.metadata);
      ({ decoded, originalWidth, originalHeight } = await decodeForPreview(decodeInput, task, 'error'));
    } catch (heifErr) {
      if (heifErr instanceof HeifDecodeError) return { ok: false, failure: 'permanent', error: heifErr.message };
      const fe = heifErr as NodeJS.ErrnoException;
      if (fe.code) {
        const fsErr = describeFsError(fe, fileName);
        return { ok: false, failure: fsErr.kind, error: fsErr.message };
      }
      return { ok: false, failure: 'permanent', error: describeDecodeError(fe, fileName) };
    }
  }
  const decodeDone = performance.now();

  const { data, info } = decoded;
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
  const previewPath = mediaRelativePath('previews', task.sha256);
  const thumbnailPath = mediaRelativePath('thumbnails', task.sha256);
  let phash: string | null = null;
  let fileHashes: MediaFileHash[] = [];
  let overview: AnalysisImage['overview'];
  try {
    // Measured per 24 MP photo on one core: a progressive, Huffman-optimised preview cost
    // 53 ms against 10 ms for baseline without optimisation (files ~8% larger, served on a
    // LAN); the pHash from the 400 px thumbnail instead of the 2048 px image saves 13 ms.
    const encodePreview = task.previews
      ? sharp(data, raw).jpeg({ quality: task.media.previewQuality, optimiseCoding: false }).toBuffer()
      : null;
    // With faces on, one resize of the 2048 px image to the overview (the face detector's first
    // pass); the thumbnail, when no larger, is made from that instead of the 2048 px image again.
    const overviewOut = task.faces ? await resizeToOverview(decoded) : null;
    if (overviewOut) overview = asOverview(overviewOut);
    if (encodePreview) {
      const thumbnailFrom = overviewOut && task.media.thumbnailLongSide <= OVERVIEW_LONG_SIDE ? overviewOut : decoded;
      // Sized from the original's aspect, not the overview's rounded one (6000x4000 gives 400x267).
      const thumbSize = fitInside(originalWidth, originalHeight, task.media.thumbnailLongSide);
      const small = await sharp(thumbnailFrom.data, {
        raw: { width: thumbnailFrom.info.width, height: thumbnailFrom.info.height, channels: thumbnailFrom.info.channels },
      })
        .resize({ ...thumbSize, fit: 'fill' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const smallRaw = { raw: { width: small.info.width, height: small.info.height, channels: small.info.channels } } as const;
      const [previewJpeg, thumbnail, grey] = await Promise.all([
        encodePreview,
        sharp(small.data, smallRaw).webp({ quality: task.media.thumbnailQuality, effort: THUMBNAIL_WEBP_EFFORT }).toBuffer(),
        sharp(small.data, smallRaw).resize(PHASH_INPUT_SIZE, PHASH_INPUT_SIZE, { fit: 'fill' }).greyscale().raw().toBuffer(),
      ]);
      phash = perceptualHash(grey);
      fileHashes = [
        await writeMediaFile(mediaFilePath(task.dataDir, previewPath), previewJpeg),
        await writeMediaFile(mediaFilePath(task.dataDir, thumbnailPath), thumbnail),
      ];
    }
  } catch (err) {
    const e = describeFsError(err as NodeJS.ErrnoException, fileName);
    return { ok: false, failure: e.kind, error: e.message };
  }
  const renderDone = performance.now();

  let analysis: AnalysisOutput = {};
  try {
    const image = {
      pixels: data,
      width: info.width,
      height: info.height,
      channels: 3 as const,
      originalWidth,
      originalHeight,
      ...(overview ? { overview } : {}),
    };
    const ctx: AnalysisContext = {
      photoId: task.photoId,
      path: task.path,
      dataDir: task.dataDir,
      sha256: task.sha256,
      faces: task.faces,
      clip: task.clip ?? null,
      loadOriginalRegion: (region) => loadOriginalRegion(decodeInput, task, region, info.width, originalWidth, originalHeight),
    };
    for (const stage of stages) analysis = { ...analysis, ...(await stage.run(image, ctx)) };
  } catch (err) {
    return { ok: false, failure: 'transient', error: `Analysis of ${fileName} failed: ${(err as Error).message}` };
  }
  const done = performance.now();

  const m = decodeInput.metadata ?? EMPTY_METADATA;
  return {
    ok: true,
    photo: {
      ...(phash !== null
        ? {
            rendered: {
              width: originalWidth,
              height: originalHeight,
              capturedAt: m.capturedAt,
              capturedOffsetMinutes: m.capturedOffsetMinutes,
              cameraMake: m.cameraMake,
              cameraModel: m.cameraModel,
              cameraSerial: m.cameraSerial,
              lens: m.lens,
              orientation: m.orientation,
              phash,
              previewPath,
              thumbnailPath,
              fileHashes,
            },
          }
        : {}),
      ...(analysis.faces ? { faces: analysis.faces } : {}),
      ...(analysis.clipEmbedding ? { clipEmbedding: analysis.clipEmbedding } : {}),
    },
    ...(analysis.faceProvider ? { faceProvider: analysis.faceProvider } : {}),
    timings: {
      readMs: readDone - started,
      decodeMs: decodeDone - readDone,
      renderMs: renderDone - decodeDone,
      analyseMs: done - renderDone,
      totalMs: done - started,
    },
  };
}
