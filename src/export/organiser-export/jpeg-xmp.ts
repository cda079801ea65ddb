// Puts an XMP packet (and, for a copy without EXIF, the capture time as EXIF) into a JPEG without
// re-encoding it: the header segments are rewritten, everything from the start of scan on is the
// same bytes. This is what ExifTool did for the export, at a fraction of the cost (no process, no
// second read of the file).
import type { CaptureTime } from './capture-time.js';
import { EXIF_SIGNATURE, exifWithCaptureTime, exifWithCaptureTimeAdded } from './exif-capture-time.js';

/** The APP1 signature of a standard XMP packet (XMP spec part 3, 1.1.3). */
export const XMP_SIGNATURE = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
/** The APP1 signature of extended XMP (the rest of a packet too big for one segment). */
const EXTENDED_XMP_SIGNATURE = Buffer.from('http://ns.adobe.com/xmp/extension/\0', 'latin1');
/** A segment's payload is at most 65,533 bytes (its length field counts itself and tops at 65,535). */
export const MAX_SEGMENT_PAYLOAD = 65_533;

const SOI = 0xd8;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;

export type JpegXmpProblem = 'not-jpeg' | 'truncated' | 'too-large' | 'bad-exif';

/** Why a packet could not be put into a file; the export writes that photo's XMP with ExifTool instead. */
export class JpegXmpError extends Error {
  constructor(
    readonly problem: JpegXmpProblem,
    message: string,
  ) {
    super(message);
    this.name = 'JpegXmpError';
  }
}

interface Segment {
  marker: number;
  /** Where the segment starts (its 0xFF) and ends (exclusive) in the file. */
  start: number;
  end: number;
  payload: Buffer;
}

const startsWith = (b: Buffer, prefix: Buffer): boolean => b.length >= prefix.length && b.subarray(0, prefix.length).equals(prefix);

/** The header segments up to the start of scan (SOS), and where the SOS segment starts. */
function headerOf(jpeg: Buffer): { segments: Segment[]; scanAt: number } {
  if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== SOI) {
    throw new JpegXmpError('not-jpeg', 'not a JPEG file (it does not start with the JPEG start-of-image marker)');
  }
  const segments: Segment[] = [];
  let at = 2;
  for (;;) {
    if (at >= jpeg.length) throw new JpegXmpError('truncated', 'the JPEG ends before its image data (the file is truncated)');
    if (jpeg[at] !== 0xff) throw new JpegXmpError('truncated', `the JPEG's header is damaged at byte ${at} (no segment marker there)`);
    let markerAt = at;
    while (markerAt + 1 < jpeg.length && jpeg[markerAt + 1] === 0xff) markerAt += 1; // fill bytes before a marker
    const marker = jpeg[markerAt + 1];
    if (marker === undefined) throw new JpegXmpError('truncated', 'the JPEG ends before its image data (the file is truncated)');
    if (marker === SOS) return { segments, scanAt: at };
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      // Markers without a length (TEM, RSTn): kept as they are.
      segments.push({ marker, start: at, end: markerAt + 2, payload: Buffer.alloc(0) });
      at = markerAt + 2;
      continue;
    }
    if (marker === 0xd9) throw new JpegXmpError('truncated', 'the JPEG ends (end-of-image marker) before any image data');
    if (markerAt + 4 > jpeg.length) throw new JpegXmpError('truncated', 'the JPEG ends inside a header segment (the file is truncated)');
    const length = jpeg.readUInt16BE(markerAt + 2);
    const end = markerAt + 2 + length;
    if (length < 2 || end > jpeg.length)
      throw new JpegXmpError('truncated', 'the JPEG ends inside a header segment (the file is truncated)');
    segments.push({ marker, start: at, end, payload: jpeg.subarray(markerAt + 4, end) });
    at = end;
  }
}

const isXmp = (s: Segment): boolean =>
  s.marker === APP1 && (startsWith(s.payload, XMP_SIGNATURE) || startsWith(s.payload, EXTENDED_XMP_SIGNATURE));
const isExif = (s: Segment): boolean => s.marker === APP1 && startsWith(s.payload, EXIF_SIGNATURE);

