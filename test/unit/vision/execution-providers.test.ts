import { describe, expect, it } from 'vitest';
import { chooseProvider, intraOpThreads, preferredProviders, type ProviderName } from '../../../src/vision/execution-providers.js';

describe('preferredProviders', () => {
  it("tries the platform's GPU provider first, then the CPU", () => {
    expect(preferredProviders('auto', 'linux')).toEqual(['cuda', 'cpu']);
    expect(preferredProviders('auto', 'win32')).toEqual(['dml', 'cpu']);
    expect(preferredProviders('auto', 'darwin')).toEqual(['coreml', 'cpu']);
    expect(preferredProviders('auto', 'freebsd')).toEqual(['cpu']);
    expect(preferredProviders('cpu', 'linux')).toEqual(['cpu']);
  });
});

describe('chooseProvider', () => {
  // Stands in for ONNX Runtime on a machine with a GPU, which CI does not have.
  const machine = (working: ProviderName[]) => async (p: ProviderName) => {
    if (!working.includes(p)) throw new Error(`${p} library not found\nstack`);
    return `session on ${p}`;
  };

  it('uses the GPU where it loads', async () => {
    const r = await chooseProvider(['cuda', 'cpu'], machine(['cuda', 'cpu']));
    expect(r).toEqual({ value: 'session on cuda', choice: { active: 'cuda' } });
  });

  it('falls back to the CPU and says why', async () => {
    const r = await chooseProvider(['dml', 'cpu'], machine(['cpu']));
    expect(r.choice).toEqual({ active: 'cpu', fallbackReason: 'dml unavailable: dml library not found' });
  });

  it('fails with every reason when nothing loads', async () => {
    await expect(chooseProvider(['cuda', 'cpu'], machine([]))).rejects.toThrow(/cuda unavailable.*cpu unavailable/);
  });
});

describe('intraOpThreads', () => {
  it('shares the cores between the pool workers without oversubscribing', () => {
    expect(intraOpThreads(2, 2)).toBe(1);
    expect(intraOpThreads(2, 8)).toBe(4);
    expect(intraOpThreads(3, 8)).toBe(2);
    expect(intraOpThreads(16, 4)).toBe(1);
  });
});
