// Which files in a hot folder are photos, what format they are, and whether the camera
// tool has finished writing them. Decisions only: the caller supplies the bytes.
import type { FileHandle } from 'node:fs/promises';

export type PhotoFormat = 'jpeg' | 'png' | 'tiff' | 'heic' | 'avif' | 'raw-tiff' | 'cr3' | 'raf';

export const PHOTO_EXTENSIONS: readonly string[] = [
  '.jpg',
  '.jpeg',
  '.png',
  '.tif',
  '.tiff',
  '.heic',
  '.heif',
  '.avif',
  '.cr2',
  '.cr3',
  '.nef',
  '.arw',
  '.raf',
  '.orf',
  '.dng',
];

/** RAW formats built on TIFF; the same magic as a plain .tif, so only the name tells them apart. */
const TIFF_RAW_EXTENSIONS: readonly string[] = ['.cr2', '.nef', '.arw', '.orf', '.dng'];

// Tethering and transfer tools (browsers, FTP servers, Capture One, EOS Utility, rsync-like
// copiers) write under a temporary name and rename when done. Taking such a file would
// ingest half a photo, and the rename then shows up as a second, complete file.
const WRITE_IN_PROGRESS_SUFFIXES: readonly string[] = ['.tmp', '.part', '.partial', '.crdownload', '.download'];

function baseName(fileName: string): string {
  const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  return cut === -1 ? fileName : fileName.slice(cut + 1);
}

