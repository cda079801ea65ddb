import { describe, expect, it } from 'vitest';
import { hasSafeInt8DotProduct } from '../../../src/vision/cpu-features.js';
import { chooseDetectorPrecision } from '../../../src/vision/face-engine.js';

const AVX2_ONLY = 'fpu vme sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma bmi2';
const AVX512_VNNI = `${AVX2_ONLY} avx512f avx512bw avx512vl avx512_vnni`;
const ALDER_LAKE = `${AVX2_ONLY} avx_vnni`;

describe('hasSafeInt8DotProduct', () => {
  const verdicts = (cases: Record<string, [string, string | null]>) =>
    Object.fromEntries(Object.entries(cases).map(([label, [arch, flags]]) => [label, hasSafeInt8DotProduct(arch, flags) ? 'int8 safe' : 'float only']));

  it('trusts x86 CPUs with VNNI (AVX-512 or AVX) and every ARM64 CPU', () => {
    expect(verdicts({ 'Xeon with AVX-512 VNNI': ['x64', AVX512_VNNI], 'Alder Lake': ['x64', ALDER_LAKE], 'Apple silicon': ['arm64', null] })).toEqual({
      'Xeon with AVX-512 VNNI': 'int8 safe',
      'Alder Lake': 'int8 safe',
      'Apple silicon': 'int8 safe',
    });
  });

  it('keeps float on x86 CPUs without VNNI, where the flags are unknown, and on near-miss flag names', () => {
    // VPMADDUBSW saturates 16-bit sums of u8×s8 pairs: full-range int8 weights overflow there.
    expect(
      verdicts({ 'AVX2 laptop': ['x64', AVX2_ONLY], 'Windows (no flags)': ['x64', null], '32-bit': ['ia32', AVX512_VNNI], 'avx512_vnnix': ['x64', `${AVX2_ONLY} avx512_vnnix`] }),
    ).toEqual({ 'AVX2 laptop': 'float only', 'Windows (no flags)': 'float only', '32-bit': 'float only', avx512_vnnix: 'float only' });
  });
});

describe('chooseDetectorPrecision', () => {
  const safe = () => true;
  const unsafe = () => false;

  it('auto runs the int8 detector only on a CPU provider whose CPU is safe for it', () => {
    expect(chooseDetectorPrecision('auto', 'cpu', safe)).toBe('int8');
    expect(chooseDetectorPrecision('auto', 'cpu', unsafe)).toBe('float32');
    expect(chooseDetectorPrecision('auto', 'cuda', safe)).toBe('float32');
    expect(chooseDetectorPrecision('auto', 'coreml', safe)).toBe('float32');
  });

  it('an explicit setting wins', () => {
    expect(chooseDetectorPrecision('float32', 'cpu', safe)).toBe('float32');
    expect(chooseDetectorPrecision('int8', 'cpu', unsafe)).toBe('int8');
  });
});
