// The composition root: wires store, ingest, pipeline and the use cases (people, bursts, search,
// kiosk) for one data dir, and connects their reactions to a ready photo. It holds no SQL, no
// image code and no HTTP; adapters (server, CLI) reach the use cases through it.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { createEventBursts } from '../bursts/index.js';
import { createCatalogue } from '../catalogue/index.js';
import { dataDirLayout, loadSettingsFile, mergeSettings } from '../config/index.js';
import {
  createDoNotPublish,
  createGalleries,
  createKioskDevices,
  createKioskRecords,
  createKioskSessions,
  startKioskUpkeep,
} from '../kiosk/index.js';
import { blurFaces } from '../export/index.js';
import { createEventPeople } from '../people/index.js';
import { pairByCapture } from '../ingest/index.js';
import {
  createPhotoWorkerPool,
  createScheduler,
  defaultWorkerThreads,
  queueStageAgain,
  thisMachine,
  WORKER_MEMORY_MB,
  createGroupingThread,
  type PhotoOutcome,
  type Scheduler,
} from '../pipeline/index.js';
import { createEventSearch, createFaceIndexCache, kioskDistances, sureDistanceFor, type FaceIndexCache } from '../search/index.js';
import {
  checkpointAndClose,
  createRepositories,
  openDatabase,
  type CaptureMerged,
  type Database,
  type Event,
  type Repositories,
} from '../store/index.js';
import { EARLIER_SEARCH_THRESHOLDS, intraOpThreads, loadMatchThreshold } from '../vision/index.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { Engine, EngineEvents, EngineOptions } from './engine-types.js';
import { createEventExports } from './event-exports.js';
import { createGalleryBranding } from './gallery-branding.js';
import { createEventSessions } from './event-sessions.js';
import { startPeopleUpkeep } from './people-upkeep.js';
import { descriptorAction } from './face-descriptor-upgrade.js';
import { createEngineSync } from './event-sync.js';
import { createProviderRecorder } from './face-provider.js';
import { faceTaskOptions } from './face-task.js';
import { watchSceneModel } from './scene-model.js';
import { createSelfieWorker } from './selfie-worker.js';
import { readEventStatus, readStorageStatus } from './status.js';

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