function extensionOf(fileName: string): string {
  const name = baseName(fileName);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

export function isCandidatePhotoName(fileName: string): boolean {
  const name = baseName(fileName);
  // A leading dot covers hidden files and the macOS AppleDouble companions ("._IMG_1.jpg")
  // that Finder writes onto exFAT/FAT cards and SMB shares: they hold resource forks, not pixels.
  if (name.startsWith('.')) return false;
  // "~$name" is Office-style owner/lock files; a trailing "~" is an editor or copier backup.
  if (name.startsWith('~$') || name.endsWith('~')) return false;
  const lower = name.toLowerCase();
  if (WRITE_IN_PROGRESS_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return false;
  return PHOTO_EXTENSIONS.includes(extensionOf(name));
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  if (bytes.length < start + length) return '';
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function startsWithBytes(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((value, i) => bytes[i] === value);
}

const JPEG_SOI = [0xff, 0xd8, 0xff] as const;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const RAF_MAGIC = 'FUJIFILMCCD-RAW';

// HEIF brands written by iPhones, Samsung and Canon HIF files (HEVC-coded images and sequences).
const HEIC_BRANDS: ReadonlySet<string> = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const AVIF_BRANDS: ReadonlySet<string> = new Set(['avif', 'avis']);
// Generic HEIF brands that say "image file" without naming the codec.
const GENERIC_HEIF_BRANDS: ReadonlySet<string> = new Set(['mif1', 'msf1', 'mif2', 'miaf']);
const CR3_BRAND = 'crx ';

type TiffFlavour = 'tiff' | 'bigtiff' | 'orf';

function tiffFlavour(head: Uint8Array): TiffFlavour | null {
  const magic = ascii(head, 0, 4);
  if (magic === 'II*\0' || magic === 'MM\0*') return 'tiff';
  if (magic === 'II+\0' || magic === 'MM\0+') return 'bigtiff';
  // Olympus replaced TIFF's 42 with "RO" (and "RS" on some models) but kept the layout.
  if (magic === 'IIRO' || magic === 'IIRS' || magic === 'MMOR') return 'orf';
  return null;
}

function bmffFormat(head: Uint8Array, fileName: string): PhotoFormat | null {
  if (ascii(head, 4, 4) !== 'ftyp') return null;
  const boxSize = readU32(head, 0, false);
  const brands: string[] = [ascii(head, 8, 4)];
  // Compatible brands follow the 4-byte minor version; read only what the head holds.
  const end = Math.min(boxSize, head.length);
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(head, offset, 4));
  const major = brands[0] ?? '';
  if (major === CR3_BRAND) return 'cr3';
  if (AVIF_BRANDS.has(major)) return 'avif';
  if (HEIC_BRANDS.has(major)) return 'heic';
  if (!GENERIC_HEIF_BRANDS.has(major) && !brands.some((b) => GENERIC_HEIF_BRANDS.has(b))) {
    // Any other ISO-BMFF file (MP4, MOV, 3GP) is video, not a photo.
    return null;
  }
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
  if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
  return extensionOf(fileName) === '.avif' ? 'avif' : 'heic';
}

/**
 * The format the bytes say, or null when they are not a photo we can read. `head` is the
 * start of the file (64 bytes is plenty); the name only breaks ties the bytes cannot.
 */
export function detectFormat(head: Uint8Array, fileName: string): PhotoFormat | null {
  if (startsWithBytes(head, JPEG_SOI)) return 'jpeg';
  if (startsWithBytes(head, PNG_SIGNATURE)) return 'png';
  if (ascii(head, 0, RAF_MAGIC.length) === RAF_MAGIC) return 'raf';
  const flavour = tiffFlavour(head);
  if (flavour === 'orf') return 'raw-tiff';
  if (flavour !== null) {
    // CR2 also marks itself with "CR" after the header, so a renamed CR2 is still RAW.
    if (TIFF_RAW_EXTENSIONS.includes(extensionOf(fileName)) || ascii(head, 8, 2) === 'CR') return 'raw-tiff';
    return 'tiff';
  }
  return bmffFormat(head, fileName);
}

export type Completeness =
  | { state: 'complete' }
  /** The end is not there yet: still being written, or cut off. */
  | { state: 'incomplete'; reason: string }
  /** The bytes already there contradict each other: no amount of further writing makes a photo. */
  | { state: 'damaged'; reason: string }
  | { state: 'unknown' };

/** Random reads into a file; `read` returns fewer than `length` bytes only at end of file. */
export interface RandomAccessFile {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

const COMPLETE: Completeness = { state: 'complete' };
const UNKNOWN: Completeness = { state: 'unknown' };

function incomplete(reason: string): Completeness {
  return { state: 'incomplete', reason };
}

function damaged(reason: string): Completeness {
  return { state: 'damaged', reason };
}

// A structure that says the file runs to 2 GiB or more is a corrupt pointer, not a photo still
// arriving: RAW files are read whole with readFile, which stops at 2 GiB, and a 2 GiB TIFF
// would hold over 350 MP even at 16-bit RGB, past sharp's default 268 MP pixel limit.
const MAX_PHOTO_BYTES = 2 ** 31;

/** `what` ends at byte `end`, past the end of the file: cut off, or a pointer no photo can have. */
function endsPastFile(what: string, end: number, size: number): Completeness {
  if (end >= MAX_PHOTO_BYTES) {
    return damaged(
      `${what} would end at byte ${end}, but no photo is 2 GiB or larger and the file has ${size} bytes (the offset is corrupt)`,
    );
  }
  return incomplete(`${what} ends at byte ${end} but the file has ${size} bytes (file still being written or truncated)`);
}

function readU16(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  const a = bytes[offset] ?? 0;
  const b = bytes[offset + 1] ?? 0;
  return littleEndian ? a | (b << 8) : (a << 8) | b;
}

function readU32(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  const low = readU16(bytes, littleEndian ? offset : offset + 2, littleEndian);
  const high = readU16(bytes, littleEndian ? offset + 2 : offset, littleEndian);
  return high * 0x10000 + low;
}

// --- JPEG -------------------------------------------------------------------------------

/** Where the end-of-image marker is looked for, counted back from the last non-padding byte. */
const JPEG_EOI_WINDOW = 64;
// Some bodies (older Nikons, several Sony models) and FTP transfer modes pad a finished JPEG
// with zeros or 0xFF up to a block size. Padding longer than this is a preallocated file
// that is still being filled, not padding.
const JPEG_MAX_TRAILING_PADDING = 1 << 20;
const JPEG_TAIL_CHUNK = 4096;

function isJpegPadding(byte: number): boolean {
  return byte === 0x00 || byte === 0xff;
}

async function checkJpeg(file: RandomAccessFile): Promise<Completeness> {
  const head = await file.read(0, 2);
  if (head.length < 2) return incomplete('JPEG start marker is cut off (file still being written or truncated)');
  if (head[0] !== 0xff || head[1] !== 0xd8) return damaged('no JPEG start marker at the beginning of the file');

  // Walk back over trailing padding in chunks, then look for FF D9 just before it.
  let contentEnd = file.size;
  while (contentEnd > 2 && file.size - contentEnd <= JPEG_MAX_TRAILING_PADDING) {
    const start = Math.max(2, contentEnd - JPEG_TAIL_CHUNK);
    const chunk = await file.read(start, contentEnd - start);
    let i = chunk.length;
    while (i > 0 && isJpegPadding(chunk[i - 1] ?? 0)) i -= 1;
    if (i > 0) {
      contentEnd = start + i;
      break;
    }
    contentEnd = start;
  }
  // Entropy-coded data never holds FF D9 (a coded 0xFF is always followed by 00 or RSTn),
  // so FF D9 near the end is the end-of-image marker. It need not be the very last byte:
  // some phones append a trailer (e.g. Samsung's) after it.
  const windowStart = Math.max(0, contentEnd - JPEG_EOI_WINDOW);
  const tail = await file.read(windowStart, contentEnd - windowStart);
  for (let i = tail.length - 2; i >= 0; i -= 1) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return COMPLETE;
  }
  return incomplete('no JPEG end marker (file still being written or truncated)');
}

// --- PNG --------------------------------------------------------------------------------

const PNG_IEND = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82] as const;

async function checkPng(file: RandomAccessFile): Promise<Completeness> {
  const head = await file.read(0, PNG_SIGNATURE.length);
  // Judge only the bytes that are there: a file cut inside the signature may still be written.
  if (!head.every((byte, i) => byte === PNG_SIGNATURE[i])) return damaged('no PNG signature at the beginning of the file');
  if (head.length < PNG_SIGNATURE.length) return incomplete('PNG signature is cut off (file still being written or truncated)');
  if (file.size < PNG_SIGNATURE.length + PNG_IEND.length) return incomplete('PNG ends before its first chunk');
  const tail = await file.read(file.size - PNG_IEND.length, PNG_IEND.length);
  if (!startsWithBytes(tail, PNG_IEND)) return incomplete('no PNG IEND chunk at the end (file still being written or truncated)');
  return COMPLETE;
}

// --- ISO-BMFF (HEIC, AVIF, CR3) ---------------------------------------------------------

const BMFF_HEADER_READ = 16;
// A photo has a handful of top-level boxes (ftyp, meta, moov, uuid, mdat); thousands means
// we are walking garbage, and each step costs a read.
const BMFF_MAX_TOP_LEVEL_BOXES = 10_000;

async function checkBmff(file: RandomAccessFile): Promise<Completeness> {
  let offset = 0;
  for (let boxes = 0; boxes < BMFF_MAX_TOP_LEVEL_BOXES; boxes += 1) {
    if (offset === file.size) return COMPLETE;
    const header = await file.read(offset, BMFF_HEADER_READ);
    if (header.length < 8) return incomplete(`box header at byte ${offset} is cut off (file still being written or truncated)`);
    const type = ascii(header, 4, 4);
    const size32 = readU32(header, 0, false);
    let boxSize: number;
    if (size32 === 0) {
      // Size 0 means "runs to the end of the file"; only legal for the last box.
      return COMPLETE;
    } else if (size32 === 1) {
      if (header.length < 16) return incomplete(`box '${type}' at byte ${offset} is cut off (file still being written or truncated)`);
      boxSize = readU32(header, 8, false) * 0x1_0000_0000 + readU32(header, 12, false);
      if (boxSize < 16) return damaged(`box '${type}' at byte ${offset} has an invalid size ${boxSize}`);
    } else {
      boxSize = size32;
      if (boxSize < 8) return damaged(`box '${type}' at byte ${offset} has an invalid size ${boxSize}`);
    }
    const end = offset + boxSize;
    if (end > file.size) {
      return incomplete(
        `box '${type}' at byte ${offset} ends at byte ${end} but the file has ${file.size} bytes (file still being written or truncated)`,
      );
    }
    offset = end;
  }
  return UNKNOWN;
}

// --- TIFF and TIFF-based RAW ------------------------------------------------------------

// Enough for CR2 (4 IFDs), NEF/ARW/DNG (IFD0 + SubIFDs + EXIF) and multi-page scans; a longer
// chain in a photo is garbage, and we would rather fall back to size stability than spin.
const TIFF_MAX_IFDS = 64;
// A 100 MP DNG tiled at 256 px has ~1600 tiles; a strip per row of a huge scan ~50 000.
const TIFF_MAX_ARRAY_VALUES = 1 << 20;
// Over the whole walk: 64 directories could each point at 2^20-value tables (three offset/
// length pairs) and make one check read 1.5 GB and loop 400 million times. 2^20 values in all
// is still ten times the strip tables of a huge scan, and a crafted file beyond it falls back
// to size stability after ~0.1 s of reading instead of minutes.
const TIFF_MAX_VALUES_PER_FILE = TIFF_MAX_ARRAY_VALUES;
const TIFF_MAX_ENTRIES_PER_IFD = 4096;
const TIFF_ENTRY_BYTES = 12;
const TIFF_HEADER_BYTES = 8;

const TAG_STRIP_OFFSETS = 273;
const TAG_STRIP_BYTE_COUNTS = 279;
const TAG_TILE_OFFSETS = 324;
const TAG_TILE_BYTE_COUNTS = 325;
const TAG_JPEG_OFFSET = 513;
const TAG_JPEG_LENGTH = 514;
// NEF, ARW and DNG keep the full-size preview and the sensor data in SubIFDs, not the main chain.
const TAG_SUB_IFDS = 330;

const DATA_TAG_PAIRS: ReadonlyArray<readonly [offsets: number, lengths: number, name: string]> = [
  [TAG_STRIP_OFFSETS, TAG_STRIP_BYTE_COUNTS, 'strip'],
  [TAG_TILE_OFFSETS, TAG_TILE_BYTE_COUNTS, 'tile'],
  [TAG_JPEG_OFFSET, TAG_JPEG_LENGTH, 'JPEG preview'],
];

const TIFF_TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 1, // BYTE
  2: 1, // ASCII
  3: 2, // SHORT
  4: 4, // LONG
  5: 8, // RATIONAL
  6: 1, // SBYTE
  7: 1, // UNDEFINED
  8: 2, // SSHORT
  9: 4, // SLONG
  10: 8, // SRATIONAL
  11: 4, // FLOAT
  12: 8, // DOUBLE
  13: 4, // IFD
};
const TIFF_SHORT = 3;
const TIFF_LONG = 4;
const TIFF_IFD = 13;

