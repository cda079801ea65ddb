import { describe, expect, it } from 'vitest';
import { defaultWorkerThreads } from '../../../src/pipeline/index.js';

const GB = 1024;

describe('how many photo workers a laptop gets', () => {
  it('runs one per core where memory allows, as on this 2-core test machine', () => {
    expect(defaultWorkerThreads(0, { cores: 2, memoryMb: 24 * GB })).toBe(2);
    expect(defaultWorkerThreads(0, { cores: 16, memoryMb: 32 * GB })).toBe(16);
  });

  it('runs fewer than the cores when one per core would take more than half the memory', () => {
    expect(defaultWorkerThreads(0, { cores: 16, memoryMb: 8 * GB })).toBe(10);
    expect(defaultWorkerThreads(0, { cores: 8, memoryMb: 4 * GB })).toBe(5);
  });

  it('always runs at least one, however small the machine', () => {
    expect(defaultWorkerThreads(0, { cores: 4, memoryMb: 0.5 * GB })).toBe(1);
  });

  it('uses the configured count as it is', () => {
    expect(defaultWorkerThreads(3, { cores: 16, memoryMb: 2 * GB })).toBe(3);
  });
});
