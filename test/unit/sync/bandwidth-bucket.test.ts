import { describe, expect, it } from 'vitest';
import { fullBucket, takeTokens } from '../../../src/sync/bandwidth-bucket.js';

const RATE = 100_000; // bytes per second

describe('the bandwidth cap on uploads', () => {
  it('lets a second’s worth go at once, then makes the next part wait for its own time at the cap', () => {
    const first = takeTokens(fullBucket(RATE, 0), 100_000, RATE, 0);
    expect(first.waitMs).toBe(0);
    const second = takeTokens(first.bucket, 50_000, RATE, 0);
    expect(second.waitMs).toBe(500);
  });

  it('refills with time, never beyond one second of burst', () => {
    const drained = takeTokens(fullBucket(RATE, 0), 100_000, RATE, 0).bucket;
    expect(takeTokens(drained, 50_000, RATE, 500).waitMs).toBe(0);
    expect(takeTokens(drained, 150_000, RATE, 60_000).waitMs).toBe(500);
  });

  it('holds the average rate over many parts larger than the burst', () => {
    let bucket = fullBucket(RATE, 0);
    let now = 0;
    const part = 250_000;
    for (let i = 0; i < 20; i++) {
      const t = takeTokens(bucket, part, RATE, now);
      now += t.waitMs;
      bucket = t.bucket;
    }
    // 5 MB at 100 kB/s: 50 s, less the one second of burst at the start.
    expect(now).toBeGreaterThanOrEqual(48_000);
    expect(now).toBeLessThanOrEqual(50_000);
  });
});