export type { Engine, EngineEvents, EngineOptions, EventSession } from './engine-types.js';

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
      for (const session of sessions.all()) backfillScenes(session.event.id, session.event.name);
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
    distances: kioskDistances(thresholds),
    clipModel: () => sceneModel.current(),
    provider: settings.faces.provider,
  });
  // A re-cluster compares and groups the faces on a thread of its own: 22 s of one core at 100k faces.
  const groupingThread = createGroupingThread();
  // The selfie search's in-memory index (it holds a photo's faces by the time they are grouped)
  // answers the neighbour queries of live grouping.
  const people = createEventPeople({
    repos,
    clusterThreshold: thresholds.clusterThreshold,
    groupThreshold: thresholds.groupThreshold,
    neighboursIn: (eventId) => (embedding, k) => faceIndexes.forEvent(eventId).nearest(embedding, k),
    group: groupingThread.group,
    // The console's people page reloads; sync reads the whole event again (faces changed person).
    regrouped: (eventId, summary) => {
      bus.emit('people-regrouped', { eventId, persons: summary.persons });
      sync.sync.changed(eventId);
    },
  });
  const bursts = createEventBursts({ repos, dataDir: layout.root, log });
  const publishing = createDoNotPublish({
    repos,
    // The calibrated sure distance whatever the event's size: hiding too many faces of an
    // attendee who opted out is the safe side, unlike showing strangers' photos at the kiosk.
    threshold: thresholds.searchThreshold,
    dataDir: layout.root,
    blur: (image, boxes, boxesOf) => blurFaces(image, boxes, { boxesOf }),
  });
  const kioskSessions = createKioskSessions({
    repos,
    search,
    sureDistance: (eventId) => sureDistanceFor(thresholds.searchThreshold, thresholds.sureAtScale, faceIndexes.forEvent(eventId).size),
    hiddenFaces: (eventId, photoIds) => publishing.hiddenFaces(eventId, photoIds),
  });
  const kioskUpkeep = startKioskUpkeep(kioskSessions, log);
  // Sync to the cloud: the differ runs after changes; the loops run only when started (serve).
  const sync = createEngineSync({ repos, dataDir: layout.root, publishing, log, bus });
  const eventOfKiosk = (args: unknown[]) => (args[0] as { eventId: number }).eventId;
  const eventOfArgs = (args: unknown[]) => args[0] as number;
  const recordProvider = createProviderRecorder(repos, log);
  // A watching engine groups an event's people again once its cameras pause (one-shot commands
  // leave them as the photos made them; `recluster` is there to ask).
  const peopleUpkeep =
    options.mode === 'watch'
      ? startPeopleUpkeep({
          recluster: (eventId) => people.recluster(eventId),
          faces: (eventId) => repos.faces.countFaces(eventId),
          waiting: (eventId) =>
            repos.jobs.queueDepth(eventId) +
            (sessions
              .all()
              .find((s) => s.event.id === eventId)
              ?.intake.pending() ?? 0),
          log,
        })
      : null;

  /** The reactions to a processed photo; none of them may fail the photo. */
  const photoReady = (o: Extract<PhotoOutcome, { status: 'ready' }>): void => {
    faceIndexes.photoFacesChanged(o.eventId, o.faceIds, o.replacedFaceIds);
    // The other half of this capture (RAW+JPEG written to two card folders) was ready already.
    const merged = mergeCaptureOf(o.eventId, o.photoId);
    if (merged?.droppedPhotoId === o.photoId) return;
    groupNewFaces(o.eventId, o.faceIds);
    if (o.faceIds.length) peopleUpkeep?.photoReady(o.eventId, o.faceIds.length);
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
  const mergeCaptureOf = (eventId: number, photoId: number): CaptureMerged | null => {
    try {
      const merged = pairByCapture(repos.pairs, repos.photos, photoId, Date.now());
      if (merged) {
        faceIndexes.photoFacesChanged(eventId, [], merged.removedFaceIds);
        bus.emit('capture-merged', { eventId, keptPhotoId: merged.keptPhotoId, droppedPhotoId: merged.droppedPhotoId });
        followersWithoutGonePhotos(eventId);
      }
      return merged;
    } catch (err) {
      log.error({ err, eventId, photoId }, `Could not pair photo ${photoId} with its RAW or JPEG: ${(err as Error).message}.`);
      return null;
    }
  };
  /** Attendees whose description, after a change of face network, waited for a photo now merged away (follower-matching.ts). */
  const followersWithoutGonePhotos = (eventId: number): void => {
    for (const found of kioskUpkeep.photosGone(eventId)) bus.emit('kiosk-match', { eventId, ...found });
  };
  const groupNewFaces = (eventId: number, faceIds: readonly number[]): void => {
    try {
      // A merge moves faces of earlier photos to another person: sync reads the whole event
      // again (a photo made ready alone calls only for the photo's own rows).
      if (people.assignNewFaces(eventId, faceIds).some((a) => a.decision === 'merge')) sync.sync.changed(eventId);
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
          if (outcome.status === 'stage-failed' && outcome.stages.includes('faces')) {
            for (const found of kioskUpkeep.facesNotDescribedAgain(outcome.eventId, outcome.photoId))
              bus.emit('kiosk-match', { eventId: outcome.eventId, ...found });
          }
          if (outcome.status === 'ready' || outcome.status === 'scene-indexed') bursts.photoChanged(outcome.eventId);
          bus.emit('photo', outcome);
        },
      });

  const sessions = createEventSessions({
    repos,
    settings,
    mode: options.mode,
    log,
    bus,
    wake: () => scheduler.wake(),
    beforeOpen: (event) => {
      describeAgainIfStale(event);
      // Captures `repair` merged while the engine was closed.
      followersWithoutGonePhotos(event.id);
      // Faces saved just before a crash may not have reached grouping; finish that first.
      groupNewFaces(event.id, people.facesWithoutPerson(event.id));
      if (sceneModel.taskOptions(true)) backfillScenes(event.id, event.name);
    },
  });

  /** Faces described by an earlier network are described again (face-descriptor-upgrade.ts). */
  function describeAgainIfStale(event: Event): void {
    const recorded = repos.events.faceDescriptorOf(event.id);
    const action = descriptorAction(recorded, thresholds.model, repos.photos.countPhotos(event.id).total);
    if (action === 'none') return;
    if (action === 'describe-again') {
      if (!settings.faces.enabled) return; // Left as recorded: described again once faces are on.
      // Opt-outs found by a selfie's descriptor hold on through the persons their face belongs to.
      const earlier = EARLIER_SEARCH_THRESHOLDS[recorded!];
      const pinned = earlier === undefined ? [] : publishing.pinDescriptorOptOutsToPersons(event.id, earlier);
      if (earlier === undefined)
        log.warn(
          { event: event.name, from: recorded },
          `No sure-match distance is known for ${recorded}: kiosk opt-outs of "${event.name}" hide only the persons they named.`,
        );
      else if (pinned.length)
        log.info(
          { event: event.name, persons: pinned },
          `"Do not publish": ${pinned.length} person(s) carried over from kiosk selfies before the faces are described again`,
        );
      // Attendees waiting for new photos of them are matched again from their own faces.
      const followers = earlier === undefined ? null : kioskSessions.anchorFollowers(event.id, earlier);
      if (earlier === undefined && repos.kiosks.followingSessions(event.id, Date.now()).length)
        log.warn(
          { event: event.name, from: recorded },
          `No sure-match distance is known for ${recorded}: attendees of "${event.name}" who asked for new photos of them will get none.`,
        );
      if (followers?.anchored)
        log.info(
          { event: event.name, ...followers },
          `"New photos of me": ${followers.anchored} attendee(s) will be matched from their faces in the photos they got, as those are described again`,
        );
      if (followers?.withoutFaces)
        log.warn(
          { event: event.name, attendees: followers.withoutFaces },
          `"New photos of me": ${followers.withoutFaces} attendee(s) of "${event.name}" got no photo surely of them and took no "Maybe you?" photo home, so no new photo can be found for them after the faces are described again.`,
        );
      const queued = queueStageAgain(
        { jobs: repos.jobs, maxAttempts: settings.pipeline.maxAttempts, facesOn: true, sceneOn: false },
        event.id,
        'faces',
        Date.now(),
      );
      log.warn(
        { event: event.name, from: recorded, to: thresholds.model, photos: queued.photos },
        `Faces of "${event.name}" were described by an earlier face network (${recorded}); describing its ${queued.photos} photo(s) again in the background. Until that ends, selfie search in this event may miss photos.`,
      );
      setImmediate(() => scheduler.wake());
    }
    repos.events.recordFaceDescriptor(event.id, thresholds.model, Date.now());
  }
  for (const event of repos.events.listEvents()) describeAgainIfStale(event);

  const engine: Engine = {
    layout,
    settings,
    log,
    bus,
    threads,
    // A watermark switched on or off reaches the take-home links in the cloud with the next sync.
    catalogue: sync.watch(createCatalogue(repos), ['updateSettings'], eventOfArgs),
    people: sync.watch(people, ['rename', 'merge', 'split'], eventOfArgs),
    bursts,
    search,
    kiosk: {
      devices: createKioskDevices(repos),
      sessions: sync.watch(kioskSessions, ['takeHome'], eventOfKiosk),
      galleries: createGalleries(repos),
      records: createKioskRecords(repos),
    },
    publishing: sync.watch(sync.watch(publishing, ['markPerson', 'unmarkPerson', 'revoke'], eventOfArgs), ['optOutAttendee'], eventOfKiosk),
    sync: sync.sync,
    exports: createEventExports({ repos, layout, hiddenFaces: (eventId, photoIds) => publishing.hiddenFaces(eventId, photoIds) }),
    galleryBranding: createGalleryBranding({ repos, layout }),
    warmUpSelfies: () => selfieWorker.warmUp(),
    openEvent: (name) => sessions.open(name),
    status: (eventName) =>
      readEventStatus(
        repos,
        eventName,
        Date.now(),
        readStorageStatus(layout.root),
        sceneModel.current()?.name ?? null,
        sessions.named(eventName)?.intake.waiting(),
      ),
    retryFailed: (eventName, photoIds) => sessions.retryFailed(eventName, photoIds),
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
    whenIdle: (eventId) => sessions.whenIdle(eventId),
    async stop() {
      await sync.sync.stop();
      await sessions.close();
      await scheduler.drain();
      await bursts.flush();
      kioskUpkeep.stop();
      // A re-cluster in flight is abandoned, not waited for (about 20 s at 100k faces): closing its
      // thread ends it before it writes anything.
      const upkeepStopped = peopleUpkeep?.stop();
      await groupingThread.close();
      await upkeepStopped;
      await selfieWorker.close();
      await processor?.close();
      checkpointAndClose(db);
      lock.release();
    },
  };
  // A watching engine (serve, the desktop app) keeps enrolled events synced; one-shot commands sync on request.
  if (options.mode === 'watch') engine.sync.start();
  repositoriesOfEngine.set(engine, repos);
  faceIndexesOfEngine.set(engine, faceIndexes);
  return engine;
}
