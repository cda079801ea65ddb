// The composition root: wires store, ingest and pipeline for one data dir. It holds no SQL,
// no image code and no HTTP; it only connects the modules that do.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  dataDirLayout,
  loadSettingsFile,
  resolveSettings,
  type DataDirLayout,
  type Settings,
  type SettingsInput,
} from '../config/index.js';
import { createHotFolders, createIntake, type Admission, type HotFolders, type Intake, type IntakeMode } from '../ingest/index.js';
import { createPhotoWorkerPool, createScheduler, defaultWorkerThreads, thisMachine, WORKER_MEMORY_MB, type PhotoOutcome, type PhotoProcessor, type Scheduler } from '../pipeline/index.js';
import { regroupEventBursts } from '../bursts/index.js';
import { type ClipTaskOptions, type FaceTaskOptions } from '../photo/index.js';
import {
  checkpointAndClose,
  createRepositories,
  openDatabase,
  type Database,
  type Event,
  type Repositories,
  type Source,
} from '../store/index.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import type { Logger } from './logger.js';
import { createFaceIndexCache, type FaceIndexCache } from '../search/index.js';
import { activeClipModel, ensureFaceModels, intraOpThreads, loadMatchThreshold, type FaceModelPaths, type InstalledClipModel } from '../vision/index.js';
import { assignFacesToPersons } from '../people/index.js';
import { readEventStatus, readStorageStatus, type EventStatus } from './status.js';

export interface EngineEvents {
  photo: [PhotoOutcome];
  admission: [{ eventId: number; path: string; admission: Admission }];
  'file-failed': [{ eventId: number; path: string; error: string }];
  source: [Source];
}

export interface EngineOptions {
  dataDir: string;
  log: Logger;
  mode: IntakeMode;
  /** Overrides on top of <data-dir>/settings.json. */
  settings?: SettingsInput;
  /** For tests that want a different pool (e.g. fewer threads). */
  processor?: PhotoProcessor;
}

export interface EventSession {
  event: Event;
  intake: Intake;
  hotFolders: HotFolders;
}

export interface Engine {
  readonly layout: DataDirLayout;
  readonly settings: Settings;
  readonly repos: Repositories;
  readonly log: Logger;
  readonly bus: EventEmitter<EngineEvents>;
  readonly threads: number;
  /** In-memory face indexes per event for selfie searches (the kiosk's fast path). */
  readonly faceIndexes: FaceIndexCache;
  openEvent(name: string): Promise<EventSession>;
  status(eventName: string): EventStatus | undefined;
  /** Failed photos (all, or those given) back into the queue; files that could not be read are examined again. */
  retryFailed(eventName: string, photoIds?: readonly number[]): { requeued: number; reexamined: number };
  /** Resolves when nothing is arriving or queued for the event. */
  whenIdle(eventId: number): Promise<void>;
  stop(): Promise<void>;
}

function mergeSettings(fileSettings: SettingsInput, overrides: SettingsInput | undefined): Settings {
  if (!overrides) return resolveSettings(fileSettings);
  return resolveSettings({
    ingest: { ...fileSettings.ingest, ...overrides.ingest },
    pipeline: { ...fileSettings.pipeline, ...overrides.pipeline },
    media: { ...fileSettings.media, ...overrides.media },
    faces: { ...fileSettings.faces, ...overrides.faces },
    server: { ...fileSettings.server, ...overrides.server },
  });
}

/** Behind live frames (10) and card imports (0): back-fill only uses idle time. */
export const SCENE_BACKFILL_PRIORITY = -10;
const BURST_REGROUP_DELAY_MS = 2_000;
const CLIP_MODEL_RECHECK_MS = 5_000;

/**
 * The face model files, checked (or converted) once here for every photo worker: each worker
 * checking them hashed ~50 MB at start, and workers converting at once wrote the same files.
 * On failure the workers try again and each photo reports why.
 */
async function checkedFaceModels(log: Logger): Promise<FaceModelPaths | undefined> {
  try {
    return await ensureFaceModels();
  } catch (err) {
    log.warn({ err }, `Face models: ${(err as Error).message}`);
    return undefined;
  }
}

