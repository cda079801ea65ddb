// Zeroed sectors are how flash cards most often lose data: an unwritten or wiped stretch reads
// back as 0x00. Inside a JPEG's scan, zero bits are valid Huffman codes, so libjpeg decodes them
// with no warning into a band of made-up texture to the last row, and the photo would be marked
// ready. Cameras code with the standard Huffman tables (JPEG Annex K), where a flat block is
// 001010… and a run of zero bytes would be kilobytes of identical "-1" detail: no picture does
// that, so such a run is the damage itself. Optimised tables (editors' exports, sharp's default)
// may give the commonest symbol of a flat area the code 0: there a long zero run is a legitimate
// black border, so only files coded with the standard AC luminance table are judged.
// Pure: the file's bytes in, the longest zero run in its image data out.

/** A run this long is a lost stretch of the card, not data: half the smallest FAT cluster (4 KiB). */
export const ZEROED_RUN_BYTES = 2048;

const SOS = Buffer.from([0xff, 0xda]);

/** Code counts by length (BITS) of the standard AC luminance table, JPEG Annex K.5 (K.3.3.2). */
const STANDARD_AC_LUMINANCE_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];

/** Whether the JPEG's AC table 0 (luminance) is the standard one, read from its DHT segments before the scan. */
export function usesStandardAcTable(bytes: Buffer, scan: number): boolean {
  for (let at = 2; at + 4 <= scan;) {
    if (bytes[at] !== 0xff) return false;
    const marker = bytes[at + 1]!;
    const length = bytes.readUInt16BE(at + 2);
    if (marker === 0xc4) {
      // One DHT segment may hold several tables: class/id, 16 counts, then the symbols.
      for (let t = at + 4; t + 17 <= at + 2 + length;) {
        const classAndId = bytes[t]!;
        const bits = [...bytes.subarray(t + 1, t + 17)];
        if (classAndId === 0x10) return bits.every((n, i) => n === STANDARD_AC_LUMINANCE_BITS[i]);
        t += 17 + bits.reduce((a, b) => a + b, 0);
      }
    }
    at += 2 + length;
  }
  return false;
}

/**
 * Bytes in the longest run of 0x00 after the JPEG's first start-of-scan marker; 0 when there is
 * no scan, or when the file is coded with optimised tables (where such runs can be real data).
 */
export function longestZeroRunInScan(jpeg: Uint8Array): number {
  const bytes = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  const scan = bytes.indexOf(SOS, 2);
  if (scan < 0 || !usesStandardAcTable(bytes, scan)) return 0;
  // Found with the native search for a run of the threshold's length, then measured.
  const probe = Buffer.alloc(ZEROED_RUN_BYTES);
  let longest = 0;
  for (let from = scan; ;) {
    const at = bytes.indexOf(probe, from);
    if (at < 0) break;
    let end = at + probe.length;
    while (end < bytes.length && bytes[end] === 0) end += 1;
    longest = Math.max(longest, end - at);
    from = end;
  }
  return longest;
}
