// `shutterfind repair`: when the database file is damaged, rescue what can still be read into a
// new one, keep the damaged file beside it, and leave the event ready to carry on (core/repair.ts).
import { basename } from 'node:path';
import { NothingToRepairError, repairDataDir, type RepairReport } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { human, UserFacingError } from '../output.js';

export type { RepairReport };

export async function runRepair(ctx: CommandContext, options: { force?: boolean } = {}): Promise<RepairReport> {
  try {
    return await repairDataDir(ctx.dataDir, ctx.log, options);
  } catch (err) {
    if (err instanceof NothingToRepairError) throw new UserFacingError(err.message);
    throw err;
  }
}

/** What the tables hold, in the photographer's words; the engine's own bookkeeping is left out. */
const TABLE_WORDS: Record<string, [string, string]> = {
  events: ['event', 'events'],
  sources: ['hot folder', 'hot folders'],
  photos: ['photo', 'photos'],
  duplicates: ['duplicate file', 'duplicate files'],
  photo_files: ['RAW file kept beside its JPEG', 'RAW files kept beside their JPEGs'],
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
  const pairs = r.mergedPairs
    ? human`${PLURAL(r.mergedPairs, 'RAW+JPEG capture')} stored as two photos ${r.mergedPairs === 1 ? 'is' : 'are'} one photo now (the RAW kept as its second file).`
    : '';
  if (r.healthy) {
    const sound = human`The database ${r.database} is sound (SQLite's check found no damage)`;
    return pairs ? `${sound}.\n  ${pairs}` : `${sound}; nothing was changed.`;
  }
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
        lines.push(
          human`  lost: ${t.table} rows from ${from} ${resumed === null ? 'to the end' : human`to id ${resumed - 1}`} could not be read`,
        );
      }
      if (t.rejected) lines.push(human`  lost: ${PLURAL(t.rejected, human`damaged ${t.table} row`)} refused`);
    }
    if (s.lostEmbeddings) lines.push(human`  lost: ${PLURAL(s.lostEmbeddings, 'face descriptor')}`);
    if (s.orphansRemoved) lines.push(human`  dropped ${PLURAL(s.orphansRemoved, 'row')} that belonged to lost ones`);
    if (r.regroupedFaces) lines.push(human`  ${PLURAL(r.regroupedFaces, 'face')} whose person was lost grouped into people again`);
    if (s.namedPeopleWithoutFaces.length) {
      lines.push(
        human`  named people whose faces were all lost (the names stay; their faces join them again when found): ${s.namedPeopleWithoutFaces.join(', ')}`,
      );
    }
    if (s.photosRequeued) {
      lines.push(
        human`  ${PLURAL(s.photosRequeued, 'photo')} will be processed again (faces lost); start \`shutterfind serve\` (or run \`ingest\`) to do it.`,
      );
    }
    lines.push(
      '  Photos whose rows were lost are found again by the start-up scan of the watched folders, or by `shutterfind ingest` of the card.',
    );
  }
  if (pairs) lines.push(`  ${pairs}`);
  lines.push(human`  The damaged file is kept as ${basename(r.damagedCopy!)} in the data dir: delete it once the event looks right.`);
  return lines.join('\n');
}
