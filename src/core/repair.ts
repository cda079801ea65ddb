// Repairing a damaged database: rescue what can still be read into a new file, keep the damaged
// file beside it, and leave the event ready to carry on. Runs under the data-dir lock, never beside
// a running engine (it would keep writing to the file being replaced).
import { existsSync, renameSync } from 'node:fs';

import { dataDirLayout, loadSettingsFile, resolveSettings } from '../config/index.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { Logger } from './logger.js';
import { checkDatabase, createRepositories, openDatabase, salvageDatabase, type SalvageReport } from '../store/index.js';
import { createFaceIndexCache } from '../search/index.js';
import { loadMatchThreshold } from '../vision/index.js';
import { assignFacesToPersons } from '../people/index.js';
import { mergeStoredPairs } from '../ingest/index.js';
import { regroupEventBursts } from '../bursts/index.js';

export interface RepairReport {
  database: string;
  /** Nothing was wrong (and --force was not given): the file was left as it was. */
  healthy: boolean;
  /** What SQLite's check reported before the repair. */
  problems: string[];
  /** Where the damaged file was kept; null when nothing was replaced. */
  damagedCopy: string | null;
  salvage: SalvageReport | null;
  /** Faces that had lost their person and were grouped into people again. */
  regroupedFaces: number;
  /** RAW+JPEG captures that were stored as two photos (before pairs were known) and are one photo now. */
  mergedPairs: number;
}

const SQLITE_SIDE_FILES = ['', '-wal', '-shm'] as const;

/**
 * Faces whose person was lost join a person again, as new faces do: incrementally, against the
 * event's in-memory index. (A full re-cluster compares every pair of faces: minutes at 100k faces.)
 */
function regroupFacesWithoutPerson(database: string): number {
  const db = openDatabase(database);
  try {
    const repos = createRepositories(db);
    const { clusterThreshold } = loadMatchThreshold();
    const indexes = createFaceIndexCache(repos.faceVectors);
    let regrouped = 0;
    for (const event of repos.events.listEvents()) {
      const faceIds = repos.persons.facesWithoutPerson(event.id);
      if (!faceIds.length) continue;
      const index = indexes.forEvent(event.id);
      assignFacesToPersons(repos.persons, event.id, faceIds, clusterThreshold, {
        neighbours: (embedding, k) => index.nearest(embedding, k),
      });
      regrouped += faceIds.length;
    }
    return regrouped;
  } finally {
    db.close();
  }
}

/**
 * Photos of one capture stored as two (imported before Shutterfind knew RAW+JPEG pairs, or a
 * folder added later) become one: the JPEG's photo keeps the RAW as its second file, and takes the
 * RAW photo's kiosk matches, gallery links, deliveries and organiser-given names. Bursts are
 * grouped again after, since the two halves of a capture looked like a burst of two frames.
 */
async function mergePairsStoredApart(database: string, dataDir: string, log: Logger): Promise<number> {
  const db = openDatabase(database);
  try {
    const repos = createRepositories(db);
    let merged = 0;
    for (const event of repos.events.listEvents()) {
      const done = mergeStoredPairs(repos.pairs, event.id, Date.now());
      if (!done.length) continue;
      merged += done.length;
      await regroupEventBursts(repos.bursts, event.id, dataDir, log);
    }
    return merged;
  } finally {
    db.close();
  }
}

/** There is no database to repair in this data dir. */
export class NothingToRepairError extends Error {
  override name = 'NothingToRepairError';
  constructor(dataDir: string) {
    super(`No Shutterfind database in ${dataDir}: there is nothing to repair.`);
  }
}

export async function repairDataDir(dataDir: string, log: Logger, options: { force?: boolean } = {}): Promise<RepairReport> {
  const layout = dataDirLayout(dataDir);
  if (!existsSync(layout.database)) throw new NothingToRepairError(dataDir);
  // A running engine would keep writing to the file being replaced.
  const lock = await acquireDataDirLock(layout.lock, dataDir);
  try {
    const check = checkDatabase(layout.database);
    if (check.ok && !options.force) {
      const mergedPairs = await mergePairsStoredApart(layout.database, layout.root, log);
      return { database: layout.database, healthy: true, problems: [], damagedCopy: null, salvage: null, regroupedFaces: 0, mergedPairs };
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const repaired = `${layout.database}.repaired-${stamp}`;
    const damagedCopy = `${layout.database}.damaged-${stamp}`;
    const settings = resolveSettings(loadSettingsFile(layout.settings));
    const salvage = salvageDatabase(layout.database, repaired, { maxAttempts: settings.pipeline.maxAttempts });
    for (const suffix of SQLITE_SIDE_FILES) {
      if (existsSync(`${layout.database}${suffix}`)) renameSync(`${layout.database}${suffix}`, `${damagedCopy}${suffix}`);
    }
    renameSync(repaired, layout.database);
    const regroupedFaces = regroupFacesWithoutPerson(layout.database);
    const mergedPairs = await mergePairsStoredApart(layout.database, layout.root, log);
    log.warn({ problems: check.problems, damagedCopy, salvage, regroupedFaces, mergedPairs }, 'database repaired');
    return { database: layout.database, healthy: false, problems: check.problems, damagedCopy, salvage, regroupedFaces, mergedPairs };
  } finally {
    lock.release();
  }
}
