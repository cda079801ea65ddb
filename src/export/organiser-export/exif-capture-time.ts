// The capture time as EXIF DateTimeOriginal, for a JPEG copy made from a preview: the preview has
// no EXIF (or, once blurred by sharp, only libvips' defaults: orientation, resolution), so viewers
// that read only EXIF would show no date. ExifTool used to add it; this does the same without it.

/** The APP1 signature of EXIF. */
export const EXIF_SIGNATURE = Buffer.from('Exif\0\0', 'latin1');

const EXIF_IFD_POINTER = 0x8769;
const EXIF_VERSION = 0x9000;
const DATE_TIME_ORIGINAL = 0x9003;
const ASCII = 2;
const LONG = 4;
const UNDEFINED = 7;

const EXIF_DATE = /^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/;

function checkDate(dateTime: string): void {
  if (!EXIF_DATE.test(dateTime)) throw new Error(`"${dateTime}" is not an EXIF date and time (YYYY:MM:DD HH:MM:SS)`);
}

/**
 * The smallest EXIF block that carries a capture time: IFD0 with a pointer to the Exif IFD, which
 * holds ExifVersion 0232 and DateTimeOriginal ("YYYY:MM:DD HH:MM:SS"), big-endian as ExifTool writes it.
 */
export function exifWithCaptureTime(dateTime: string): Buffer {
  checkDate(dateTime);
  const tiff = Buffer.alloc(76);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // IFD0 right after the header
  // IFD0 (offset 8): one entry, the Exif IFD pointer → 26.
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(EXIF_IFD_POINTER, 10);
  tiff.writeUInt16BE(LONG, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt32BE(26, 18);
  tiff.writeUInt32BE(0, 22); // no IFD1
  // Exif IFD (offset 26): ExifVersion, DateTimeOriginal (its 20 bytes at 56).
  tiff.writeUInt16BE(2, 26);
  tiff.writeUInt16BE(EXIF_VERSION, 28);
  tiff.writeUInt16BE(UNDEFINED, 30);
  tiff.writeUInt32BE(4, 32);
  tiff.write('0232', 36, 'latin1');
  tiff.writeUInt16BE(DATE_TIME_ORIGINAL, 40);
  tiff.writeUInt16BE(ASCII, 42);
  tiff.writeUInt32BE(20, 44);
  tiff.writeUInt32BE(56, 48);
  tiff.writeUInt32BE(0, 52); // no next IFD
  tiff.write(dateTime, 56, 'latin1'); // 19 characters and the NUL already there
  return Buffer.concat([EXIF_SIGNATURE, tiff]);
}

/**
 * An EXIF block (APP1 payload, "Exif\0\0" first) with DateTimeOriginal added when it has none; the
 * same block when it has one (a camera's own time stays). Nothing already there moves: the grown
 * directories are written anew at the end of the block and the pointers to them changed, so every
 * offset inside the old block stays right (the old directory is left unreferenced). Null when the
 * block cannot be read as EXIF (the caller lets ExifTool deal with such a file).
 */
export function exifWithCaptureTimeAdded(payload: Buffer, dateTime: string): Buffer | null {
  checkDate(dateTime);
  if (payload.length < EXIF_SIGNATURE.length + 8 || !payload.subarray(0, EXIF_SIGNATURE.length).equals(EXIF_SIGNATURE)) return null;
  const old = payload.subarray(EXIF_SIGNATURE.length);
  const order = old.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const r16 = (b: Buffer, at: number): number => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const r32 = (b: Buffer, at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const w16 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const w32 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));

  /** A directory's 12-byte entries and the pointer to the next directory; null when it runs past the block. */
  const readIfd = (at: number): { entries: Buffer[]; next: number } | null => {
    if (at < 8 || at + 2 > old.length) return null;
    const count = r16(old, at);
    const end = at + 2 + count * 12 + 4;
    if (end > old.length) return null;
    const entries = Array.from({ length: count }, (_, i) => old.subarray(at + 2 + i * 12, at + 14 + i * 12));
    return { entries, next: r32(old, end - 4) };
  };
  const entry = (tag: number, type: number, count: number, value: (b: Buffer, at: number) => void): Buffer => {
    const e = Buffer.alloc(12);
    w16(e, tag, 0);
    w16(e, type, 2);
    w32(e, count, 4);
    value(e, 8);
    return e;
  };
  const ifdBytes = (entries: Buffer[], next: number): Buffer => {
    const sorted = [...entries].sort((a, b) => r16(a, 0) - r16(b, 0)); // TIFF wants entries in tag order
    const head = Buffer.alloc(2);
    w16(head, sorted.length, 0);
    const tail = Buffer.alloc(4);
    w32(tail, next, 0);
    return Buffer.concat([head, ...sorted, tail]);
  };

  const ifd0At = r32(old, 4);
  const ifd0 = readIfd(ifd0At);
  if (!ifd0) return null;
  const pointerIndex = ifd0.entries.findIndex((e) => r16(e, 0) === EXIF_IFD_POINTER);
  const exifAt = pointerIndex >= 0 ? r32(ifd0.entries[pointerIndex]!, 8) : null;
  const exif = exifAt === null ? { entries: [], next: 0 } : readIfd(exifAt);
  if (!exif) return null;
  if (exif.entries.some((e) => r16(e, 0) === DATE_TIME_ORIGINAL)) return payload;

  // Appended after the old block (on an even offset, as TIFF wants): the Exif IFD, its date, then IFD0 if it grew.
  const base = old.length + (old.length % 2);
  const newExifAt = base;
  const exifEntries = [...exif.entries];
  if (exifAt === null) exifEntries.push(entry(EXIF_VERSION, UNDEFINED, 4, (b, at) => b.write('0232', at, 'latin1')));
  const dateAt = newExifAt + 2 + (exifEntries.length + 1) * 12 + 4;
  exifEntries.push(entry(DATE_TIME_ORIGINAL, ASCII, 20, (b, at) => w32(b, dateAt, at)));
  const date = Buffer.alloc(20);
  date.write(dateTime, 0, 'latin1');
  const parts = [Buffer.alloc(base - old.length), ifdBytes(exifEntries, exif.next), date];
  const tiff = Buffer.from(old); // a copy: the source file's buffer is never written to
  if (pointerIndex >= 0) {
    w32(tiff, newExifAt, ifd0At + 2 + pointerIndex * 12 + 8);
  } else {
    const newIfd0At = dateAt + 20;
    parts.push(ifdBytes([...ifd0.entries, entry(EXIF_IFD_POINTER, LONG, 1, (b, at) => w32(b, newExifAt, at))], ifd0.next));
    w32(tiff, newIfd0At, 4);
  }
  return Buffer.concat([EXIF_SIGNATURE, tiff, ...parts]);
}
