// Face descriptors as the protocol carries them (little-endian float32s) and the arithmetic the
// link suggestion needs.

export function decodeDescriptor(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(Math.floor(bytes.byteLength / 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function encodeDescriptor(values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
  return out;
}

/** The mean of descriptors of one length (others are ignored: a different model's); null when there are none. */
export function meanDescriptor(descriptors: readonly Float32Array[]): Float32Array | null {
  const length = descriptors[0]?.length ?? 0;
  const same = descriptors.filter((d) => d.length === length && length > 0);
  if (same.length === 0) return null;
  const mean = new Float32Array(length);
  for (const d of same) for (let i = 0; i < length; i++) mean[i]! += d[i]! / same.length;
  return mean;
}

/** 1 − cosine similarity: 0 for the same direction, 2 for opposite ones; 2 when either is all zeros or the lengths differ. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) return 2;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return 2;
  return 1 - dot / Math.sqrt(na * nb);
}
