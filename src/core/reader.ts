// A read-only look at a data dir for commands that only read (`status`, `people`, `bursts`,
// `search`): it takes no lock and opens the database read-only, so it works beside a running
// `serve` (SQLite's WAL lets readers in while the engine writes) and can never write. Writes go
// through the engine that owns the data dir (cli/engine-access.ts).
import { existsSync } from 'node:fs';
import { createEventBursts, type EventBursts } from '../bursts/index.js';
import { createCatalogue, type Catalogue } from '../catalogue/index.js';
import { dataDirLayout, loadSettingsFile, resolveSettings, type DataDirLayout } from '../config/index.js';
import { createDoNotPublish, createKioskRecords, type DoNotPublish, type KioskRecords } from '../kiosk/index.js';
import { createEventPeople, type EventPeople } from '../people/index.js';
import { createEventSearch, createFaceIndexCache, kioskDistances, type EventSearch } from '../search/index.js';
import { createRepositories, currentSchemaVersion, MIGRATIONS, openDatabase, type Database } from '../store/index.js';
import { activeClipModel, loadMatchThreshold } from '../vision/index.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { createEventExports, type EventExports } from './event-exports.js';
import { createGalleryBranding, type GalleryBranding } from './gallery-branding.js';
import type { Logger } from './logger.js';
import { createSelfieWorker } from './selfie-worker.js';
import { readEventStatus, readStorageStatus, type EventStatus } from './status.js';

export interface DataDirReader {
  readonly layout: DataDirLayout;
  readonly catalogue: Catalogue;
  readonly people: Pick<EventPeople, 'list' | 'person' | 'find' | 'facesOf' | 'photoIdsOf'>;
  readonly bursts: Pick<EventBursts, 'list' | 'collapse'>;
  readonly search: EventSearch;
  /** The organiser export: it only reads the data dir, so it runs beside a `serve`. */
  readonly exports: EventExports;
  /** The offline gallery's look the organiser set in the console (colours, logo), for `export --as html`. */
  readonly galleryBranding: Pick<GalleryBranding, 'exportBranding'>;
  /** The "Do not publish" list and the kiosk's delivery records, read-only. */
  readonly records: { optOuts: DoNotPublish['records']; deliveries: KioskRecords['deliveries'] };
  /** The event's status as a separate process sees it (files waiting to be recorded are the engine's alone). */
  status(eventName: string): EventStatus | undefined;
  close(): Promise<void>;
}

/** There is nothing to read: no database in this data dir yet. */
export class NoDataError extends Error {
  override name = 'NoDataError';
  constructor(dataDir: string) {
    super(`No Shutterfind data in ${dataDir}: run \`shutterfind serve\` or \`shutterfind ingest\` first.`);
  }
}

/** The installed CLIP model; a broken install reads as none (status and search must still work). */
function installedSceneModel(modelsDir: string) {
  try {
    return activeClipModel(modelsDir);
  } catch {
    return null;
  }
}

/**
 * A database left by an older Shutterfind is brought up to date first, under the data-dir lock
 * (a running engine has migrated it already when it opened, so the lock is free whenever this is
 * needed); a read-only connection cannot migrate.
 */
async function migratedIfBehind(layout: DataDirLayout): Promise<void> {
  const db = openDatabase(layout.database, { readonly: true });
  const behind = currentSchemaVersion(db) < MIGRATIONS.length;
  db.close();
  if (!behind) return;
  const lock = await acquireDataDirLock(layout.lock, layout.root);
  try {
    openDatabase(layout.database).close();
  } finally {
    lock.release();
  }
}

export async function openReader(dataDir: string, log: Logger): Promise<DataDirReader> {
  const layout = dataDirLayout(dataDir);
  if (!existsSync(layout.database)) throw new NoDataError(dataDir);
  await migratedIfBehind(layout);
  const db: Database = openDatabase(layout.database, { readonly: true });
  const repos = createRepositories(db);
  const settings = resolveSettings(loadSettingsFile(layout.settings));
  const thresholds = loadMatchThreshold();
  const selfieWorker = createSelfieWorker(settings);
  const faceIndexes = createFaceIndexCache(repos.faceVectors);
  // Only its reads are used here (which faces an export blurs); marking people goes through the engine.
  const publishing = createDoNotPublish({
    repos,
    threshold: thresholds.searchThreshold,
    dataDir: layout.root,
    blur: () => Promise.reject(new Error('A read-only look at the data dir makes no blurred media')),
  });
  return {
    layout,
    catalogue: createCatalogue(repos),
    people: createEventPeople({ repos, clusterThreshold: thresholds.clusterThreshold, groupThreshold: thresholds.groupThreshold }),
    bursts: createEventBursts({ repos, dataDir: layout.root, log }),
    search: createEventSearch({
      repos,
      faceIndexes,
      analyseSelfie: (image) => selfieWorker.analyse(image),
      distances: kioskDistances(thresholds),
      clipModel: () => installedSceneModel(layout.models),
      provider: settings.faces.provider,
    }),
    exports: createEventExports({ repos, layout, hiddenFaces: (eventId, photoIds) => publishing.hiddenFaces(eventId, photoIds) }),
    galleryBranding: { exportBranding: createGalleryBranding({ repos, layout }).exportBranding },
    records: { optOuts: (eventId) => publishing.records(eventId), deliveries: createKioskRecords(repos).deliveries },
    status: (eventName) =>
      readEventStatus(repos, eventName, Date.now(), readStorageStatus(layout.root), installedSceneModel(layout.models)?.name ?? null),
    async close() {
      await selfieWorker.close();
      db.close();
    },
  };
}
