// Writing one planned photo into the destination: each file under a temporary name, then renamed,
// so a file under its final name is always complete and an interrupted export leaves nothing half
// written that a re-run would take for done. The other places of a photo (its people's folders)
// are hard links to the first where the disk allows, copies where it does not (FAT/exFAT sticks).
// A hard link is made under its final name at once: it appears whole or not at all.
import {
  close,
  copyFileSync,
  linkSync,
  open,
  readFile as readFileCallback,
  renameSync,
  writeFile as writeFileCallback,
  writev,
} from 'node:fs';
import { copyFile, mkdir, stat, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, extname, join } from 'node:path';
import type { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { watermarkJpeg } from '../watermark.js';
import { blurHiddenFaces } from './blur-hidden-faces.js';
import type { DestinationListing } from './destination-listing.js';
import { sidecarOf, type PlannedFile, type PlannedPhoto } from './export-plan.js';
import { jpegWithXmpParts, JpegXmpError, uprightSizeWithoutExif } from './jpeg-xmp.js';
import { xmpPacketOf } from './xmp-packet.js';
import { exifToolTagsOf, photoXmpOf, type PhotoXmp } from './xmp-tags.js';

// The callback forms: fs/promises' readFile and writeFile go through a FileHandle (a promise per
// open, stat, read and close), which cost 1.4× the time for a 250 KB preview in a microbenchmark
// at 8 in flight on this 2-core machine; the callback forms do the same calls with less of this thread.
const readFile = promisify(readFileCallback);
const writeFile = promisify(writeFileCallback);
/**
 * Names only (a hard link, a rename into place) are made on this thread: each is one short system
 * call, and handing it to libuv's threads cost more than the call itself, in this thread's time
 * spent waking a pool thread (bench:export on the 2-core VM, two runs each: folders + XMP 2.5× → 2.1× a plain copy).
 * Async so a failure is a rejection like every other write here.
 */
export const link = async (from: string, to: string): Promise<void> => linkSync(from, to);
export const rename = async (from: string, to: string): Promise<void> => renameSync(from, to);
/** The same for a small file (a gallery thumbnail, tens of KB): the copy is shorter than the hand-off. */
const copySmallFile = async (from: string, to: string): Promise<void> => copyFileSync(from, to);

const openFile = promisify(open);
const closeFile = promisify(close);
const writeParts = promisify(writev);

/** Writes the pieces one after another into a new file with as few calls as the kernel allows. */
async function writeFileParts(path: string, parts: Buffer[]): Promise<number> {
  const fd = await openFile(path, 'w');
  let total = 0;
  try {
    const left = parts.filter((part) => part.length > 0);
    while (left.length > 0) {
      // A regular file takes them all at once; a short write (nearly full disk) goes on from where it stopped.
      let { bytesWritten: written } = await writeParts(fd, left);
      if (written === 0) throw Object.assign(new Error('the disk took no more bytes'), { code: 'ENOSPC' });
      total += written;
      while (left.length > 0 && written >= left[0]!.length) written -= left.shift()!.length;
      if (written > 0) left[0] = left[0]!.subarray(written);
    }
  } finally {
    await closeFile(fd);
  }
  return total;
}

/** Marks a file being written; the extension stays last so ExifTool still knows the file type. */
export const PARTIAL_MARK = '.sf-part';
export const partialOf = (path: string): string => join(dirname(path), `.${basename(path)}${PARTIAL_MARK}${extname(path)}`);
export const isPartial = (name: string): boolean => name.startsWith('.') && name.includes(PARTIAL_MARK);

export interface FileWriteContext {
  root: string;
  /** Face regions, keywords, pick and capture time go into the files (embedded or as sidecars). */
  xmp: boolean;
  /**
   * ExifTool, started on first use: only for a copy our own writer cannot take (not a JPEG, a
   * damaged header, a packet bigger than one JPEG segment). Most exports never start it.
   */
  exiftool: () => ExifTool;
  names: ReadonlyMap<number, string>;
  /** Called with each file about to be written (relative), for progress and error messages. */
  writing(file: string): void;
  /** The exported images' sizes are wanted (the HTML gallery's pages); otherwise only XMP needs them. */
  needSizes: boolean;
  /** Folders made during this run: a 2,000-photo export would otherwise ask for each folder 10,000 times. */
  made: Set<string>;
  /** Which files are there already (an earlier run's, or this run's). */
  listing: DestinationListing;
  /** Text drawn onto each exported preview, or null. */
  watermark: string | null;
}

export interface PhotoWriteResult {
  written: number;
  alreadyThere: number;
  hardLinks: number;
  bytes: number;
  blurredFaces: number;
  /** The exported image's bytes when this run made them (for an HTML thumbnail), else null. */
  image: Buffer | null;
  imageSize: { width: number; height: number } | null;
}

/** Upright size of an image (EXIF orientation 5–8 swaps width and height). */
async function uprightSize(image: Buffer | string): Promise<{ width: number; height: number }> {
  const m = await sharp(image).metadata();
  const swap = (m.orientation ?? 1) >= 5;
  return { width: (swap ? m.height : m.width) ?? 0, height: (swap ? m.width : m.height) ?? 0 };
}

/** Makes the folder a file goes into, once per run. */
export async function folderFor(path: string, ctx: Pick<FileWriteContext, 'made'>): Promise<void> {
  const folder = dirname(path);
  if (ctx.made.has(folder)) return;
  await mkdir(folder, { recursive: true });
  ctx.made.add(folder);
}

/**
 * Another place of a file already written. Partials of an interrupted run were removed when this
 * run started (run-export.ts).
 */
async function placeLinkOrCopy(from: string, to: string, small = false): Promise<'link' | 'copy' | 'there'> {
  try {
    await link(from, to);
    return 'link';
  } catch (err) {
    // Put there since the listing was read (by hand, or a folder shared by two people's names).
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'there';
    // EXDEV (another disk), EPERM/ENOTSUP (FAT, exFAT, some network shares): a copy instead.
  }
  const tmp = partialOf(to);
  await withoutPartial(tmp, () => (small ? copySmallFile(from, tmp) : copyFile(from, tmp)));
  await rename(tmp, to);
  return 'copy';
}

/**
 * A gallery thumbnail as the engine made it (no face in it hidden): a hard link to the engine's
 * file where the destination is on the laptop's disk, a copy on a stick. The engine never changes
 * a thumbnail in place (a new one is written beside it and renamed over it), so the export's link
 * keeps what it was exported with. Copying them was 0.4 ms of this thread each (2,000 thumbnails:
 * about a quarter of the HTML gallery's time in bench:export); a link is one short call.
 */
export const placeThumbnail = async (from: string, to: string): Promise<void> => {
  await placeLinkOrCopy(from, to, true);
};

/** A failed write leaves no partial behind (a full disk gets its space back for the message and the retry). */
async function withoutPartial<T>(tmp: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    await unlink(tmp).catch(() => undefined); // never written, or already gone with the destination
    throw err;
  }
}