function segmentOf(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0xff;
  head[1] = marker;
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

const isFrameStart = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/**
 * The image's upright size read from its frame header, when the file has no EXIF (so no
 * orientation to turn it): a preview copy. Null when it has EXIF or cannot be read: ask sharp then.
 * Saves decoding the header twice for each of thousands of previews.
 */
export function uprightSizeWithoutExif(jpeg: Buffer): { width: number; height: number } | null {
  let segments: Segment[];
  try {
    segments = headerOf(jpeg).segments;
  } catch {
    return null;
  }
  if (segments.some(isExif)) return null;
  const frame = segments.find((s) => isFrameStart(s.marker));
  if (!frame || frame.payload.length < 5) return null;
  const height = frame.payload.readUInt16BE(1);
  const width = frame.payload.readUInt16BE(3);
  return width && height ? { width, height } : null;
}

/**
 * The JPEG with `packet` as its only XMP segment, right after SOI, APP0 (JFIF) and the EXIF APP1
 * where the file has them; an XMP segment already there (standard or extended) is replaced. When
 * `captureTime` is given it goes into EXIF (DateTimeOriginal with its offset and fraction of a second):
 * a new EXIF segment first when the file has none, added to the file's EXIF when that has no capture
 * time, left alone when it has one.
 * The bytes from the start of scan to the end of the file are copied unchanged.
 */
export function jpegWithXmp(jpeg: Buffer, packet: string, captureTime: CaptureTime | null = null): Buffer {
  return Buffer.concat(jpegWithXmpParts(jpeg, packet, captureTime));
}

/**
 * jpegWithXmp as the pieces of the file in order, most of them views of `jpeg` (the image data
 * is not copied): written with one writev, it saves copying each 250 KB preview once more in memory
 * (Buffer.concat was 0.1 s of a 2,000-photo export in bench:export's profile).
 */
export function jpegWithXmpParts(jpeg: Buffer, packet: string, captureTime: CaptureTime | null = null): Buffer[] {
  const xmpPayload = Buffer.concat([XMP_SIGNATURE, Buffer.from(packet, 'utf8')]);
  if (xmpPayload.length > MAX_SEGMENT_PAYLOAD) {
    throw new JpegXmpError(
      'too-large',
      `the XMP packet is ${xmpPayload.length} bytes, more than one JPEG segment holds (${MAX_SEGMENT_PAYLOAD})`,
    );
  }
  const { segments, scanAt } = headerOf(jpeg);
  const kept = segments.filter((s) => !isXmp(s));
  // Insert after the leading APP0/EXIF segments: readers look for XMP near the top, after EXIF.
  let lead = 0;
  while (lead < kept.length && (kept[lead]!.marker === APP0 || isExif(kept[lead]!))) lead += 1;
  const added: Buffer[] = [];
  const exif = kept.find(isExif);
  if (captureTime !== null && !exif) added.push(segmentOf(APP1, exifWithCaptureTime(captureTime)));
  added.push(segmentOf(APP1, xmpPayload));
  // An EXIF segment without a capture time (sharp's defaults after blurring) gets it added; the rest of it is kept.
  let exifBytes: Buffer | null = null;
  if (captureTime !== null && exif) {
    const payload = exifWithCaptureTimeAdded(exif.payload, captureTime);
    if (payload === null) throw new JpegXmpError('bad-exif', 'the JPEG has an EXIF segment that cannot be read as EXIF');
    if (payload.length > MAX_SEGMENT_PAYLOAD) {
      throw new JpegXmpError(
        'too-large',
        `the EXIF segment with the capture time added is more than one JPEG segment holds (${MAX_SEGMENT_PAYLOAD})`,
      );
    }
    exifBytes = payload === exif.payload ? null : segmentOf(APP1, payload);
  }
  const bytesOf = (s: Segment): Buffer => (s === exif && exifBytes ? exifBytes : jpeg.subarray(s.start, s.end));
  return [jpeg.subarray(0, 2), ...kept.slice(0, lead).map(bytesOf), ...added, ...kept.slice(lead).map(bytesOf), jpeg.subarray(scanAt)];
}
