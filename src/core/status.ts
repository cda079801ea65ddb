// What `status`, the health endpoint and (later) the console show about an event.
import { statfsSync } from 'node:fs';
import type { WaitingFile } from '../ingest/index.js';
import type { PhotoCounts, PhotoStage, Repositories, SourceState, StageCounts } from '../store/index.js';

export interface EventStatus {
  event: string;
  /** `withRaw`: photos shot RAW+JPEG, their RAW kept beside the JPEG (one photo per capture). */
  photos: PhotoCounts & { withRaw: number };
  /** depth: jobs waiting or running, all stages together; byStage: the same per stage. */
  queue: { depth: number; byStage: StageCounts };
  throughput: { readyLastMinute: number; photosPerSecond: number };
  sources: { path: string; state: SourceState; error: string | null }[];
  errors: { photoId: number; path: string; error: string; at: string }[];
  /** A stage that failed on a photo that is otherwise fine (a re-run on a ready photo): the photo keeps its earlier results. */
  stageErrors: { photoId: number; path: string; stage: PhotoStage; error: string; at: string }[];
  /** Transient failures (disk full, file locked) that will be tried again by themselves. */
  retrying: { photoId: number; path: string; error: string; attempts: number; nextAttemptAt: string }[];
  /**
   * Complete files that could not even be recorded (the database cannot grow): they have no
   * photo row yet, so only the running engine knows them. Empty when read from another process.
   */
  waitingToRecord: { path: string; error: string; attempts: number; since: string; nextAttemptAt: string }[];
  storage: StorageStatus | null;
  faces: FacesStatus;
  scene: SceneStatus;
  /** Sync to the cloud endpoint; null when the event is not enrolled. */
  sync: SyncStatus | null;
}

export interface SyncStatus {
  endpoint: string;
  /** As the last sync left it ('syncing' while one runs, or when one was cut off). */
  state: 'idle' | 'syncing' | 'offline' | 'error' | 'paused';
  /** Left in the operation log (changes since the last differ run are not counted yet). */
  opsLeft: number;
  blobsLeft: number;
  bytesLeft: number;
  lastSyncedAt: string | null;
  lastError: string | null;
}

export interface SceneStatus {
  /** The installed CLIP model, or null when scene search is off. */
  model: string | null;
  /** Ready photos with a scene embedding, of all ready photos. */
  embedded: number;
  ofPhotos: number;
  /** What to do to turn scene search on (null when it is on). */
  howToTurnOn: string | null;
}

export const TURN_ON_SCENE_SEARCH = 'shutterfind models add <folder or URL of a CLIP ViT-B/32 ONNX export>';

export interface FacesStatus {
  found: number;
  persons: number;
  /** The provider the last running engine used; null before any photo was analysed. */
  /** detector: 'int8' or 'float32', the face detector's arithmetic (absent before this was recorded). */
  provider: { active: string; fallbackReason?: string; detector?: string; since: string } | null;
}

export interface StorageStatus {
  dataDir: string;
  freeBytes: number;
  /** Previews for a few hundred more photos at most: the photographer should free space now. */
  low: boolean;
}

/** About 1,000 more 24 MP photos' previews and thumbnails. */
export const LOW_SPACE_BYTES = 1024 ** 3;

export function readStorageStatus(dataDir: string): StorageStatus | null {
  try {
    const fs = statfsSync(dataDir);
    const freeBytes = fs.bavail * fs.bsize;
    return { dataDir, freeBytes, low: freeBytes < LOW_SPACE_BYTES };
  } catch {
    return null;
  }
}

const THROUGHPUT_WINDOW_MS = 60_000;
const ERRORS_SHOWN = 50;

export function readEventStatus(
  repos: Repositories,
  eventName: string,
  now: number,
  storage: StorageStatus | null = null,
  sceneModel: string | null = null,
  waitingToRecord: readonly WaitingFile[] = [],
): EventStatus | undefined {
  const event = repos.events.findEventByName(eventName);
  if (!event) return undefined;
  const readyLastMinute = repos.photos.countReadySince(event.id, now - THROUGHPUT_WINDOW_MS);
  return {
    event: event.name,
    photos: { ...repos.photos.countPhotos(event.id), withRaw: repos.pairs.countFiles(event.id) },
    queue: { depth: repos.jobs.queueDepth(event.id), byStage: repos.jobs.queueDepthByStage(event.id) },
    throughput: {
      readyLastMinute,
      photosPerSecond: Math.round((readyLastMinute / (THROUGHPUT_WINDOW_MS / 1000)) * 100) / 100,
    },
    sources: repos.sources.listSources(event.id).map((s) => ({ path: s.path, state: s.state, error: s.error })),
    errors: repos.photos.recentErrors(event.id, ERRORS_SHOWN).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    stageErrors: repos.jobs.listStageFailures(event.id, ERRORS_SHOWN).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    retrying: repos.jobs
      .listRetrying(event.id, ERRORS_SHOWN)
      .map((r) => ({ ...r, nextAttemptAt: new Date(r.nextAttemptAt).toISOString() })),
    waitingToRecord: waitingToRecord.slice(0, ERRORS_SHOWN).map((w) => ({
      path: w.path,
      error: w.error,
      attempts: w.attempts,
      since: new Date(w.since).toISOString(),
      nextAttemptAt: new Date(w.nextAttemptAt).toISOString(),
    })),
    storage,
    scene: {
      model: sceneModel,
      embedded: repos.clipVectors.countEmbedded(event.id),
      ofPhotos: repos.photos.countPhotos(event.id).ready,
      howToTurnOn: sceneModel ? null : TURN_ON_SCENE_SEARCH,
    },
    faces: {
      found: repos.faces.countFaces(event.id),
      persons: repos.persons.countPersons(event.id),
      provider: providerOf(repos),
    },
    sync: syncOf(repos, event.id),
  };
}

function syncOf(repos: Repositories, eventId: number): SyncStatus | null {
  const e = repos.sync.enrolment(eventId);
  if (!e) return null;
  const blobs = repos.sync.blobsLeft(eventId);
  return {
    endpoint: e.endpoint,
    state: e.paused ? 'paused' : e.state,
    opsLeft: repos.sync.opsLeft(eventId),
    blobsLeft: blobs.count,
    bytesLeft: blobs.bytes,
    lastSyncedAt: e.lastSyncedAt === null ? null : new Date(e.lastSyncedAt).toISOString(),
    lastError: e.lastError,
  };
}

function providerOf(repos: Repositories): FacesStatus['provider'] {
  const info = repos.runtime.get<{ active: string; fallbackReason?: string; detector?: string }>('faces.provider');
  return info ? { ...info.value, since: new Date(info.updatedAt).toISOString() } : null;
}
