import { describe, expect, it } from 'vitest';
import { longestZeroRunInScan, ZEROED_RUN_BYTES } from '../../../src/camera-files/index.js';

const segment = (marker: number, body: Buffer) =>
  Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);

/** A DHT segment holding AC table 0 with these code counts by length (symbols: filler). */
function acTable(bits: number[]): Buffer {
  const symbols = bits.reduce((a, b) => a + b, 0);
  return segment(0xc4, Buffer.concat([Buffer.from([0x10, ...bits]), Buffer.alloc(symbols, 1)]));
}
/** What cameras write: JPEG Annex K's standard AC luminance table. */
const STANDARD = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
/** What an editor's export or sharp's default writes: tables fitted to the picture. */
const OPTIMISED = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];

/** SOI, an APP segment with `header` bytes, a DHT, SOS, then `scan`, then EOI. */
function jpeg(header: Buffer, scan: Buffer, bits = STANDARD): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe1, header),
    acTable(bits),
    Buffer.from([0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0]),
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}
const noise = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => ((i * 37 + 11) % 255) + 1));

describe('zeroed stretches in a JPEG scan', () => {
  it('measures a run of zeros inside the scan, as a zeroed card sector leaves it', () => {
    const scan = Buffer.concat([noise(5000), Buffer.alloc(8192), noise(3000)]);
    expect(longestZeroRunInScan(jpeg(noise(100), scan))).toBe(8192);
  });

  it('finds the longest of several runs, up to the end of the file', () => {
    const scan = Buffer.concat([noise(100), Buffer.alloc(ZEROED_RUN_BYTES + 50), noise(100), Buffer.alloc(ZEROED_RUN_BYTES + 400)]);
    expect(longestZeroRunInScan(jpeg(noise(10), scan))).toBe(ZEROED_RUN_BYTES + 400);
  });

  it('ignores zero padding in the metadata before the scan (maker notes hold kilobytes of it)', () => {
    expect(longestZeroRunInScan(jpeg(Buffer.alloc(20_000), noise(50_000)))).toBe(0);
  });

  it('does not judge a file coded with optimised tables, where a flat black border can code as zero bytes', () => {
    const scan = Buffer.concat([noise(5000), Buffer.alloc(8192), noise(3000)]);
    expect(longestZeroRunInScan(jpeg(noise(100), scan, OPTIMISED))).toBe(0);
  });

  it('ignores runs shorter than a lost stretch, and files with no scan', () => {
    expect(longestZeroRunInScan(jpeg(noise(10), Buffer.concat([noise(100), Buffer.alloc(ZEROED_RUN_BYTES - 1), noise(100)])))).toBe(0);
    expect(longestZeroRunInScan(Buffer.alloc(10_000))).toBe(0);
  });
});
