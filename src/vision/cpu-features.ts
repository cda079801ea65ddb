// Whether this CPU runs int8 convolutions without overflow. x86 CPUs without VNNI add pairs of
// u8×s8 products in 16-bit registers (VPMADDUBSW), which saturates with full 8-bit weights and
// silently corrupts detections; VNNI (and every ARM64 path ONNX Runtime uses) accumulates in 32 bits.
import { readFileSync } from 'node:fs';

export function hasSafeInt8DotProduct(arch: string, cpuFlags: string | null): boolean {
  if (arch === 'arm64') return true;
  if (arch !== 'x64' || cpuFlags === null) return false;
  return /(^|\s)(avx512_vnni|avx_vnni)(\s|$)/.test(cpuFlags);
}

/** The CPU feature flags where the OS lists them (Linux); null where it does not say. */
export function readCpuFlags(platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return line ? line.slice(line.indexOf(':') + 1).trim() : null;
  } catch {
    return null;
  }
}