interface TiffEntry {
  type: number;
  count: number;
  /** The 4-byte value field: inline values or the offset of out-of-line ones. */
  field: Uint8Array;
}

/** Thrown from inside the walk to end it with this verdict. */
class TiffVerdict extends Error {
  constructor(readonly verdict: Completeness) {
    super('TIFF walk ended early');
  }
}

/** How many more array values the walk may read (TIFF_MAX_VALUES_PER_FILE). */
interface ValueBudget {
  left: number;
}

async function readTiffValues(
  file: RandomAccessFile,
  entry: TiffEntry,
  littleEndian: boolean,
  what: string,
  budget: ValueBudget,
): Promise<number[] | null> {
  if (entry.type !== TIFF_SHORT && entry.type !== TIFF_LONG && entry.type !== TIFF_IFD) return [];
  if (entry.count > TIFF_MAX_ARRAY_VALUES || entry.count > budget.left) return null;
  budget.left -= entry.count;
  const width = entry.type === TIFF_SHORT ? 2 : 4;
  const byteLength = entry.count * width;
  let bytes = entry.field;
  if (byteLength > 4) {
    const offset = readU32(entry.field, 0, littleEndian);
    if (offset + byteLength > file.size)
      throw new TiffVerdict(endsPastFile(`${what} table at byte ${offset}`, offset + byteLength, file.size));
    bytes = await file.read(offset, byteLength);
  }
  const values: number[] = [];
  for (let i = 0; i < entry.count; i += 1) {
    values.push(width === 2 ? readU16(bytes, i * 2, littleEndian) : readU32(bytes, i * 4, littleEndian));
  }
  return values;
}

