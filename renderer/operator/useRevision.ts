// A section's list is fetched again when the live stream says it changed.
import { useConsole, type Revisions } from './store.js';

export function useRevision(list: keyof Revisions): number {
  return useConsole((s) => s.revisions[list]);
}
