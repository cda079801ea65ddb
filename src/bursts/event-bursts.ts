// An event's bursts as the engine keeps them: regrouped a moment after photos stop landing (a
// burst arrives as a run of frames), listed, and used to show one photo per burst in results.
import type { Logger } from 'pino';
import type { Repositories, StoredBurst } from '../store/index.js';
import { collapseBursts } from './burst-collapse.js';
import { regroupEventBursts, type RegroupSummary } from './burst-regrouping.js';

/** A full regroup of an event is a few ms of SQL and pure code per thousand photos. */
export const BURST_REGROUP_DELAY_MS = 2_000;

export interface EventBurstsDeps {
  repos: Repositories;
  /** The data dir (previews are read to judge sharpness). */
  dataDir: string;
  log: Logger;
  delayMs?: number;
}

export function createEventBursts(deps: EventBurstsDeps) {
  const timers = new Map<number, NodeJS.Timeout>();
  const regroup = (eventId: number): Promise<RegroupSummary> => {
    clearTimeout(timers.get(eventId));
    timers.delete(eventId);
    return regroupEventBursts(deps.repos.bursts, eventId, deps.dataDir, deps.log);
  };
  const regroupQuietly = async (eventId: number): Promise<void> => {
    try {
      await regroup(eventId);
    } catch (err) {
      deps.log.warn({ err, eventId }, `Could not group bursts: ${(err as Error).message}. \`shutterfind bursts --regroup\` redoes it.`);
    }
  };
  return {
    list: (eventId: number): StoredBurst[] => deps.repos.bursts.listBursts(eventId),
    /** Rebuilds the event's bursts from scratch in one transaction. */
    regroup,
    /** One photo per burst, at the rank of its best-ranked frame. */
    collapse: <T extends { photoId: number; path: string }>(matches: readonly T[]): T[] => collapseBursts(deps.repos, matches),
    /** A photo landed or changed: regroup its event once photos stop landing for a moment. */
    photoChanged(eventId: number): void {
      clearTimeout(timers.get(eventId));
      timers.set(
        eventId,
        setTimeout(() => void regroupQuietly(eventId), deps.delayMs ?? BURST_REGROUP_DELAY_MS),
      );
    },
    /** At stop: photos that landed just before it still get their bursts. */
    async flush(): Promise<void> {
      const pending = [...timers.keys()];
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const eventId of pending) await regroupQuietly(eventId);
    },
  };
}

export type EventBursts = ReturnType<typeof createEventBursts>;
