// Loads one API resource for a screen, with the loading / error / loaded states every list shows.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api.js';

export type Resource<T> =
  | { state: 'loading'; data: null; error: null }
  | { state: 'error'; data: T | null; error: string }
  | { state: 'ready'; data: T; error: null };

export interface ResourceHandle<T> {
  resource: Resource<T>;
  /** Fetches again; keeps showing the old data meanwhile. */
  reload: () => void;
  /** Replaces the data locally (after a mutation whose response is the new value). */
  set: (update: (current: T) => T) => void;
}

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[] = []): ResourceHandle<T> {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading', data: null, error: null });
  const generation = useRef(0);
  const stableLoad = useCallback(load, deps);

  const run = useCallback(() => {
    const mine = ++generation.current;
    stableLoad().then(
      (data) => {
        if (mine === generation.current) setResource({ state: 'ready', data, error: null });
      },
      (error: unknown) => {
        if (mine === generation.current) setResource((old) => ({ state: 'error', data: old.data, error: errorMessage(error) }));
      },
    );
  }, [stableLoad]);

  useEffect(() => {
    run();
    return () => {
      generation.current += 1;
    };
  }, [run]);

  const set = useCallback((update: (current: T) => T) => {
    setResource((old) => (old.data === null ? old : { state: 'ready', data: update(old.data), error: null }));
  }, []);

  return { resource, reload: run, set };
}
