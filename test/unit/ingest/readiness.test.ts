import { describe, expect, it } from 'vitest';
import {
  AT_REST_AFTER_MS,
  decideReadiness,
  recordObservation,
  type FileObservation,
  type ReadinessHistory,
  type ReadinessPolicy,
} from '../../../src/ingest/readiness.js';

const policy: ReadinessPolicy = { probeIntervalMs: 100, stableForMs: 100, unmarkedStableForMs: 3000, truncatedAfterMs: 60_000 };

/** Replays observations (ms since start, size, completeness) and asks for a decision at `at`. */
function replay(
  steps: { at: number; size: number; completeness?: FileObservation['completeness']; format?: string | null; mtimeMs?: number }[],
  at: number,
  p: ReadinessPolicy = policy,
) {
  const base = 1_000_000;
  let h: ReadinessHistory | undefined;
  for (const s of steps) {
    h = recordObservation(h, {
      at: base + s.at,
      size: s.size,
      mtimeMs: s.mtimeMs ?? base + s.at,
      format: s.format === undefined ? 'jpeg' : s.format,
      completeness: s.completeness ?? 'complete',
    });
  }
  return decideReadiness(h!, base + at, p);
}

describe('deciding when a file a camera tool writes is finished', () => {
  it('takes a file only after its end marker is there and its size stayed the same for a moment', () => {
    expect(replay([{ at: 0, size: 9_000_000 }], 0).action).toBe('wait');
    expect(
      replay(
        [
          { at: 0, size: 9_000_000 },
          { at: 120, size: 9_000_000, mtimeMs: 1_000_000 },
        ],
        120,
      ).action,
    ).toBe('take');
  });

  it('keeps waiting while the file is still growing, even if a JPEG end marker shows up early', () => {
    const d = replay(
      [
        { at: 0, size: 4_000_000 },
        { at: 120, size: 9_000_000 },
      ],
      130,
    );
    expect(d.action).toBe('wait');
  });

  it('keeps waiting while the end marker is missing, then reports the file truncated once it stops growing', () => {
    const steps = [
      { at: 0, size: 2_000_000, completeness: 'incomplete' as const },
      { at: 1000, size: 5_000_000, completeness: 'incomplete' as const },
    ];
    expect(replay(steps, 30_000).action).toBe('wait');
    const late = replay(steps, 1000 + policy.truncatedAfterMs);
    expect(late.action).toBe('fail');
    expect(late.action === 'fail' && late.reason).toMatch(/truncated/);
  });

  it('survives a Wi-Fi transmitter stalling mid-file for several seconds', () => {
    const steps = [
      { at: 0, size: 1_000_000, completeness: 'incomplete' as const },
      { at: 8000, size: 1_000_000, completeness: 'incomplete' as const },
    ];
    expect(replay(steps, 8000).action).toBe('wait');
  });

  it('takes a complete file at once when it has been at rest for a while (scanned at start-up)', () => {
    const d = replay([{ at: 0, size: 9_000_000, mtimeMs: 1_000_000 - AT_REST_AFTER_MS - 1 }], 0);
    expect(d.action).toBe('take');
  });

  it('waits for an empty file to be filled, and reports it empty if it never is', () => {
    expect(replay([{ at: 0, size: 0, completeness: 'unknown', format: null }], 500).action).toBe('wait');
    const d = replay([{ at: 0, size: 0, completeness: 'unknown', format: null }], policy.truncatedAfterMs);
    expect(d).toEqual({ action: 'fail', reason: 'empty file (0 bytes)' });
  });

  it('reports content that is no photo format once the file has settled', () => {
    const d = replay([{ at: 0, size: 6, completeness: 'unknown', format: null }], policy.unmarkedStableForMs);
    expect(d.action).toBe('fail');
    expect(d.action === 'fail' && d.reason).toMatch(/not a photo/);
  });

  it('takes formats without a checkable end marker after a longer quiet period', () => {
    const steps = [{ at: 0, size: 30_000_000, completeness: 'unknown' as const }];
    expect(replay(steps, 1000).action).toBe('wait');
    expect(replay(steps, policy.unmarkedStableForMs).action).toBe('take');
  });

  describe('a file whose structure is damaged (it can never become a photo)', () => {
    const reason =
      'TIFF directory at byte 3735928559 would end at byte 3735928561, but no photo is 2 GiB or larger and the file has 5000 bytes (the offset is corrupt)';
    const observe = (at: number, size: number, mtimeMs = 0): FileObservation => ({
      at,
      size,
      mtimeMs,
      format: 'tiff',
      completeness: 'damaged',
      reason,
    });
    const historyOf = (...observations: FileObservation[]): ReadinessHistory =>
      observations.reduce<ReadinessHistory | undefined>(recordObservation, undefined)!;

    it('is reported corrupt as soon as its size has settled, without the minute-long truncation wait', () => {
      const d = decideReadiness(historyOf(observe(0, 5000), observe(100, 5000)), 200, policy);
      expect(d).toEqual({ action: 'fail', reason: `corrupt: ${reason}; copy it again from the card or camera` });
    });

    it('is not failed while it is still changing, since a tool that preallocates the file may still be filling it', () => {
      const d = decideReadiness(historyOf(observe(0, 5000), observe(100, 9000, 100)), 150, policy);
      expect(d.action).toBe('wait');
    });
  });

  it('never asks to re-check later than the probe interval', () => {
    const d = replay([{ at: 0, size: 2_000_000, completeness: 'incomplete' }], 0);
    expect(d).toEqual({ action: 'wait', recheckInMs: policy.probeIntervalMs });
  });

  it('counts a changed modification time as the file still being written', () => {
    const h1 = recordObservation(undefined, { at: 0, size: 10, mtimeMs: 0, format: 'jpeg', completeness: 'complete' });
    const h2 = recordObservation(h1, { at: 50, size: 10, mtimeMs: 40, format: 'jpeg', completeness: 'complete' });
    expect(h2.lastChangeAt).toBe(50);
  });
});
