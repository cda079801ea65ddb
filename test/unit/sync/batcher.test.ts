import { describe, expect, it } from 'vitest';
import { batchRequest } from '../../../src/api/index.js';
import { batchBody, idempotencyKey, nextBatch } from '../../../src/sync/batcher.js';

const op = (seq: number, padding = 0) => ({
  seq,
  kind: 'person.put',
  json: JSON.stringify({
    seq,
    hlc: `001700000000000-000000-device_1234`,
    kind: 'person.put',
    personId: seq,
    name: 'x'.repeat(padding),
    doNotPublish: false,
  }),
});

describe('which logged operations make the next batch', () => {
  it.each([
    ['nothing when the log is empty', [], { maxOps: 500, maxBytes: 2_000_000 }, []],
    ['all of a short log', [op(1), op(2), op(3)], { maxOps: 500, maxBytes: 2_000_000 }, [1, 2, 3]],
    ['at most the operations a batch may hold', [op(1), op(2), op(3)], { maxOps: 2, maxBytes: 2_000_000 }, [1, 2]],
    ['stops before the batch would be too large', [op(1, 150), op(2, 150), op(3, 150)], { maxOps: 500, maxBytes: 600 }, [1, 2]],
    ['one operation even when it alone is larger than the limit', [op(1, 900), op(2)], { maxOps: 500, maxBytes: 500 }, [1]],
    ['only consecutive sequence numbers', [op(4), op(5), op(7)], { maxOps: 500, maxBytes: 2_000_000 }, [4, 5]],
  ])('%s', (_name, ops, limits, seqs) => {
    expect(nextBatch(ops, limits).map((o) => o.seq)).toEqual(seqs);
  });

  it('sends a body within the byte limit that the endpoint’s schema accepts', () => {
    const ops = Array.from({ length: 40 }, (_, i) => op(i + 1, 100));
    const batch = nextBatch(ops, { maxOps: 500, maxBytes: 2000 });
    const body = batchBody(batch);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(2000);
    expect(batchRequest.safeParse(JSON.parse(body)).success).toBe(true);
  });

  it('names a batch by device and its first and last operation, so a replay carries the same key', () => {
    expect(idempotencyKey('dev_abcdefgh', [op(7), op(8), op(9)])).toBe('dev_abcdefgh-7-9');
  });
});
