import { describe, expect, it } from 'vitest';
import { planBatch } from '../../../src/cloud/merge/index.js';

const ops = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));

describe('planBatch', () => {
  it.each([
    {
      case: 'a batch that starts at the cursor is applied whole',
      nextSeq: 1,
      batch: ops(1, 3),
      plan: { kind: 'apply', ops: ops(1, 3), skipped: 0, nextSeq: 4 },
    },
    {
      case: 'a replay of applied operations applies nothing',
      nextSeq: 4,
      batch: ops(1, 3),
      plan: { kind: 'apply', ops: [], skipped: 3, nextSeq: 4 },
    },
    {
      case: 'an overlap applies only the new tail',
      nextSeq: 3,
      batch: ops(1, 5),
      plan: { kind: 'apply', ops: ops(3, 5), skipped: 2, nextSeq: 6 },
    },
    { case: 'a batch after the cursor is a gap at the cursor', nextSeq: 3, batch: ops(5, 6), plan: { kind: 'gap', expectedSeq: 3 } },
    { case: 'a batch one past the cursor is a gap too', nextSeq: 1, batch: ops(2, 2), plan: { kind: 'gap', expectedSeq: 1 } },
  ])('$case', ({ nextSeq, batch, plan }) => {
    expect(planBatch(nextSeq, batch)).toEqual(plan);
  });
});
