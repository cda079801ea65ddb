// Zeroed sectors are how flash cards most often lose data: an unwritten or wiped stretch reads
// back as 0x00. Inside a JPEG's scan, zero bits are valid Huffman codes, so libjpeg decodes them
// with no warning into a band of made-up texture to the last row, and the photo would be marked
// ready. Entropy-coded image data never holds a long run of zero bytes (a flat black block alone
// codes as 001010…), so such a run after the start of the scan is the damage itself.
// Pure: the file's bytes in, the longest zero run in its image data out.

/** A run this long is a lost stretch of the card, not data: half the smallest FAT cluster (4 KiB). */
export const ZEROED_RUN_BYTES = 2048;

const SOS = Buffer.from([0xff, 0xda]);

/** Bytes in the longest run of 0x00 after the JPEG's first start-of-scan marker (0 when there is none). */
export function longestZeroRunInScan(jpeg: Uint8Array): number {
  const bytes = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  const scan = bytes.indexOf(SOS, 2);
  if (scan < 0) return 0;
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
