// The events an engine has open: each with its intake (files → photos) and hot folders, and what
// the engine does per event: retry failed photos, wait until nothing is left to do.
import type { EventEmitter } from 'node:events';
import type { Settings } from '../config/index.js';
import { createHotFolders, createIntake, type IntakeMode } from '../ingest/index.js';
import type { Event, Repositories } from '../store/index.js';
import type { EngineEvents, EventSession } from './engine-types.js';
import type { Logger } from './logger.js';

export interface EventSessionsDeps {
  repos: Repositories;
  settings: Settings;
  mode: IntakeMode;
  log: Logger;
  bus: EventEmitter<EngineEvents>;
  /** Look for due work now (a photo was added or a retry queued). */
  wake(): void;
  /** Before an event's intake opens: finish what a crash left (grouping, scene back-fill). */
  beforeOpen(event: Event): void;
}

export function createEventSessions(deps: EventSessionsDeps) {
  const { repos, settings, bus } = deps;
  const sessions = new Map<string, EventSession>();
  return {
    all: (): EventSession[] => [...sessions.values()],
    named: (name: string): EventSession | undefined => sessions.get(name),

    async open(name: string): Promise<EventSession> {
      const open = sessions.get(name);
      if (open) return open;
      const event = repos.events.ensureEvent(name, Date.now());
      deps.beforeOpen(event);
      const log = deps.log.child({ event: name });
      const intake = createIntake({
        photos: repos.photos,
        pairs: repos.pairs,
        eventId: event.id,
        options: { ...settings.ingest, maxAttempts: settings.pipeline.maxAttempts },
        mode: deps.mode,
        log,
        onAdmission: (path, admission) => {
          // A JPEG that joined its RAW's photo lets that photo's held job run now.
          if (admission.outcome === 'added' || admission.outcome === 'paired') deps.wake();
          bus.emit('admission', { eventId: event.id, path, admission });
        },
        onFailure: (path, error) => bus.emit('file-failed', { eventId: event.id, path, error }),
      });
      const hotFolders = createHotFolders({
        sources: repos.sources,
        intake,
        eventId: event.id,
        log,
        onSourceState: (s) => bus.emit('source', s),
      });
      const session = { event, intake, hotFolders };
      sessions.set(name, session);
      // Work left from an earlier run of this event (the queue survives restarts).
      deps.wake();
      return session;
    },

    /** Failed photos (all, or those given) back into the queue; files that could not be read are examined again. */
    retryFailed(eventName: string, photoIds?: readonly number[]): { requeued: number; reexamined: number } {
      const event = repos.events.findEventByName(eventName);
      if (!event) return { requeued: 0, reexamined: 0 };
      const requeued = repos.photos.retryFailedPhotoJobs(event.id, Date.now(), photoIds);
      const session = sessions.get(eventName);
      let reexamined = 0;
      if (session) {
        for (const photo of repos.photos.listUnreadFailures(event.id)) {
          if (photoIds && !photoIds.includes(photo.id)) continue;
          repos.photos.forgetUnreadFailure(photo.id);
          session.intake.submit(photo.path, photo.sourceId);
          reexamined += 1;
        }
      }
      deps.wake();
      return { requeued, reexamined };
    },

    /** Resolves when nothing is arriving or queued for the event. */
    whenIdle(eventId: number): Promise<void> {
      const session = [...sessions.values()].find((s) => s.event.id === eventId);
      return new Promise<void>((resolve) => {
        const check = (): void => {
          if ((session?.intake.pending() ?? 0) === 0 && repos.jobs.queueDepth(eventId) === 0) {
            bus.off('photo', check);
            bus.off('admission', check);
            bus.off('file-failed', check);
            resolve();
          }
        };
        bus.on('photo', check);
        bus.on('admission', check);
        bus.on('file-failed', check);
        // Jobs waiting on a retry time produce no event until they run.
        void session?.intake.settled().then(check);
        check();
      });
    },

    async close(): Promise<void> {
      for (const s of sessions.values()) {
        await s.hotFolders.close();
        s.intake.close();
      }
    },
  };
}
