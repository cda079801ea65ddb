// `shutterfind repair`: when the database file is damaged, rescue what can still be read into a
// new one, keep the damaged file beside it, and leave the event ready to carry on.
import { existsSync, renameSync } from 'node:fs';
import { basename } from 'node:path';
import { dataDirLayout, loadSettingsFile, resolveSettings } from '../../config/index.js';
import { acquireDataDirLock } from '../../core/index.js';
import { checkDatabase, createRepositories, openDatabase, salvageDatabase, type SalvageReport } from '../../store/index.js';
import { createFaceIndexCache } from '../../search/index.js';
import { loadMatchThreshold } from '../../vision/index.js';
import { assignFacesToPersons } from '../../people/index.js';
import type { CommandContext } from '../context.js';
import { human, UserFacingError } from '../output.js';

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
      assignFacesToPersons(repos.persons, event.id, faceIds, clusterThreshold, { neighbours: (embedding, k) => index.nearest(embedding, k) });
      regrouped += faceIds.length;
    }
    return regrouped;
  } finally {
    db.close();
  }
}

export async function runRepair(ctx: CommandContext, options: { force?: boolean } = {}): Promise<RepairReport> {
  const layout = dataDirLayout(ctx.dataDir);
  if (!existsSync(layout.database)) throw new UserFacingError(`No Shutterfind database in ${ctx.dataDir}: there is nothing to repair.`);
  // A running engine would keep writing to the file being replaced.
  const lock = await acquireDataDirLock(layout.lock, ctx.dataDir);
  try {
    const check = checkDatabase(layout.database);
    if (check.ok && !options.force) return { database: layout.database, healthy: true, problems: [], damagedCopy: null, salvage: null, regroupedFaces: 0 };
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
    ctx.log.warn({ problems: check.problems, damagedCopy, salvage, regroupedFaces }, 'database repaired');
    return { database: layout.database, healthy: false, problems: check.problems, damagedCopy, salvage, regroupedFaces };
  } finally {
    lock.release();
  }
}

/** What the tables hold, in the photographer's words; the engine's own bookkeeping is left out. */
const TABLE_WORDS: Record<string, [string, string]> = {
  events: ['event', 'events'],
  sources: ['hot folder', 'hot folders'],
  photos: ['photo', 'photos'],
  duplicates: ['duplicate file', 'duplicate files'],
  faces: ['face', 'faces'],
  persons: ['person', 'people'],
  bursts: ['burst', 'bursts'],
  kiosk_devices: ['paired kiosk', 'paired kiosks'],
  kiosk_sessions: ['kiosk session', 'kiosk sessions'],
  deliveries: ['delivery', 'deliveries'],
  gallery_links: ['gallery link', 'gallery links'],
};

const PLURAL = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatRepair(r: RepairReport): string {
  if (r.healthy) return human`The database ${r.database} is sound (SQLite's check found no damage); nothing was changed.`;
  const s = r.salvage!;
  const lines = [human`Repaired ${r.database}${r.problems.length ? human` (SQLite found: ${r.problems[0]})` : ''}`];
  if (!s.readable) {
    lines.push(
      human`  Nothing could be read from the damaged file (${s.error ?? 'unreadable'}); a new, empty database was made.`,
      '  Start `shutterfind serve --watch <folder>` again with your hot folders, or `shutterfind ingest <folder>`: photos are found and processed again.',
    );
  } else {
    const kept = s.tables.filter((t) => t.copied > 0 && TABLE_WORDS[t.table]).map((t) => PLURAL(t.copied, ...TABLE_WORDS[t.table]!));
    lines.push(human`  kept: ${kept.join(', ') || 'nothing'}`);
    for (const t of s.tables) {
      for (const [after, resumed] of t.unreadable) {
        const from = after < 0 ? 'the first' : human`id ${after + 1}`;
        lines.push(human`  lost: ${t.table} rows from ${from} ${resumed === null ? 'to the end' : human`to id ${resumed - 1}`} could not be read`);
      }
      if (t.rejected) lines.push(human`  lost: ${PLURAL(t.rejected, human`damaged ${t.table} row`)} refused`);
    }
    if (s.lostEmbeddings) lines.push(human`  lost: ${PLURAL(s.lostEmbeddings, 'face descriptor')}`);
    if (s.orphansRemoved) lines.push(human`  dropped ${PLURAL(s.orphansRemoved, 'row')} that belonged to lost ones`);
    if (r.regroupedFaces) lines.push(human`  ${PLURAL(r.regroupedFaces, 'face')} whose person was lost grouped into people again`);
    if (s.namedPeopleWithoutFaces.length) {
      lines.push(human`  named people whose faces were all lost (the names stay; their faces join them again when found): ${s.namedPeopleWithoutFaces.join(', ')}`);
    }
    if (s.photosRequeued) {
      lines.push(human`  ${PLURAL(s.photosRequeued, 'photo')} will be processed again (faces lost); start \`shutterfind serve\` (or run \`ingest\`) to do it.`);
    }
    lines.push('  Photos whose rows were lost are found again by the start-up scan of the watched folders, or by `shutterfind ingest` of the card.');
  }
  lines.push(human`  The damaged file is kept as ${basename(r.damagedCopy!)} in the data dir: delete it once the event looks right.`);
  return lines.join('\n');
}