/** The image with its XMP embedded by our writer, or null when only ExifTool can embed it (see FileWriteContext.exiftool). */
function withEmbeddedXmp(image: Buffer, xmp: PhotoXmp): Buffer[] | null {
  try {
    return jpegWithXmpParts(image, xmpPacketOf(xmp), xmp.capturedAt);
  } catch (err) {
    if (err instanceof JpegXmpError) return null;
    throw err;
  }
}

/** Writes the image (with its XMP); the bytes written, or null when ExifTool wrote them (it may change the size). */
async function writeBytes(to: string, bytes: Buffer, xmp: PhotoXmp | null, ctx: FileWriteContext): Promise<number | null> {
  const tmp = partialOf(to);
  return withoutPartial(tmp, async () => {
    // Nothing to say (no exported people, no pick, no capture time): the file stays as it is, as with ExifTool.
    const nothing = !xmp || (xmp.regions === null && xmp.people.length === 0 && !xmp.pick && xmp.capturedAt === null);
    const embedded = nothing ? [bytes] : withEmbeddedXmp(bytes, xmp);
    const written = await writeFileParts(tmp, embedded ?? [bytes]);
    // -overwrite_original: the temporary file is ours; ExifTool's own backup copy would be left beside it.
    if (embedded === null && xmp) await ctx.exiftool().write(tmp, exifToolTagsOf(xmp, 'embedded'), { writeArgs: ['-overwrite_original'] });
    await rename(tmp, to);
    return embedded === null && xmp ? null : written;
  });
}

