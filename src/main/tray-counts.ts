// The tray's line: ready, in the queue, errors — what a photographer glances at mid-event.
import type { Overview } from '../api/index.js';

export interface TrayCounts {
  ready: number;
  queue: number;
  errors: number;
}

export function trayCounts(o: Pick<Overview, 'photos' | 'queue'>): TrayCounts {
  return { ready: o.photos.ready, queue: o.queue.depth, errors: o.photos.failed };
}

export function trayTitle(c: TrayCounts | null, connection: 'connected' | 'reconnecting' | 'stopped'): string {
  if (connection === 'reconnecting') return 'Shutterfind: reconnecting to the engine…';
  if (connection === 'stopped' || c === null) return 'Shutterfind: engine stopped';
  const errors = c.errors ? ` · ${c.errors} error${c.errors === 1 ? '' : 's'}` : '';
  return `Shutterfind: ${c.ready} ready · ${c.queue} in queue${errors}`;
}
