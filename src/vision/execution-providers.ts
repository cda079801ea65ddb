// Picks the ONNX Runtime execution provider: the platform's GPU provider where it loads, CPU
// otherwise, with the reason recorded so `status` can tell the photographer what is in use.
import { availableParallelism } from 'node:os';

export type ProviderName = 'cpu' | 'cuda' | 'dml' | 'coreml';
export type ProviderSetting = 'auto' | ProviderName;

export interface ProviderChoice {
  /** The provider the sessions actually run on. */
  active: ProviderName;
  /** Why a preferred provider was not used (absent when the first choice worked). */
  fallbackReason?: string;
}

/** GPU providers worth trying on this platform, best first. */
export function preferredProviders(setting: ProviderSetting, platform: NodeJS.Platform = process.platform): ProviderName[] {
  if (setting !== 'auto') return setting === 'cpu' ? ['cpu'] : [setting, 'cpu'];
  const gpu: Partial<Record<NodeJS.Platform, ProviderName>> = { linux: 'cuda', win32: 'dml', darwin: 'coreml' };
  const candidate = gpu[platform];
  return candidate ? [candidate, 'cpu'] : ['cpu'];
}

/**
 * Threads ONNX Runtime may use inside one worker: the cores shared out between the pool's
 * workers, so N workers × threads never exceeds the machine (oversubscription slows everyone).
 */
export function intraOpThreads(poolWorkers: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, poolWorkers)));
}

/**
 * Tries each provider in order with `open`, returning the first that works. `open` creates the
 * real sessions; it is a parameter so the choice logic can be tested without a GPU.
 */
export async function chooseProvider<T>(
  candidates: readonly ProviderName[],
  open: (provider: ProviderName) => Promise<T>,
): Promise<{ value: T; choice: ProviderChoice }> {
  const failures: string[] = [];
  for (const provider of candidates) {
    try {
      const value = await open(provider);
      return { value, choice: failures.length ? { active: provider, fallbackReason: failures.join('; ') } : { active: provider } };
    } catch (err) {
      failures.push(`${provider} unavailable: ${firstLine((err as Error).message)}`);
    }
  }
  throw new Error(`No ONNX Runtime execution provider could load the face models (${failures.join('; ')})`);
}

const firstLine = (s: string): string => (s.split('\n')[0] ?? s).slice(0, 300);
