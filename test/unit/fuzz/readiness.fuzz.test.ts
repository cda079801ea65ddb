// Property-based checks of the readiness decision (src/ingest/readiness.ts) over arbitrary
// observation histories and policies, with a fixed seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideReadiness,
  recordObservation,
  type CompletenessState,
  type FileObservation,
  type ReadinessHistory,
  type ReadinessPolicy,
} from '../../../src/ingest/readiness.js';
import { assertDecision } from '../../fuzz/harnesses.js';

const SEED = 0x5f1e_2024;
const RUNS = 1_000;

const policyArb: fc.Arbitrary<ReadinessPolicy> = fc
  .record({
    stableForMs: fc.integer({ min: 0, max: 60_000 }),
    unmarkedStableForMs: fc.integer({ min: 0, max: 600_000 }),
    truncatedAfterMs: fc.integer({ min: 1_000, max: 3_600_000 }),
    probeIntervalMs: fc.integer({ min: 20, max: 10_000 }),
  })
  // As intake.ts builds it: an unmarked file never waits longer than a truncated one.
  .map((p) => ({ ...p, unmarkedStableForMs: Math.min(p.unmarkedStableForMs, p.truncatedAfterMs) }));

const stateArb = fc.constantFrom<CompletenessState>('complete', 'incomplete', 'damaged', 'unknown');

const stepArb = fc.record({
  gapMs: fc.integer({ min: 0, max: 120_000 }),
  size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000_000 })),
  mtimeOffsetMs: fc.integer({ min: -10_000_000, max: 10_000_000 }),
  format: fc.constantFrom<string | null>('jpeg', 'tiff', 'raw-tiff', null),
  completeness: stateArb,
  reason: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function historyOf(steps: readonly Step[]): { history: ReadinessHistory; last: FileObservation } {
  let at = 1_000_000_000;
  let history: ReadinessHistory | undefined;
  let last: FileObservation | undefined;
  for (const step of steps) {
    at += step.gapMs;
    last = {
      at,
      size: step.size,
      mtimeMs: at + step.mtimeOffsetMs,
      format: step.format,
      completeness: step.completeness,
      ...(step.reason === undefined ? {} : { reason: step.reason }),
    };
    history = recordObservation(history, last);
  }
  return { history: history!, last: last! };
}

describe('fuzzing the readiness decision', () => {
  it('always answers take, wait within the probe interval, or fail with a reason', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 8 }),
        policyArb,
        fc.integer({ min: 0, max: 4_000_000 }),
        (steps, policy, laterMs) => {
          const { history, last } = historyOf(steps);
          const decision = decideReadiness(history, last.at + laterMs, policy);
          assertDecision(decision, 'decideReadiness');
          if (decision.action === 'wait') expect(decision.recheckInMs).toBeLessThanOrEqual(policy.probeIntervalMs);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('takes only a non-empty photo whose check said complete or had nothing to check', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 8 }),
        policyArb,
        fc.integer({ min: 0, max: 4_000_000 }),
        (steps, policy, laterMs) => {
          const { history, last } = historyOf(steps);
          if (decideReadiness(history, last.at + laterMs, policy).action !== 'take') return;
          expect(last.size).toBeGreaterThan(0);
          expect(last.format).not.toBeNull();
          expect(['complete', 'unknown']).toContain(last.completeness);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('decides every file that stopped changing by the longest of its waits, and a damaged one by the stable time', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 8 }), policyArb, (steps, policy) => {
        const { last } = historyOf(steps);
        // Seen once more, unchanged: the file has stopped being written.
        const again: FileObservation = { ...last, at: last.at + policy.probeIntervalMs };
        const { history } = historyOf(steps);
        const settled = recordObservation(history, again);
        const stableSince = settled.lastChangeAt;
        const longestWait = Math.max(policy.truncatedAfterMs, policy.stableForMs);
        const atDeadline = decideReadiness(settled, stableSince + longestWait + policy.probeIntervalMs, policy);
        expect(atDeadline.action).not.toBe('wait');
        if (last.completeness === 'damaged' && last.size > 0 && last.format !== null) {
          const soon = decideReadiness(settled, Math.max(again.at, stableSince + policy.stableForMs), policy);
          expect(soon.action).toBe('fail');
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
