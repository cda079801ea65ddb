// The throughput chart's history: one point per overview event (~every 2 s), the last few minutes kept.
import type { Overview } from '@api';

export interface ThroughputPoint {
  at: number;
  perSecond: number;
  queue: number;
}

/** Five minutes at one overview every two seconds. */
export const THROUGHPUT_WINDOW_MS = 5 * 60_000;

export function addThroughputPoint(points: readonly ThroughputPoint[], overview: Overview, at: number): ThroughputPoint[] {
  const kept = points.filter((p) => at - p.at <= THROUGHPUT_WINDOW_MS);
  return [...kept, { at, perSecond: overview.throughput.photosPerSecond, queue: overview.queue.depth }];
}
