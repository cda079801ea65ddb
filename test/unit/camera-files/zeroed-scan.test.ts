import { describe, expect, it } from 'vitest';
import { longestZeroRunInScan, ZEROED_RUN_BYTES } from '../../../src/camera-files/index.js';

/** SOI, an APP segment with `header` bytes, SOS, then `scan`, then EOI. */
function jpeg(header: Buffer, scan: Buffer): Buffer {
  const app = Buffer.concat([Buffer.from([0xff, 0xe1, (header.length + 2) >> 8, (header.length + 2) & 0xff]), header]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app,
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

  it('ignores runs shorter than a lost stretch, and files with no scan', () => {
    expect(longestZeroRunInScan(jpeg(noise(10), Buffer.concat([noise(100), Buffer.alloc(ZEROED_RUN_BYTES - 1), noise(100)])))).toBe(0);
    expect(longestZeroRunInScan(Buffer.alloc(10_000))).toBe(0);
  });
});
