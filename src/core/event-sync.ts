// Wires sync (src/sync) into the engine: the attendee-visible media of a photo (blurred where
// "do not publish" says so) as what leaves the laptop, the differ a moment after anything the
// cloud shows changes, and the live 'sync' event for the console.
import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { attendeeWatermark, readEventSettings } from '../config/index.js';
import type { DoNotPublish } from '../kiosk/index.js';
import type { Repositories } from '../store/index.js';
import { createEventSync, type EventSync } from '../sync/index.js';
import type { EngineEvents } from './engine-types.js';
import type { Logger } from './logger.js';

export interface EngineSyncDeps {
  repos: Repositories;
  dataDir: string;
  publishing: DoNotPublish;
  log: Logger;
  bus: EventEmitter<EngineEvents>;
}

export interface EngineSync {
  readonly sync: EventSync;
  /**
   * `target` with the given methods telling sync, after they return, that the event changed (a
   * rename, a merge, a take-home link): the differ then runs within seconds.
   */
  watch<T extends object>(target: T, methods: readonly (keyof T)[], eventIdOf: (args: unknown[]) => number): T;
}

export function createEngineSync(deps: EngineSyncDeps): EngineSync {
  const { repos, publishing, bus } = deps;
  const sync = createEventSync({
    repo: repos.sync,
    dataDir: deps.dataDir,
    log: deps.log,
    // Each enrolled event is a device of its own at the endpoint: "MacBook · Day 2" tells the
    // organiser which laptop and which of its events, where the laptop's name alone would repeat.
    defaultDeviceName: (eventId) => {
      const event = repos.events.listEvents().find((e) => e.id === eventId);
      return event ? `${hostname()} · ${event.name}` : hostname();
    },
    async attendeeMediaPath(photoId, kind) {
      const photo = repos.photos.getPhoto(photoId);
      return photo ? publishing.attendeeMedia(photo, kind) : null;
    },
    showsEveryFace: (eventId) => publishing.showsEveryFace(eventId),
    watermarkOf: (eventId) => attendeeWatermark(readEventSettings(repos.events.eventSettings(eventId))),
    onView: (view) => bus.emit('sync', view),
  });
  bus.on('photo', (o) => {
    // The photo's own rows alone, unless it replaced faces (a re-run of faces): their removal
    // is found by reading the whole event.
    if (o.status === 'ready') sync.changed(o.eventId, o.replacedFaceIds.length ? undefined : [o.photoId]);
  });
  bus.on('capture-merged', (m) => sync.changed(m.eventId));
  bus.on('kiosk-match', (m) => sync.changed(m.eventId));

  return {
    sync,
    watch(target, methods, eventIdOf) {
      const names = new Set<PropertyKey>(methods);
      return new Proxy(target, {
        get(obj, key, receiver) {
          const value = Reflect.get(obj, key, receiver) as unknown;
          if (!names.has(key) || typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
            const notify = () => {
              try {
                sync.changed(eventIdOf(args));
              } catch {
                // Telling sync never fails the edit; the next sync's differ sees the change anyway.
              }
            };
            if (result instanceof Promise) void result.then(notify, () => undefined);
            else notify();
            return result;
          };
        },
      });
    },
  };
}
