// Which logged operations make the next batch: as many as the endpoint takes in one request,
// counted and measured as they will be sent.
import { MAX_BATCH_BYTES, MAX_OPS_PER_BATCH } from '../api/index.js';
import type { StoredSyncOp } from '../store/index.js';

export interface BatchLimits {
  maxOps: number;
  maxBytes: number;
}

export const BATCH_LIMITS: BatchLimits = { maxOps: MAX_OPS_PER_BATCH, maxBytes: MAX_BATCH_BYTES };

/** `{"ops":[` + `]}`: the batch body around the operations. */
const ENVELOPE_BYTES = Buffer.byteLength('{"ops":[]}');

/**
 * The longest run of consecutive operations from the first that fits the limits (at least one:
 * a single operation is always far below the byte limit, the protocol caps its lists). Returns
 * an empty list only for an empty log.
 */
export function nextBatch(ops: readonly StoredSyncOp[], limits: BatchLimits = BATCH_LIMITS): StoredSyncOp[] {
  const batch: StoredSyncOp[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const op of ops) {
    if (batch.length >= limits.maxOps) break;
    if (batch.length > 0 && op.seq !== batch[batch.length - 1]!.seq + 1) break;
    const size = Buffer.byteLength(op.json) + (batch.length > 0 ? 1 : 0);
    if (batch.length > 0 && bytes + size > limits.maxBytes) break;
    batch.push(op);
    bytes += size;
  }
  return batch;
}

/** The request body of a batch: the stored operations as they are, no parse and re-serialise. */
export const batchBody = (batch: readonly StoredSyncOp[]): string => `{"ops":[${batch.map((o) => o.json).join(',')}]}`;

/** The batch's Idempotency-Key: a replay of the same operations carries the same key. */
export const idempotencyKey = (deviceId: string, batch: readonly StoredSyncOp[]): string =>
  `${deviceId}-${batch[0]!.seq}-${batch[batch.length - 1]!.seq}`;
