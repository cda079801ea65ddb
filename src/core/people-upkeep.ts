// What keeps an event's people well grouped while the engine watches (serve, the desktop app):
// once the cameras pause, the event is re-clustered as `recluster` does (people/quiet-regroup.ts
// says when). The organiser's names, merges and splits are kept, as in any re-cluster.
import type { Logger } from 'pino';
import { regroupDue, QUIET_REGROUP_RULES, type QuietRegroupRules, type ReclusterSummary } from '../people/index.js';

/** How often the events are looked at. */
export const REGROUP_CHECK_MS = 15_000;

export interface PeopleUpkeepDeps {
  recluster(eventId: number): Promise<ReclusterSummary>;
  faces(eventId: number): number;
  /** Photos of the event waiting to be processed. */
  waiting(eventId: number): number;
  log: Logger;
  now?: () => number;
  rules?: QuietRegroupRules;
  every?: number;
}

export interface PeopleUpkeep {
  /** Call for every ready photo with its new faces. */
  photoReady(eventId: number, newFaces: number): void;
  /** Looks at every event now; resolves when any re-cluster it started has ended. */
  checkNow(): Promise<void>;
  /** No more re-clusters; resolves when one in flight has ended (close the grouping thread to end it at once). */
  stop(): Promise<void>;
}

export function startPeopleUpkeep(deps: PeopleUpkeepDeps): PeopleUpkeep {
  const now = deps.now ?? Date.now;
  const rules = deps.rules ?? QUIET_REGROUP_RULES;
  const events = new Map<number, { lastPhotoAt: number; newFaces: number; lastRegroupAt: number | null }>();
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let stopped = false;

  const regroup = async (eventId: number): Promise<void> => {
    const state = events.get(eventId)!;
    const counted = state.newFaces;
    const started = now();
    try {
      const summary = await deps.recluster(eventId);
      deps.log.info(
        { eventId, ...summary, seconds: Math.round((now() - started) / 100) / 10 },
        `People grouped again while the cameras paused: ${summary.persons} people from ${summary.faces} faces (names, merges and splits kept)`,
      );
    } catch (err) {
      // Quitting ends the grouping thread under a re-cluster: nothing was written, nothing is wrong.
      if (stopped) {
        deps.log.info({ eventId }, 'People were not grouped again: the engine stopped first. They stay as they were.');
        return;
      }
      deps.log.warn(
        { err, eventId },
        `Could not group people again while the cameras paused (${(err as Error).message}). People stay as grouped while photos arrived; \`shutterfind recluster\` can be run by hand.`,
      );
    }
    // Faces that landed meanwhile count towards the next one; a failure waits as long as a success.
    state.newFaces -= counted;
    state.lastRegroupAt = now();
  };

  const checkNow = (): Promise<void> => {
    if (busy || stopped) return running;
    const due = [...events].find(
      ([eventId, s]) => s.newFaces > 0 && regroupDue({ ...s, waiting: deps.waiting(eventId), faces: deps.faces(eventId) }, now(), rules),
    );
    if (!due) return running;
    busy = true;
    running = regroup(due[0]).finally(() => {
      busy = false;
    });
    return running;
  };

  const timer = setInterval(() => void checkNow(), deps.every ?? REGROUP_CHECK_MS);
  // The check never keeps a finished process alive.
  timer.unref();
  return {
    photoReady(eventId, newFaces) {
      const state = events.get(eventId) ?? { lastPhotoAt: 0, newFaces: 0, lastRegroupAt: null };
      state.lastPhotoAt = now();
      state.newFaces += newFaces;
      events.set(eventId, state);
    },
    checkNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
