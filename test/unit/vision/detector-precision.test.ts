import { describe, expect, it } from 'vitest';
import { chooseDetectorPrecision } from '../../../src/vision/face-engine.js';
import type { ProviderName } from '../../../src/vision/index.js';

describe('chooseDetectorPrecision', () => {
  it('auto runs the int8 detector on the CPU provider and the float one on GPU providers', () => {
    const providers: ProviderName[] = ['cpu', 'cuda', 'dml', 'coreml'];
    expect(providers.map((p) => chooseDetectorPrecision('auto', p))).toEqual(['int8', 'float32', 'float32', 'float32']);
  });

  it('an explicit setting wins', () => {
    expect(chooseDetectorPrecision('float32', 'cpu')).toBe('float32');
    expect(chooseDetectorPrecision('int8', 'cuda')).toBe('int8');
  });
});
