// The face provider in use (CPU, CUDA …, and the detector's arithmetic), logged and recorded for
// `status` and the console when it changes.
import type { Repositories } from '../store/index.js';
import type { Logger } from './logger.js';

export type FaceProvider = { active: string; fallbackReason?: string; detector?: string };

/** Publishes the face provider in use (for `status` and the console) when it changes. */
export function createProviderRecorder(repos: Repositories, log: Logger): (provider: FaceProvider) => void {
  let last = '';
  return (provider) => {
    if (JSON.stringify(provider) === last) return;
    last = JSON.stringify(provider);
    const on = `${provider.active.toUpperCase()}${provider.detector ? ` (${provider.detector} detector)` : ''}`;
    if (provider.fallbackReason) log.warn(`Face engine runs on ${on}: ${provider.fallbackReason}`);
    else log.info(`Face engine runs on ${on}`);
    try {
      repos.runtime.set('faces.provider', provider, Date.now());
    } catch (err) {
      log.warn({ err }, 'Could not record the face provider for status');
    }
  };
}