/** The first place of a file: made from its source (linked, copied, or re-encoded with faces blurred and XMP embedded). */
async function writeFirst(
  planned: PlannedPhoto,
  file: PlannedFile,
  to: string,
  ctx: FileWriteContext,
): Promise<{ how: 'link' | 'copy' | 'made'; image: Buffer | null; size: { width: number; height: number }; bytes: number | null }> {
  const photoSize = { width: planned.photo.width, height: planned.photo.height };
  if (file.source.kind === 'original') {
    // The camera's file is never opened for writing: a hard link or a copy, metadata beside it.
    const how = await placeLinkOrCopy(file.source.path, to);
    return { how: how === 'copy' ? 'copy' : 'link', image: null, size: photoSize, bytes: null };
  }
  const xmpHere = file.xmp === 'embedded' && ctx.xmp;
  if (file.source.kind === 'preview' && planned.hidden.length === 0 && !xmpHere && !ctx.watermark) {
    // Nothing to change in the preview: the kernel copies it (no bytes through this process).
    const tmp = partialOf(to);
    await withoutPartial(tmp, async () => {
      await copyFile(file.source.path, tmp);
      await rename(tmp, to);
    });
    return { how: 'copy', image: null, size: ctx.needSizes ? await uprightSize(to) : photoSize, bytes: null };
  }
  const source = await readFile(file.source.path);
  const size = file.source.kind === 'preview' ? (uprightSizeWithoutExif(source) ?? (await uprightSize(source))) : photoSize;
  const blurred = await blurHiddenFaces(source, planned.hidden, photoSize);
  // The watermark goes on after the blur, on previews only (an original is never changed).
  const image = ctx.watermark && file.source.kind === 'preview' ? await watermarkJpeg(blurred, ctx.watermark) : blurred;
  const bytes = await writeBytes(to, image, xmpHere ? photoXmpOf(planned, ctx.names, size) : null, ctx);
  return { how: 'made', image, size, bytes };
}

async function writeSidecar(
  planned: PlannedPhoto,
  place: string,
  size: { width: number; height: number },
  ctx: FileWriteContext,
): Promise<boolean> {
  const to = join(ctx.root, sidecarOf(place));
  if (!ctx.xmp || (await ctx.listing.has(to))) return false;
  ctx.writing(sidecarOf(place));
  const tmp = partialOf(to);
  await unlink(tmp).catch(() => undefined); // a partial left by an interrupted run
  await withoutPartial(tmp, async () => {
    // The packet is the whole sidecar (no padding: a sidecar is rewritten whole by any editor).
    await writeFile(tmp, xmpPacketOf(photoXmpOf(planned, ctx.names, size), 0));
    await rename(tmp, to);
  });
  await ctx.listing.add(to);
  return true;
}

/** Writes what is missing of one photo; what an earlier run finished is left as it is. */
export async function writePlannedPhoto(planned: PlannedPhoto, ctx: FileWriteContext): Promise<PhotoWriteResult> {
  const result: PhotoWriteResult = { written: 0, alreadyThere: 0, hardLinks: 0, bytes: 0, blurredFaces: 0, image: null, imageSize: null };
  for (const file of planned.files) {
    const [first, ...others] = file.places.map((p) => join(ctx.root, p));
    const firstPlace = file.places[0]!;
    let size: { width: number; height: number };
    if (await ctx.listing.has(first!)) {
      result.alreadyThere += 1;
      size =
        file.source.kind === 'preview' && ctx.needSizes
          ? await uprightSize(first!)
          : { width: planned.photo.width, height: planned.photo.height };
    } else {
      ctx.writing(firstPlace);
      await folderFor(first!, ctx);
      const made = await writeFirst(planned, file, first!, ctx);
      await ctx.listing.add(first!);
      size = made.size;
      result.written += 1;
      if (made.how !== 'link') result.bytes += made.bytes ?? (await stat(first!)).size;
      if (made.how === 'link') result.hardLinks += 1;
      result.blurredFaces += file.source.kind === 'original' ? 0 : planned.hidden.length;
      if (made.image && result.image === null) result.image = made.image;
    }
    result.imageSize ??= size;
    if (file.xmp === 'sidecar') await writeSidecar(planned, firstPlace, size, ctx);
    // A photo's other places at once: each is a link (or a copy) of the first, and with them in
    // flight together libuv's threads make them side by side rather than one after another.
    const placed = await Promise.allSettled(
      others.map(async (place, i) => {
        const relative = file.places[i + 1]!;
        if (!(await ctx.listing.has(place))) {
          ctx.writing(relative);
          await folderFor(place, ctx);
          const how = await placeLinkOrCopy(first!, place);
          if (how === 'link') result.hardLinks += 1;
          else if (how === 'copy') result.bytes += (await stat(place)).size;
          await ctx.listing.add(place);
        }
        if (file.xmp === 'sidecar') {
          const sidecar = join(ctx.root, sidecarOf(relative));
          const firstSidecar = join(ctx.root, sidecarOf(firstPlace));
          if (!(await ctx.listing.has(sidecar)) && (await ctx.listing.has(firstSidecar))) {
            ctx.writing(sidecarOf(relative));
            await folderFor(sidecar, ctx);
            await placeLinkOrCopy(firstSidecar, sidecar);
            await ctx.listing.add(sidecar);
          }
        }
      }),
    );
    // Every place has settled before the first failure is reported: nothing is written after it.
    const failed = placed.find((p): p is PromiseRejectedResult => p.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return result;
}