async function checkTiff(file: RandomAccessFile): Promise<Completeness> {
  const header = await file.read(0, TIFF_HEADER_BYTES);
  if (header.length < TIFF_HEADER_BYTES) return incomplete('TIFF header is cut off (file still being written or truncated)');
  const flavour = tiffFlavour(header);
  if (flavour === null) return damaged('no TIFF header at the beginning of the file');
  // BigTIFF uses 64-bit offsets; photos never need it, so leave it to size stability.
  if (flavour === 'bigtiff') return UNKNOWN;
  const littleEndian = header[0] === 0x49;

  const firstIfd = readU32(header, 4, littleEndian);
  // libtiff writes the header with offset 0 and links the first directory once it is written.
  if (firstIfd === 0) return incomplete('TIFF header points at no image directory yet (file still being written or truncated)');
  const pending: number[] = [firstIfd];
  const visited = new Set<number>();
  const budget: ValueBudget = { left: TIFF_MAX_VALUES_PER_FILE };
  try {
    while (pending.length > 0) {
      const ifdOffset = pending.shift() ?? 0;
      // Offset 0 ends a chain; a repeat is a loop some writers produce, already checked.
      if (ifdOffset === 0 || visited.has(ifdOffset)) continue;
      if (visited.size >= TIFF_MAX_IFDS) return UNKNOWN;
      visited.add(ifdOffset);

      if (ifdOffset < TIFF_HEADER_BYTES) {
        return damaged(`TIFF directory offset ${ifdOffset} points into the file's own ${TIFF_HEADER_BYTES}-byte header`);
      }
      if (ifdOffset + 2 > file.size) return endsPastFile(`TIFF directory at byte ${ifdOffset}`, ifdOffset + 2, file.size);
      const count = readU16(await file.read(ifdOffset, 2), 0, littleEndian);
      if (count > TIFF_MAX_ENTRIES_PER_IFD) return UNKNOWN;
      const tableEnd = ifdOffset + 2 + count * TIFF_ENTRY_BYTES + 4;
      if (tableEnd > file.size) return endsPastFile(`TIFF directory at byte ${ifdOffset}`, tableEnd, file.size);
      const table = await file.read(ifdOffset + 2, count * TIFF_ENTRY_BYTES + 4);
      const entries = new Map<number, TiffEntry>();
      for (let i = 0; i < count; i += 1) {
        const at = i * TIFF_ENTRY_BYTES;
        const tag = readU16(table, at, littleEndian);
        const type = readU16(table, at + 2, littleEndian);
        const typeSize = TIFF_TYPE_SIZES[type];
        if (typeSize === undefined) continue;
        const entry: TiffEntry = { type, count: readU32(table, at + 4, littleEndian), field: table.subarray(at + 8, at + 12) };
        // libtiff writes values too big for the entry (JPEGTables, ICC profile, strip tables)
        // after the directory, so a file cut there has every IFD but not every value.
        const valuesEnd = readU32(entry.field, 0, littleEndian) + entry.count * typeSize;
        if (entry.count * typeSize > 4 && valuesEnd > file.size) return endsPastFile(`TIFF tag ${tag} values`, valuesEnd, file.size);
        entries.set(tag, entry);
      }

      for (const [offsetTag, lengthTag, name] of DATA_TAG_PAIRS) {
        const offsetsEntry = entries.get(offsetTag);
        const lengthsEntry = entries.get(lengthTag);
        if (offsetsEntry === undefined || lengthsEntry === undefined) continue;
        const offsets = await readTiffValues(file, offsetsEntry, littleEndian, `${name} offset`, budget);
        const lengths = await readTiffValues(file, lengthsEntry, littleEndian, `${name} length`, budget);
        if (offsets === null || lengths === null) return UNKNOWN;
        const pairs = Math.min(offsets.length, lengths.length);
        let furthestEnd = 0;
        for (let i = 0; i < pairs; i += 1) furthestEnd = Math.max(furthestEnd, (offsets[i] ?? 0) + (lengths[i] ?? 0));
        if (furthestEnd > file.size) return endsPastFile(`${name} data`, furthestEnd, file.size);
      }

      const subIfds = entries.get(TAG_SUB_IFDS);
      if (subIfds !== undefined) {
        // More SubIFDs than the walk may visit is not a photo; spreading 2^20 of them into
        // push() also overflowed the call stack (RangeError), found by the fuzz suite.
        if (subIfds.count > TIFF_MAX_IFDS) return UNKNOWN;
        const offsets = await readTiffValues(file, subIfds, littleEndian, 'SubIFD', budget);
        if (offsets === null) return UNKNOWN;
        for (const offset of offsets) pending.push(offset);
      }
      pending.push(readU32(table, count * TIFF_ENTRY_BYTES, littleEndian));
    }
  } catch (error) {
    if (error instanceof TiffVerdict) return error.verdict;
    throw error;
  }
  return COMPLETE;
}

