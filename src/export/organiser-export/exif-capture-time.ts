// The capture time as EXIF, for a JPEG copy made from a preview: the preview has no EXIF (or, once
// blurred by sharp, only libvips' defaults: orientation, resolution), so viewers that read only
// EXIF would show no date. ExifTool used to add it; this does the same without it. The time goes in
// as the camera's wall clock (DateTimeOriginal) with its UTC offset (OffsetTimeOriginal) and the
// fraction of a second (SubSecTimeOriginal), so another zone's laptop and a burst's order agree.
import type { CaptureTime } from './capture-time.js';

/** The APP1 signature of EXIF. */
export const EXIF_SIGNATURE = Buffer.from('Exif\0\0', 'latin1');

const EXIF_IFD_POINTER = 0x8769;
const EXIF_VERSION = 0x9000;
const DATE_TIME_ORIGINAL = 0x9003;
const OFFSET_TIME_ORIGINAL = 0x9011;
const SUB_SEC_TIME_ORIGINAL = 0x9291;
const CAPTURE_TAGS = [DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL, SUB_SEC_TIME_ORIGINAL];
const ASCII = 2;
const LONG = 4;
const UNDEFINED = 7;

const EXIF_DATE = /^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/;
const EXIF_OFFSET = /^[+-]\d{2}:\d{2}$/;
const EXIF_SUB_SEC = /^\d{1,3}$/;

function check(t: CaptureTime): void {
  if (!EXIF_DATE.test(t.dateTime)) throw new Error(`"${t.dateTime}" is not an EXIF date and time (YYYY:MM:DD HH:MM:SS)`);
  if (!EXIF_OFFSET.test(t.offset)) throw new Error(`"${t.offset}" is not an EXIF UTC offset (+HH:MM)`);
  if (t.subSec !== null && !EXIF_SUB_SEC.test(t.subSec)) throw new Error(`"${t.subSec}" is not an EXIF fraction of a second (digits)`);
}

/** Reading and writing in the block's byte order. */
function byteOrder(le: boolean) {
  return {
    r16: (b: Buffer, at: number): number => (le ? b.readUInt16LE(at) : b.readUInt16BE(at)),
    r32: (b: Buffer, at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at)),
    w16: (b: Buffer, v: number, at: number): number => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at)),
    w32: (b: Buffer, v: number, at: number): number => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at)),
  };
}
type ByteOrder = ReturnType<typeof byteOrder>;

function entryOf(o: ByteOrder, tag: number, type: number, count: number, value: (b: Buffer, at: number) => void): Buffer {
  const e = Buffer.alloc(12);
  o.w16(e, tag, 0);
  o.w16(e, type, 2);
  o.w32(e, count, 4);
  value(e, 8);
  return e;
}

/** A directory: its entries in tag order (as TIFF wants) and the pointer to the next one. */
function ifdBytes(o: ByteOrder, entries: Buffer[], next: number): Buffer {
  const sorted = [...entries].sort((a, b) => o.r16(a, 0) - o.r16(b, 0));
  const head = Buffer.alloc(2);
  o.w16(head, sorted.length, 0);
  const tail = Buffer.alloc(4);
  o.w32(tail, next, 0);
  return Buffer.concat([head, ...sorted, tail]);
}

const ifdSize = (entries: number): number => 2 + entries * 12 + 4;

/**
 * The capture time's ASCII entries, their values that do not fit in an entry (TIFF inlines values
 * of 4 bytes or less: the date's 20 and the offset's 7 go at `dataAt`, on even offsets) after them.
 */
function captureEntries(o: ByteOrder, t: CaptureTime, dataAt: number): { entries: Buffer[]; data: Buffer } {
  const fields = [
    { tag: DATE_TIME_ORIGINAL, text: t.dateTime },
    { tag: OFFSET_TIME_ORIGINAL, text: t.offset },
    ...(t.subSec === null ? [] : [{ tag: SUB_SEC_TIME_ORIGINAL, text: t.subSec }]),
  ];
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let at = dataAt;
  for (const { tag, text } of fields) {
    const value = Buffer.alloc(text.length + 1); // NUL-terminated
    value.write(text, 0, 'latin1');
    if (value.length <= 4) {
      entries.push(entryOf(o, tag, ASCII, value.length, (b, to) => value.copy(b, to)));
    } else {
      const here = at;
      entries.push(entryOf(o, tag, ASCII, value.length, (b, to) => o.w32(b, here, to)));
      const stored = value.length % 2 ? Buffer.concat([value, Buffer.alloc(1)]) : value;
      data.push(stored);
      at += stored.length;
    }
  }
  return { entries, data: Buffer.concat(data) };
}