function findClipModel(modelsDir: string, log: Logger): InstalledClipModel | null {
  try {
    return activeClipModel(modelsDir);
  } catch (err) {
    log.error({ err }, `The installed CLIP model cannot be used (${(err as Error).message}); scene search is off. Reinstall it with \`shutterfind models add\`.`);
    return null;
  }
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const layout = dataDirLayout(options.dataDir);
  mkdirSync(layout.root, { recursive: true });
  const settings = mergeSettings(loadSettingsFile(layout.settings), options.settings);
  const lock: DataDirLock = await acquireDataDirLock(layout.lock, layout.root);
  let db: Database;
  try {
    db = openDatabase(layout.database);
  } catch (err) {
    lock.release();
    throw err;
  }
  const log = options.log;
  const repos = createRepositories(db);
  const bus = new EventEmitter<EngineEvents>();
  const machine = thisMachine();
  const threads = options.processor?.threads ?? defaultWorkerThreads(settings.pipeline.workers, machine);
  if (!options.processor && settings.pipeline.workers === 0 && threads < machine.cores) {
    const memoryGb = Math.round(machine.memoryMb / 1024);
    log.info(`${threads} photo workers for ${machine.cores} cores: ${memoryGb} GB of memory allows that many at ~${WORKER_MEMORY_MB} MB each (pipeline.workers in settings.json overrides)`);
  }
  const processor = options.processor ?? createPhotoWorkerPool(threads);
  const released = repos.jobs.releaseAllLeases(Date.now());
  if (released > 0) log.warn({ jobs: released }, `Resuming ${released} job(s) interrupted when Shutterfind last stopped`);

  // Scene search runs when a CLIP model is installed (`shutterfind models add`). The models
  // folder is looked at again every few seconds, so a model added while serving is taken up
  // without a restart: new photos get scene embeddings and earlier ones are back-filled.
  let clipModel = findClipModel(layout.models, log);
  let clipCheckedAt = Date.now();
  const clipOptions = (recheck = false): ClipTaskOptions | null => {
    const now = Date.now();
    if (recheck || now - clipCheckedAt > CLIP_MODEL_RECHECK_MS) {
      clipCheckedAt = now;
      const found = findClipModel(layout.models, log);
      if (found?.dir !== clipModel?.dir) {
        clipModel = found;
        if (found) {
          log.info(`Scene search on: CLIP model "${found.name}"`);
          for (const session of sessions.values()) backfillScenes(session.event.id, session.event.name);
          setImmediate(() => scheduler.wake());
        } else {
          log.warn('The CLIP model is gone: scene search is off');
        }
      }
    }
    return clipModel ? { visionPath: clipModel.visionPath, provider: settings.faces.provider, threads: intraOpThreads(threads) } : null;
  };
  /** Photos from before the CLIP model was installed get scene embeddings, behind new photos. */
  const backfillScenes = (eventId: number, name: string): void => {
    const queued = repos.clipVectors.enqueueBackfill(eventId, SCENE_BACKFILL_PRIORITY, settings.pipeline.maxAttempts, Date.now());
    if (queued) log.info(`Scene search: embedding ${queued} earlier photo(s) of "${name}" in the background`);
  };
  // Kiosk searches run against an in-memory index of each event's faces, built from sqlite-vec
  // on first use and kept in step here as photos land (search p95 5 ms at 100k faces).
  const faceIndexes = createFaceIndexCache(repos.faceVectors);
  // Bursts are regrouped a moment after photos stop landing (a burst arrives as a run of
  // frames); a full regroup of an event is a few ms of SQL and pure code per thousand photos.
  const burstTimers = new Map<number, NodeJS.Timeout>();
  const regroupBursts = async (eventId: number): Promise<void> => {
    burstTimers.delete(eventId);
    try {
      await regroupEventBursts(repos.bursts, eventId, layout.root, log);
    } catch (err) {
      log.warn({ err, eventId }, `Could not group bursts: ${(err as Error).message}. \`shutterfind bursts --regroup\` redoes it.`);
    }
  };
  const scheduleBurstRegroup = (eventId: number): void => {
    clearTimeout(burstTimers.get(eventId));
    burstTimers.set(eventId, setTimeout(() => void regroupBursts(eventId), BURST_REGROUP_DELAY_MS));
  };
  let lastProvider = '';
  /** Clusters new faces into persons and publishes the provider in use; neither may fail the photo. */
  function afterPhotoReady(
    eventId: number,
    faceIds: number[],
    provider?: { active: string; fallbackReason?: string; detector?: string },
    replacedFaceIds: number[] = [],
  ): void {
    try {
      if (replacedFaceIds.length) faceIndexes.facesRemoved(eventId, replacedFaceIds);
      if (faceIds.length && faceIndexes.loadedEvents().includes(eventId)) {
        const vectors = repos.faceVectors.vectorsOf(faceIds);
        faceIndexes.facesAdded(
          eventId,
          faceIds.flatMap((faceId, i) => {
            const embedding = vectors[i];
            return embedding ? [{ faceId, embedding }] : [];
          }),
        );
      }
    } catch (err) {
      // The index is a cache: forget it and the next search rebuilds it from the database.
      faceIndexes.forget(eventId);
      log.warn({ err, eventId }, 'Face index out of step; it will be rebuilt');
    }
    try {
      if (faceIds.length) {
        // The selfie search's in-memory index (it holds these faces by now) answers the neighbour queries.
        const index = faceIndexes.forEvent(eventId);
        assignFacesToPersons(repos.persons, eventId, faceIds, loadMatchThreshold().clusterThreshold, { neighbours: (embedding, k) => index.nearest(embedding, k) });
      }
    } catch (err) {
      log.error({ err, eventId }, `Could not group new faces into people: ${(err as Error).message}. Run \`shutterfind recluster\` to redo it.`);
    }
    if (provider && JSON.stringify(provider) !== lastProvider) {
      lastProvider = JSON.stringify(provider);
      const on = `${provider.active.toUpperCase()}${provider.detector ? ` (${provider.detector} detector)` : ''}`;
      if (provider.fallbackReason) log.warn(`Face engine runs on ${on}: ${provider.fallbackReason}`);
      else log.info(`Face engine runs on ${on}`);
      try {
        repos.runtime.set('faces.provider', provider, Date.now());
      } catch (err) {
        log.warn({ err }, 'Could not record the face provider for status');
      }
    }
  }

  const faceTask: FaceTaskOptions | null = settings.faces.enabled
    ? {
        provider: settings.faces.provider,
        detectorPrecision: settings.faces.detectorPrecision,
        threads: intraOpThreads(threads),
        minFacePx: settings.faces.minFacePx,
        minScore: settings.faces.minScore,
        tiling: settings.faces.tiling,
        maxFaces: settings.faces.maxFacesPerPhoto,
        models: await checkedFaceModels(log),
      }
    : null;
  // Workers open the face models while the start-up scan and hashing run, not on the first photo.
  if (faceTask) processor.warmUp(faceTask);

  const scheduler: Scheduler = createScheduler({
    jobs: repos.jobs,
    photos: repos.photos,
    processor,
    dataDir: layout.root,
    media: settings.media,
    policy: settings.pipeline,
    owner: `${hostname()}:${process.pid}`,
    log,
    faces: faceTask,
    clip: clipOptions,
    clipVectors: repos.clipVectors,
    onOutcome: (outcome) => {
      if (outcome.status === 'ready') {
        afterPhotoReady(outcome.eventId, outcome.faceIds, outcome.faceProvider, outcome.replacedFaceIds);
        // A photo processed just before a newly added model was noticed still gets its scene.
        if (clipModel && repos.clipVectors.enqueueBackfillOf(outcome.photoId, outcome.eventId, SCENE_BACKFILL_PRIORITY, settings.pipeline.maxAttempts, Date.now())) {
          setImmediate(() => scheduler.wake());
        }
      }
      if (outcome.status === 'ready' || outcome.status === 'scene-indexed') scheduleBurstRegroup(outcome.eventId);
      bus.emit('photo', outcome);
    },
  });
  const sessions = new Map<string, EventSession>();

  const engine: Engine = {
    layout,
    settings,
    repos,
    log,
    bus,
    threads,
    faceIndexes,
    async openEvent(name) {
      const open = sessions.get(name);
      if (open) return open;
      const event = repos.events.ensureEvent(name, Date.now());
      // Faces saved just before a crash may not have reached clustering; finish that first.
      const orphans = repos.faces.unassignedFaceIds(event.id);
      if (orphans.length) afterPhotoReady(event.id, orphans);
      if (clipOptions(true)) backfillScenes(event.id, name);
      const intake = createIntake({
        photos: repos.photos,
        eventId: event.id,
        options: { ...settings.ingest, maxAttempts: settings.pipeline.maxAttempts },
        mode: options.mode,
        log: log.child({ event: name }),
        onAdmission: (path, admission) => {
          if (admission.outcome === 'added') scheduler.wake();
          bus.emit('admission', { eventId: event.id, path, admission });
        },
        onFailure: (path, error) => bus.emit('file-failed', { eventId: event.id, path, error }),
      });
      const hotFolders = createHotFolders({
        sources: repos.sources,
        intake,
        eventId: event.id,
        log: log.child({ event: name }),
        onSourceState: (s) => bus.emit('source', s),
      });
      const session = { event, intake, hotFolders };
      sessions.set(name, session);
      // Work left from an earlier run of this event (the queue survives restarts).
      scheduler.wake();
      return session;
    },
    status: (eventName) => readEventStatus(repos, eventName, Date.now(), readStorageStatus(layout.root), clipModel?.name ?? null, sessions.get(eventName)?.intake.waiting()),
    retryFailed(eventName, photoIds) {
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
      scheduler.wake();
      return { requeued, reexamined };
    },
    whenIdle(eventId) {
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
    async stop() {
      for (const s of sessions.values()) {
        await s.hotFolders.close();
        s.intake.close();
      }
      await scheduler.drain();
      // Photos that landed just before the stop still get their bursts.
      const pending = [...burstTimers.keys()];
      for (const t of burstTimers.values()) clearTimeout(t);
      for (const eventId of pending) await regroupBursts(eventId);
      await processor.close();
      checkpointAndClose(db);
      lock.release();
    },
  };
  return engine;
}
