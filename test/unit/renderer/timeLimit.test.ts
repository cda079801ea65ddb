// The kiosk moves on from work that takes too long (a face-detection backend that does not start).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { within } from '../../../renderer/kiosk/timeLimit.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('within', () => {
  it('gives the work its result when it finishes in time', async () => {
    await expect(within(Promise.resolve('webgl'), 1_000, 'Starting')).resolves.toBe('webgl');
  });

  it('passes the work’s own failure on', async () => {
    await expect(within(Promise.reject(new Error('no WebGL context')), 1_000, 'Starting')).rejects.toThrow('no WebGL context');
  });

  it('gives up on work that never finishes, saying what took too long', async () => {
    vi.useFakeTimers();
    const never = new Promise<string>(() => undefined);
    const limited = within(never, 10_000, 'Face detection: the webgl backend');
    const settled = expect(limited).rejects.toThrow('Face detection: the webgl backend took longer than 10 s');
    await vi.advanceTimersByTimeAsync(10_001);
    await settled;
  });
});