/**
 * The smallest EXIF block that carries a capture time: IFD0 with a pointer to the Exif IFD, which
 * holds ExifVersion 0232, DateTimeOriginal, OffsetTimeOriginal and (on a fraction of a second)
 * SubSecTimeOriginal, big-endian as ExifTool writes it.
 */
export function exifWithCaptureTime(t: CaptureTime): Buffer {
  check(t);
  const o = byteOrder(false);
  const header = Buffer.alloc(8);
  header.write('MM', 0, 'latin1');
  o.w16(header, 42, 2);
  o.w32(header, 8, 4); // IFD0 right after the header
  const exifAt = 8 + ifdSize(1);
  const ifd0 = ifdBytes(o, [entryOf(o, EXIF_IFD_POINTER, LONG, 1, (b, at) => o.w32(b, exifAt, at))], 0);
  const version = entryOf(o, EXIF_VERSION, UNDEFINED, 4, (b, at) => b.write('0232', at, 'latin1'));
  const count = 1 + (t.subSec === null ? 2 : 3);
  const { entries, data } = captureEntries(o, t, exifAt + ifdSize(count));
  return Buffer.concat([EXIF_SIGNATURE, header, ifd0, ifdBytes(o, [version, ...entries], 0), data]);
}

/**
 * An EXIF block (APP1 payload, "Exif\0\0" first) with the capture time added when it has no
 * DateTimeOriginal; the same block when it has one (a camera's own time stays, with whatever offset
 * and fraction it has). Nothing already there moves: the grown directories are written anew at the
 * end of the block and the pointers to them changed, so every offset inside the old block stays
 * right (the old directory is left unreferenced). Null when the block cannot be read as EXIF (the
 * caller lets ExifTool deal with such a file).
 */
export function exifWithCaptureTimeAdded(payload: Buffer, t: CaptureTime): Buffer | null {
  check(t);
  if (payload.length < EXIF_SIGNATURE.length + 8 || !payload.subarray(0, EXIF_SIGNATURE.length).equals(EXIF_SIGNATURE)) return null;
  const old = payload.subarray(EXIF_SIGNATURE.length);
  const order = old.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const o = byteOrder(order === 'II');

  /** A directory's 12-byte entries and the pointer to the next directory; null when it runs past the block. */
  const readIfd = (at: number): { entries: Buffer[]; next: number } | null => {
    if (at < 8 || at + 2 > old.length) return null;
    const count = o.r16(old, at);
    const end = at + ifdSize(count);
    if (end > old.length) return null;
    const entries = Array.from({ length: count }, (_, i) => old.subarray(at + 2 + i * 12, at + 14 + i * 12));
    return { entries, next: o.r32(old, end - 4) };
  };

  const ifd0At = o.r32(old, 4);
  const ifd0 = readIfd(ifd0At);
  if (!ifd0) return null;
  const pointerIndex = ifd0.entries.findIndex((e) => o.r16(e, 0) === EXIF_IFD_POINTER);
  const exifAt = pointerIndex >= 0 ? o.r32(ifd0.entries[pointerIndex]!, 8) : null;
  const exif = exifAt === null ? { entries: [], next: 0 } : readIfd(exifAt);
  if (!exif) return null;
  if (exif.entries.some((e) => o.r16(e, 0) === DATE_TIME_ORIGINAL)) return payload;

  // Appended after the old block (on an even offset, as TIFF wants): the Exif IFD, its values, then IFD0 if it grew.
  // An offset or fraction left without a date (no camera writes that) would contradict ours: replaced.
  const base = old.length + (old.length % 2);
  const newExifAt = base;
  const exifEntries = exif.entries.filter((e) => !CAPTURE_TAGS.includes(o.r16(e, 0)));
  if (exifAt === null) exifEntries.push(entryOf(o, EXIF_VERSION, UNDEFINED, 4, (b, at) => b.write('0232', at, 'latin1')));
  const count = exifEntries.length + (t.subSec === null ? 2 : 3);
  const dataAt = newExifAt + ifdSize(count);
  const { entries, data } = captureEntries(o, t, dataAt);
  const parts = [Buffer.alloc(base - old.length), ifdBytes(o, [...exifEntries, ...entries], exif.next), data];
  const tiff = Buffer.from(old); // a copy: the source file's buffer is never written to
  if (pointerIndex >= 0) {
    o.w32(tiff, newExifAt, ifd0At + 2 + pointerIndex * 12 + 8);
  } else {
    const newIfd0At = dataAt + data.length;
    parts.push(ifdBytes(o, [...ifd0.entries, entryOf(o, EXIF_IFD_POINTER, LONG, 1, (b, at) => o.w32(b, newExifAt, at))], ifd0.next));
    o.w32(tiff, newIfd0At, 4);
  }
  return Buffer.concat([EXIF_SIGNATURE, tiff, ...parts]);
}