// --- RAF --------------------------------------------------------------------------------

// Fujifilm's header is big-endian and fixed-layout; these are the documented field offsets.
const RAF_JPEG_OFFSET_AT = 84;
const RAF_JPEG_LENGTH_AT = 88;
const RAF_CFA_OFFSET_AT = 100;
const RAF_CFA_LENGTH_AT = 104;
const RAF_HEADER_BYTES = 108;

async function checkRaf(file: RandomAccessFile): Promise<Completeness> {
  const header = await file.read(0, RAF_HEADER_BYTES);
  if (header.length < RAF_HEADER_BYTES) return incomplete('RAF header is cut off (file still being written or truncated)');
  const regions = [
    ['JPEG preview', readU32(header, RAF_JPEG_OFFSET_AT, false), readU32(header, RAF_JPEG_LENGTH_AT, false)],
    ['sensor data', readU32(header, RAF_CFA_OFFSET_AT, false), readU32(header, RAF_CFA_LENGTH_AT, false)],
  ] as const;
  for (const [name, offset, length] of regions) {
    if (offset + length > file.size) return endsPastFile(`RAF ${name}`, offset + length, file.size);
  }
  return COMPLETE;
}

/**
 * Whether a file's own structure says it has been written to the end. 'unknown' means
 * the format gives us nothing to check and the caller should wait for the size to settle.
 */
export async function checkCompleteness(file: RandomAccessFile, format: PhotoFormat): Promise<Completeness> {
  if (file.size === 0) return incomplete('file is empty');
  switch (format) {
    case 'jpeg':
      return checkJpeg(file);
    case 'png':
      return checkPng(file);
    case 'heic':
    case 'avif':
    case 'cr3':
      return checkBmff(file);
    case 'tiff':
    case 'raw-tiff':
      return checkTiff(file);
    case 'raf':
      return checkRaf(file);
  }
}

export function nodeRandomAccessFile(handle: FileHandle, size: number): RandomAccessFile {
  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = Buffer.alloc(wanted);
      let filled = 0;
      // A single read() may return short on network shares; keep going until EOF.
      while (filled < wanted) {
        const { bytesRead } = await handle.read(buffer, filled, wanted - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    },
  };
}
