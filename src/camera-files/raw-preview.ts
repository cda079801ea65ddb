// RAW files are not decoded: every camera stores a full-size JPEG preview for its own
// screen, and that is what we detect faces on. This finds it without a RAW library.

export type RawPreviewFailure = 'no-preview' | 'preview-cut-off';

export class RawPreviewError extends Error {
  override readonly name = 'RawPreviewError';
  readonly fileName: string;
  readonly failure: RawPreviewFailure;

  constructor(fileName: string, failure: RawPreviewFailure) {
    super(
      failure === 'no-preview'
        ? `Cannot read ${fileName}: no embedded JPEG preview (file may be truncated)`
        : `Cannot read ${fileName}: its embedded JPEG preview is cut off (file is truncated or still being written)`,
    );
    this.fileName = fileName;
    this.failure = failure;
  }
}

const SOI = Buffer.from([0xff, 0xd8, 0xff]);

const MARKER_EOI = 0xd9;
const MARKER_SOS = 0xda;
const MARKER_TEM = 0x01;

function isRestartMarker(marker: number): boolean {
  return marker >= 0xd0 && marker <= 0xd7;
}

// SOFn markers (0xC4 DHT, 0xC8 JPG and 0xCC DAC share the range but are not frames).
function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

// Only Huffman DCT frames are previews. CR2 and DNG store the sensor data itself as
// lossless JPEG (SOF3): a complete, huge "JPEG" that sharp cannot decode and nobody wants.
function isPreviewFrame(marker: number): boolean {
  return marker === 0xc0 || marker === 0xc1 || marker === 0xc2;
}

// Segments that may sit between scans: progressive JPEGs send new Huffman tables and a new
// SOS for every scan.
function isInterScanSegment(marker: number): boolean {
  return (
    marker === 0xc4 || // DHT
    marker === 0xcc || // DAC
    (marker >= 0xda && marker <= 0xdf) || // SOS, DQT, DNL, DRI, DHP, EXP
    (marker >= 0xe0 && marker <= 0xef) || // APPn
    marker === 0xfe // COM
  );
}

type JpegScan =
  | { state: 'complete'; end: number; pixels: number; preview: boolean }
  | { state: 'cut-off'; pixels: number; preview: boolean }
  | { state: 'invalid' }
  | { state: 'out-of-work' };

const INVALID: JpegScan = { state: 'invalid' };
const OUT_OF_WORK: JpegScan = { state: 'out-of-work' };

/** Bytes and marker segments the search may still step over before it gives up. */
interface WorkBudget {
  left: number;
}

// A scan that fails restarts the search two bytes after its SOI, and segment lengths can jump
// over later FF D8 FF, so crafted bytes (8-byte "FF D8 FF E1 00 06 .." repeated) make every
// SOI walk the rest of the file again: 256 KiB took 10 s, a 25 MB RAW would take days. Real
// files step over each byte about once (previews are scanned once, false SOIs in sensor data
// fail within a few bytes), so four passes plus some slack never stops a real search.
const WORK_PER_BYTE = 4;
const WORK_SLACK = 1 << 16;

/** Follows one JPEG from its SOI: marker segments by their lengths, then the entropy-coded data. */
function scanJpeg(data: Buffer, start: number, work: WorkBudget): JpegScan {
  const length = data.length;
  let pixels = 0;
  let preview = false;
  let sawFrame = false;
  const cutOff = (): JpegScan => ({ state: 'cut-off', pixels, preview });

  let p = start + 2;
  for (;;) {
    work.left -= 1;
    if (work.left < 0) return OUT_OF_WORK;
    if (p >= length) return cutOff();
    if (data[p] !== 0xff) return INVALID;
    // Any number of 0xFF fill bytes may precede a marker.
    while (p < length && data[p] === 0xff) p += 1;
    if (p >= length) return cutOff();
    const marker = data[p] ?? 0;
    p += 1;
    if (marker === MARKER_TEM || isRestartMarker(marker)) continue;
    if (marker === 0x00 || marker === 0xd8 || marker === MARKER_EOI) return INVALID;
    if (p + 2 > length) return cutOff();
    const segmentLength = data.readUInt16BE(p);
    if (segmentLength < 2) return INVALID;
    if (isFrameMarker(marker)) {
      if (p + 7 > length) return cutOff();
      sawFrame = true;
      pixels = data.readUInt16BE(p + 3) * data.readUInt16BE(p + 5);
      preview = isPreviewFrame(marker);
    }
    p += segmentLength;
    if (p > length) return cutOff();
    if (marker === MARKER_SOS) break;
  }
  if (!sawFrame) return INVALID;

  for (;;) {
    const ff = data.indexOf(0xff, p);
    work.left -= 1 + (ff === -1 ? length - p : ff - p);
    if (work.left < 0) return OUT_OF_WORK;
    if (ff === -1 || ff + 1 >= length) return cutOff();
    const next = data[ff + 1] ?? 0;
    if (next === 0x00 || isRestartMarker(next)) {
      p = ff + 2;
    } else if (next === 0xff) {
      p = ff + 1;
    } else if (next === MARKER_EOI) {
      return { state: 'complete', end: ff + 2, pixels, preview };
    } else if (isInterScanSegment(next)) {
      if (ff + 4 > length) return cutOff();
      const segmentLength = data.readUInt16BE(ff + 2);
      if (segmentLength < 2) return INVALID;
      p = ff + 2 + segmentLength;
      if (p > length) return cutOff();
    } else {
      return INVALID;
    }
  }
}

