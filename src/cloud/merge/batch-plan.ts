// Which operations of a batch the endpoint applies, against the device's cursor (the next sequence
// number it expects). A replay or an overlap is acknowledged without applying anything twice; a
// batch that starts after the cursor means operations were lost in between and is refused.

export type BatchPlan<T extends { seq: number }> =
  { kind: 'apply'; ops: T[]; skipped: number; nextSeq: number } | { kind: 'gap'; expectedSeq: number };

/** `ops` have consecutive sequence numbers (the protocol's schema checks it). */
export function planBatch<T extends { seq: number }>(nextSeq: number, ops: readonly T[]): BatchPlan<T> {
  const first = ops[0];
  if (first && first.seq > nextSeq) return { kind: 'gap', expectedSeq: nextSeq };
  const fresh = ops.filter((op) => op.seq >= nextSeq);
  return { kind: 'apply', ops: fresh, skipped: ops.length - fresh.length, nextSeq: fresh.at(-1) ? fresh.at(-1)!.seq + 1 : nextSeq };
}
