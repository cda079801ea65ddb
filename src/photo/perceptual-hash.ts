// 64-bit DCT perceptual hash (pHash): near-identical frames of a burst differ in a few bits.
// Input is a 32x32 greyscale image the worker has already downscaled from the decoded photo.

export const PHASH_INPUT_SIZE = 32;
const LOW_FREQUENCIES = 8;

function dctMatrix(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const scale = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) m[k * n + i] = scale * Math.cos(((2 * i + 1) * k * Math.PI) / (2 * n));
  }
  return m;
}

const DCT_32 = dctMatrix(PHASH_INPUT_SIZE);

/** Returns the hash as 16 hex digits. */
export function perceptualHash(grey: Uint8Array): string {
  const n = PHASH_INPUT_SIZE;
  if (grey.length !== n * n) throw new Error(`perceptualHash needs ${n}x${n} grey pixels, got ${grey.length} values`);
  // Only the 8x8 lowest frequencies are needed: compute rows then columns for those alone.
  const rows = new Float64Array(LOW_FREQUENCIES * n);
  for (let u = 0; u < LOW_FREQUENCIES; u++) {
    for (let y = 0; y < n; y++) {
      let s = 0;
      for (let x = 0; x < n; x++) s += DCT_32[u * n + x]! * grey[y * n + x]!;
      rows[u * n + y] = s;
    }
  }
  const coeffs = new Float64Array(LOW_FREQUENCIES * LOW_FREQUENCIES);
  for (let v = 0; v < LOW_FREQUENCIES; v++) {
    for (let u = 0; u < LOW_FREQUENCIES; u++) {
      let s = 0;
      for (let y = 0; y < n; y++) s += DCT_32[v * n + y]! * rows[u * n + y]!;
      coeffs[v * LOW_FREQUENCIES + u] = s;
    }
  }
  // The DC term says only how bright the frame is; leave it out of the median.
  const ac = Array.from(coeffs.subarray(1)).sort((a, b) => a - b);
  const median = (ac[31]! + ac[32]!) / 2;
  let hash = 0n;
  for (let i = 0; i < coeffs.length; i++) hash = (hash << 1n) | (coeffs[i]! > median ? 1n : 0n);
  return hash.toString(16).padStart(16, '0');
}

export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let bits = 0;
  while (x > 0n) {
    bits += Number(x & 1n);
    x >>= 1n;
  }
  return bits;
}