// Fujifilm's big-endian header points straight at the preview.
const RAF_MAGIC = Buffer.from('FUJIFILMCCD-RAW', 'latin1');
const RAF_JPEG_OFFSET_AT = 84;
const RAF_JPEG_LENGTH_AT = 88;

interface ByteRange {
  start: number;
  end: number;
}

function rafPreview(data: Buffer, fileName: string, work: WorkBudget): ByteRange | null {
  if (data.length < RAF_JPEG_LENGTH_AT + 4 || !data.subarray(0, RAF_MAGIC.length).equals(RAF_MAGIC)) return null;
  const offset = data.readUInt32BE(RAF_JPEG_OFFSET_AT);
  const declaredLength = data.readUInt32BE(RAF_JPEG_LENGTH_AT);
  if (offset + declaredLength > data.length) throw new RawPreviewError(fileName, 'preview-cut-off');
  if (data.indexOf(SOI, offset) !== offset) return null;
  const scan = scanJpeg(data, offset, work);
  if (scan.state !== 'complete' || scan.end > offset + declaredLength) return null;
  return { start: offset, end: scan.end };
}

function baseName(fileName: string): string {
  const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  return cut === -1 ? fileName : fileName.slice(cut + 1);
}

/**
 * The largest complete JPEG embedded in a RAW file (CR2, CR3, NEF, ARW, ORF, DNG, RAF), as a
 * view into `file`. Works on any container because it looks for JPEG structure, not for the
 * container's tags. Throws RawPreviewError when there is none, or when the largest one runs
 * off the end of the file: returning a 160 px thumbnail instead would silently lose faces.
 */
export function extractEmbeddedJpeg(file: Uint8Array, fileName: string): Uint8Array {
  const data = Buffer.isBuffer(file) ? file : Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const name = baseName(fileName);

  const work: WorkBudget = { left: WORK_PER_BYTE * data.length + WORK_SLACK };
  const raf = rafPreview(data, name, work);
  if (raf !== null) return file.subarray(raf.start, raf.end);

  let best: (ByteRange & { pixels: number }) | null = null;
  let largestCutOffPixels = -1;
  let from = 0;
  for (;;) {
    const soi = data.indexOf(SOI, from);
    if (soi === -1) break;
    const scan = scanJpeg(data, soi, work);
    // Whatever was found so far is all a file this tangled will give.
    if (scan.state === 'out-of-work') break;
    if (scan.state === 'complete') {
      const bigger = best === null || scan.pixels > best.pixels || (scan.pixels === best.pixels && scan.end - soi > best.end - best.start);
      if (scan.preview && bigger) best = { start: soi, end: scan.end, pixels: scan.pixels };
      // Whatever starts inside this JPEG (an EXIF thumbnail in its APP1) is nested in it.
      from = scan.end;
    } else if (scan.state === 'cut-off') {
      if (scan.preview) largestCutOffPixels = Math.max(largestCutOffPixels, scan.pixels);
      // It runs to the end of the file, so anything after it is nested inside it.
      break;
    } else {
      // FF D8 FF that was not a JPEG (sensor data); FF D8 cannot start again before +2.
      from = soi + 2;
    }
  }

  if (best !== null && best.pixels >= largestCutOffPixels) return file.subarray(best.start, best.end);
  if (largestCutOffPixels >= 0) throw new RawPreviewError(name, 'preview-cut-off');
  throw new RawPreviewError(name, 'no-preview');
}
