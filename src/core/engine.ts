// The composition root: wires store, ingest, pipeline and the use cases (people, bursts, search,
// kiosk) for one data dir, and connects their reactions to a ready photo. It holds no SQL, no
// image code and no HTTP; adapters (server, CLI) reach the use cases through it.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { createEventBursts, type EventBursts } from '../bursts/index.js';
import { createCatalogue, type Catalogue } from '../catalogue/index.js';
import { dataDirLayout, loadSettingsFile, mergeSettings, type DataDirLayout, type Settings, type SettingsInput } from '../config/index.js';
import { createHotFolders, createIntake, type Admission, type HotFolders, type Intake, type IntakeMode } from '../ingest/index.js';
import {
  createGalleries,
  createKioskDevices,
  createKioskSessions,
  startKioskUpkeep,
  type Galleries,
  type KioskDevices,
  type KioskSessions,
} from '../kiosk/index.js';
import { createEventPeople, type EventPeople } from '../people/index.js';
import {
  createPhotoWorkerPool,
  createScheduler,
  defaultWorkerThreads,
  queueStageAgain,
  thisMachine,
  WORKER_MEMORY_MB,
  type PhotoOutcome,
  type PhotoProcessor,
  type Scheduler,
  type StageQueued,
} from '../pipeline/index.js';
import { createEventSearch, createFaceIndexCache, type EventSearch, type FaceIndexCache } from '../search/index.js';
import {
  checkpointAndClose,
  createRepositories,
  openDatabase,
  type Database,
  type Event,
  type PhotoStage,
  type Repositories,
  type Source,
} from '../store/index.js';
import { intraOpThreads, loadMatchThreshold } from '../vision/index.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { faceTaskOptions } from './face-task.js';
import type { Logger } from './logger.js';
import { watchSceneModel } from './scene-model.js';
import { createSelfieWorker } from './selfie-worker.js';
import { readEventStatus, readStorageStatus, type EventStatus } from './status.js';

export interface EngineEvents {
  photo: [PhotoOutcome];
  admission: [{ eventId: number; path: string; admission: Admission }];
  'file-failed': [{ eventId: number; path: string; error: string }];
  source: [Source];
  /** An opted-in attendee got new photos (their gallery and waiting deliveries grew). */
  'kiosk-match': [{ eventId: number; sessionId: string; photoIds: number[]; deliveryIds: number[] }];
}

export interface EngineOptions {
  dataDir: string;
  log: Logger;
  mode: IntakeMode;
  /** Overrides on top of <data-dir>/settings.json. */
  settings?: SettingsInput;
  /** For tests that want a different pool (e.g. fewer threads). */
  processor?: PhotoProcessor;
  /**
   * False for commands that only edit (rename a person, regroup bursts): no photo workers start and
   * queued photos wait for the next `serve` or `ingest`. The reactions (retention sweep) still run.
   */
  processPhotos?: boolean;
}

export interface EventSession {
  event: Event;
  intake: Intake;
  hotFolders: HotFolders;
}

export interface Engine {
  readonly layout: DataDirLayout;
  readonly settings: Settings;
  readonly log: Logger;
  readonly bus: EventEmitter<EngineEvents>;
  readonly threads: number;
  readonly catalogue: Catalogue;
  readonly people: EventPeople;
  readonly bursts: EventBursts;
  readonly search: EventSearch;
  readonly kiosk: { devices: KioskDevices; sessions: KioskSessions; galleries: Galleries };
  /** Opens the selfie worker's face models now, so the first attendee does not wait for them. */
  warmUpSelfies(): Promise<void>;
  openEvent(name: string): Promise<EventSession>;
  status(eventName: string): EventStatus | undefined;
  /** Failed photos (all, or those given) back into the queue; files that could not be read are examined again. */
  retryFailed(eventName: string, photoIds?: readonly number[]): { requeued: number; reexamined: number };
  /**
   * Runs one stage again for every photo of the event (after a model or threshold change); their
   * other results stay, and ready photos stay ready. Throws StageOffError when the stage is
   * switched off, UnknownEventError for an event that does not exist.
   */
  reprocess(eventName: string, stage: PhotoStage): StageQueued;
  /** Queues scene embeddings for every event's photos that have none (a CLIP model was installed); how many. */
  backfillScenes(): number;
  /** Resolves when nothing is arriving or queued for the event. */
  whenIdle(eventId: number): Promise<void>;
  stop(): Promise<void>;
}

/** An engine opened only to edit takes no jobs: they wait for the next engine that processes photos. */
const IDLE_SCHEDULER: Scheduler = { wake: () => undefined, drain: async () => undefined, inFlight: () => 0 };

/** Behind live frames (10) and card imports (0): back-fill only uses idle time. */
export const SCENE_BACKFILL_PRIORITY = -10;

// The repositories behind an engine, for tests and benches that check what was stored. Adapters
// never use this (lint forbids it in server/ and cli/): they call the engine's use cases.
const repositoriesOfEngine = new WeakMap<Engine, Repositories>();
export const engineRepositories = (engine: Engine): Repositories => repositoriesOfEngine.get(engine)!;
/** Kept only for tests that reach the in-memory face index. */
const faceIndexesOfEngine = new WeakMap<Engine, FaceIndexCache>();
export const engineFaceIndexes = (engine: Engine): FaceIndexCache => faceIndexesOfEngine.get(engine)!;

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const layout = dataDirLayout(options.dataDir);
  mkdirSync(layout.root, { recursive: true });
  const settings = mergeSettings(loadSettingsFile(layout.settings), options.settings);
  const lock = await acquireDataDirLock(layout.lock, layout.root);
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
    log.info(
      `${threads} photo workers for ${machine.cores} cores: ${memoryGb} GB of memory allows that many at ~${WORKER_MEMORY_MB} MB each (pipeline.workers in settings.json overrides)`,
    );
  }
  const processing = options.processPhotos !== false;
  const processor = options.processor ?? (processing ? createPhotoWorkerPool(threads) : null);
  const released = repos.jobs.releaseAllLeases(Date.now());
  if (released > 0) log.warn({ jobs: released }, `Resuming ${released} job(s) interrupted when Shutterfind last stopped`);

  const thresholds = loadMatchThreshold();
  const sessions = new Map<string, EventSession>();
  /** Photos from before the CLIP model was installed get scene embeddings, behind new photos. */
  const backfillScenes = (eventId: number, name: string): number => {
    const queued = repos.clipVectors.enqueueBackfill(eventId, SCENE_BACKFILL_PRIORITY, settings.pipeline.maxAttempts, Date.now());
    if (queued) log.info(`Scene search: embedding ${queued} earlier photo(s) of "${name}" in the background`);
    return queued;
  };
  const sceneModel = watchSceneModel({
    modelsDir: layout.models,
    provider: settings.faces.provider,
    threads: intraOpThreads(threads),
    log,
    onInstalled: () => {
      for (const session of sessions.values()) backfillScenes(session.event.id, session.event.name);
      setImmediate(() => scheduler.wake());
    },
  });
  // Kiosk searches run against an in-memory index of each event's faces, built from sqlite-vec
  // on first use and kept in step as photos land (search p95 5 ms at 100k faces).
  const faceIndexes = createFaceIndexCache(repos.faceVectors);
  const selfieWorker = createSelfieWorker(settings);
  const search = createEventSearch({
    repos,
    faceIndexes,
    analyseSelfie: (image) => selfieWorker.analyse(image),
    threshold: thresholds.searchThreshold,
    maybeThreshold: thresholds.maybeThreshold,
    clipModel: () => sceneModel.current(),
    provider: settings.faces.provider,
  });
  // The selfie search's in-memory index (it holds a photo's faces by the time they are grouped)
  // answers the neighbour queries of live grouping.
  const people = createEventPeople({
    repos,
    clusterThreshold: thresholds.clusterThreshold,
    neighboursIn: (eventId) => (embedding, k) => faceIndexes.forEvent(eventId).nearest(embedding, k),
  });
  const bursts = createEventBursts({ repos, dataDir: layout.root, log });
  const kioskSessions = createKioskSessions({ repos, search, threshold: thresholds.searchThreshold });
  const kioskUpkeep = startKioskUpkeep(kioskSessions, log);
  const recordProvider = createProviderRecorder(repos, log);

  /** The reactions to a processed photo; none of them may fail the photo. */
  const photoReady = (o: Extract<PhotoOutcome, { status: 'ready' }>): void => {
    faceIndexes.photoFacesChanged(o.eventId, o.faceIds, o.replacedFaceIds);
    groupNewFaces(o.eventId, o.faceIds);
    for (const found of kioskUpkeep.photoReady(o.eventId, o.photoId, o.faceIds)) bus.emit('kiosk-match', { eventId: o.eventId, ...found });
    if (o.faceProvider) recordProvider(o.faceProvider);
    // A photo processed just before a newly added model was noticed still gets its scene.
    if (
      sceneModel.current() &&
      repos.clipVectors.enqueueBackfillOf(o.photoId, o.eventId, SCENE_BACKFILL_PRIORITY, settings.pipeline.maxAttempts, Date.now())
    ) {
      setImmediate(() => scheduler.wake());
    }
  };
  const groupNewFaces = (eventId: number, faceIds: readonly number[]): void => {
    try {
      people.assignNewFaces(eventId, faceIds);
    } catch (err) {
      log.error(
        { err, eventId },
        `Could not group new faces into people: ${(err as Error).message}. Run \`shutterfind recluster\` to redo it.`,
      );
    }
  };

  const faceTask = settings.faces.enabled && processor ? await faceTaskOptions(settings, intraOpThreads(threads), log) : null;
  // Workers open the face models while the start-up scan and hashing run, not on the first photo.
  if (faceTask) processor?.warmUp(faceTask);
  const scheduler: Scheduler = !processor
    ? IDLE_SCHEDULER
    : createScheduler({
        jobs: repos.jobs,
        photos: repos.photos,
        processor,
        dataDir: layout.root,
        media: settings.media,
        policy: settings.pipeline,
        owner: `${hostname()}:${process.pid}`,
        log,
        faces: faceTask,
        clip: (recheck) => sceneModel.taskOptions(recheck),
        clipVectors: repos.clipVectors,
        onOutcome: (outcome) => {
          if (outcome.status === 'ready') photoReady(outcome);
          if (outcome.status === 'ready' || outcome.status === 'scene-indexed') bursts.photoChanged(outcome.eventId);
          bus.emit('photo', outcome);
        },
      });

  const engine: Engine = {
    layout,
    settings,
    log,
    bus,
    threads,
    catalogue: createCatalogue(repos),
    people,
    bursts,
    search,
    kiosk: { devices: createKioskDevices(repos), sessions: kioskSessions, galleries: createGalleries(repos) },
    warmUpSelfies: () => selfieWorker.warmUp(),
    async openEvent(name) {
      const open = sessions.get(name);
      if (open) return open;
      const event = repos.events.ensureEvent(name, Date.now());
      // Faces saved just before a crash may not have reached grouping; finish that first.
      groupNewFaces(event.id, people.facesWithoutPerson(event.id));
      if (sceneModel.taskOptions(true)) backfillScenes(event.id, name);
      const eventLog = log.child({ event: name });
      const intake = createIntake({
        photos: repos.photos,
        eventId: event.id,
        options: { ...settings.ingest, maxAttempts: settings.pipeline.maxAttempts },
        mode: options.mode,
        log: eventLog,
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
        log: eventLog,
        onSourceState: (s) => bus.emit('source', s),
      });
      const session = { event, intake, hotFolders };
      sessions.set(name, session);
      // Work left from an earlier run of this event (the queue survives restarts).
      scheduler.wake();
      return session;
    },
    status: (eventName) =>
      readEventStatus(
        repos,
        eventName,
        Date.now(),
        readStorageStatus(layout.root),
        sceneModel.current()?.name ?? null,
        sessions.get(eventName)?.intake.waiting(),
      ),
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
    reprocess(eventName, stage) {
      const event = engine.catalogue.events.named(eventName);
      const deps = {
        jobs: repos.jobs,
        maxAttempts: settings.pipeline.maxAttempts,
        facesOn: settings.faces.enabled,
        sceneOn: sceneModel.current(true) !== null,
      };
      const queued = queueStageAgain(deps, event.id, stage, Date.now());
      scheduler.wake();
      return queued;
    },
    backfillScenes: () => (sceneModel.current(true) ? repos.events.listEvents().reduce((n, e) => n + backfillScenes(e.id, e.name), 0) : 0),
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
      await bursts.flush();
      kioskUpkeep.stop();
      await selfieWorker.close();
      await processor?.close();
      checkpointAndClose(db);
      lock.release();
    },
  };
  repositoriesOfEngine.set(engine, repos);
  faceIndexesOfEngine.set(engine, faceIndexes);
  return engine;
}

/** Publishes the face provider in use (for `status` and the console) when it changes. */
function createProviderRecorder(
  repos: Repositories,
  log: Logger,
): (provider: { active: string; fallbackReason?: string; detector?: string }) => void {
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
