// Rescues what can still be read from a damaged database file into a new one. A disk fault, a
// sync tool copying the file while the engine wrote, or a failing USB drive can break pages of
// the file; everything on the other pages (sources, photos, faces, people's names, attendees'
// contacts and gallery links) is worth keeping. Rows are copied in rowid order, stepping over
// unreadable stretches; the copy is then made consistent (orphans dropped, photos whose faces
// were lost queued again), so the engine can carry on from it.
import BetterSqlite3, { type Database } from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { openDatabase } from './database.js';
import { isDatabaseDamage } from './database-damage.js';
import { createFaceVectorsRepository, EMBEDDING_DIMS } from './face-vectors-repository.js';
import { createJobsRepository } from './jobs-repository.js';
import { createPersonsRepository } from './persons-repository.js';
import { currentSchemaVersion, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

export interface TableSalvage {
  table: string;
  copied: number;
  /** Rows read but refused by the schema (garbage from a broken page). */
  rejected: number;
  /** Stretches of row ids that could not be read, [after, resumedAt] (resumedAt null: to the end). */
  unreadable: [number, number | null][];
}

export interface SalvageReport {
  /** False when not even the file's header and schema could be read: the new database is empty. */
  readable: boolean;
  schemaVersion: number;
  tables: TableSalvage[];
  /** Face descriptors that could not be read (their faces are found again by reprocessing). */
  lostEmbeddings: number;
  /** Rows dropped because what they belonged to was lost (faces of a lost photo, ...). */
  orphansRemoved: number;
  /** Photos whose faces were lost in part or whole: queued to be processed again. */
  photosRequeued: number;
  /** Named people whose faces were all lost: listed with none until their faces are found again. */
  namedPeopleWithoutFaces: string[];
  error?: string;
}

/** Rows read per statement: a broken page costs at most the rest of one chunk's read. */
const CHUNK = 500;

interface ColumnInfo {
  name: string;
}

function columnsOf(db: Database, table: string): string[] {
  return (db.pragma(`table_info(${quoteId(table)})`) as ColumnInfo[]).map((c) => c.name);
}

const quoteId = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Ordinary tables of the schema the new file was made with (vec0 tables and their shadows apart). */
function plainTables(db: Database): string[] {
  const rows = db
    .prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all();
  const virtual = rows.filter((r) => /^CREATE VIRTUAL TABLE/i.test(r.sql)).map((r) => r.name);
  return rows.map((r) => r.name).filter((name) => !virtual.some((v) => name === v || name.startsWith(`${v}_`)));
}

function copyTable(from: Database, to: Database, table: string): TableSalvage {
  const result: TableSalvage = { table, copied: 0, rejected: 0, unreadable: [] };
  const wanted = new Set(columnsOf(to, table));
  const columns = columnsOf(from, table).filter((c) => wanted.has(c));
  if (!columns.length) return result;
  const list = columns.map(quoteId).join(', ');
  const read = from
    .prepare(`SELECT rowid AS salvage_rowid, ${list} FROM ${quoteId(table)} WHERE rowid >= ? ORDER BY rowid LIMIT ${CHUNK}`)
    .raw();
  // OR IGNORE: a row from a broken page that breaks NOT NULL, CHECK or UNIQUE is dropped, not fatal.
  const write = to.prepare(`INSERT OR IGNORE INTO ${quoteId(table)} (${list}) VALUES (${columns.map(() => '?').join(', ')})`);
  let maxRowid: number | null = null;
  try {
    maxRowid = (from.prepare(`SELECT max(rowid) AS m FROM ${quoteId(table)}`).get() as { m: number | null }).m;
  } catch (err) {
    // The rightmost page is unreadable too: probe without an upper bound.
    if (!isDatabaseDamage(err)) throw err;
  }
  // Row ids start at 1 in these tables; a negative one could only come from a hand-edited file.
  let next = Number.MIN_SAFE_INTEGER;
  for (;;) {
    let got = 0;
    try {
      for (const row of read.iterate(next) as IterableIterator<unknown[]>) {
        got += 1;
        next = Number(row[0]) + 1;
        if (write.run(...row.slice(1)).changes) result.copied += 1;
        else result.rejected += 1;
      }
      if (got < CHUNK) return result;
    } catch (err) {
      if (!isDatabaseDamage(err)) throw err;
      const resumed = skipUnreadable(read, Math.max(next, 0), maxRowid);
      result.unreadable.push([next - 1, resumed]);
      if (resumed === null) return result;
      next = resumed;
    }
  }
}

/**
 * The first readable row id from `broken` on (reading from `broken` itself failed), probing ever
 * further ahead, since row ids are mostly dense and one broken page holds a short stretch of
 * them, then narrowing back so no readable row is skipped; null when nothing after is readable.
 */
function skipUnreadable(read: BetterSqlite3.Statement, broken: number, maxRowid: number | null): number | null {
  /** The first row from `id` on: undefined past the end, 'broken' when the read fails. */
  const firstFrom = (id: number): unknown[] | undefined | 'broken' => {
    try {
      return read.raw().get(id) as unknown[] | undefined;
    } catch (err) {
      if (!isDatabaseDamage(err)) throw err;
      return 'broken';
    }
  };
  let lo = broken;
  for (let step = 1; step < 2 ** 52; step *= 2) {
    const probe = broken + step;
    if (maxRowid !== null && probe > maxRowid) return null;
    const found = firstFrom(probe);
    if (found === 'broken') {
      lo = probe;
      continue;
    }
    if (!found) return null;
    let hi = probe;
    let first = found;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const at = firstFrom(mid);
      if (at === 'broken') lo = mid;
      else if (at) {
        hi = mid;
        first = at;
      } else break;
    }
    return Number(first[0]);
  }
  return null;
}

/** Float descriptors of the faces that survived, re-quantised for the binary table as on insert. */
function copyFaceEmbeddings(from: Database, to: Database): number {
  const vectors = createFaceVectorsRepository(to);
  let read: BetterSqlite3.Statement<[bigint], { embedding: Buffer }> | null = null;
  try {
    read = from.prepare<[bigint], { embedding: Buffer }>('SELECT embedding FROM face_embeddings WHERE face_id = ?');
  } catch (err) {
    if (!isDatabaseDamage(err)) throw err;
  }
  let lost = 0;
  for (const face of to.prepare<[], { id: number; event_id: number }>('SELECT id, event_id FROM faces ORDER BY id').all()) {
    let blob: Buffer | undefined;
    try {
      blob = read?.get(BigInt(face.id))?.embedding;
    } catch (err) {
      if (!isDatabaseDamage(err)) throw err;
    }
    if (!blob || blob.byteLength !== EMBEDDING_DIMS * Float32Array.BYTES_PER_ELEMENT) {
      lost += 1;
      continue;
    }
    vectors.insert(face.id, face.event_id, new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)));
  }
  return lost;
}

/** Scene vectors that can be read; the engine's back-fill recomputes the others. */
function copyClipEmbeddings(from: Database, to: Database): void {
  let read: BetterSqlite3.Statement<[bigint], { event_id: number; embedding: Buffer }>;
  try {
    read = from.prepare<[bigint], { event_id: number; embedding: Buffer }>(
      'SELECT event_id, embedding FROM clip_embeddings WHERE photo_id = ?',
    );
  } catch (err) {
    if (isDatabaseDamage(err)) return;
    throw err;
  }
  const write = to.prepare('INSERT INTO clip_embeddings (photo_id, event_id, embedding) VALUES (?, ?, ?)');
  for (const { id } of to.prepare<[], { id: number }>('SELECT id FROM photos ORDER BY id').all()) {
    try {
      const row = read.get(BigInt(id));
      if (row) write.run(BigInt(id), BigInt(row.event_id), row.embedding);
    } catch (err) {
      if (!isDatabaseDamage(err)) throw err;
    }
  }
}

interface ForeignKeyViolation {
  table: string;
  rowid: number;
  parent: string;
  fkid: number;
}

interface ForeignKeyInfo {
  id: number;
  from: string;
  on_delete: string;
}

/** Applies each broken reference's own ON DELETE rule (SET NULL or CASCADE) until none is left. */
function resolveOrphans(db: Database): number {
  let removed = 0;
  for (let round = 0; round < 20; round++) {
    const violations = db.pragma('foreign_key_check') as ForeignKeyViolation[];
    if (!violations.length) return removed;
    for (const v of violations) {
      const fk = (db.pragma(`foreign_key_list(${quoteId(v.table)})`) as ForeignKeyInfo[]).find((f) => f.id === v.fkid);
      if (fk?.on_delete === 'SET NULL') {
        db.prepare(`UPDATE ${quoteId(v.table)} SET ${quoteId(fk.from)} = NULL WHERE rowid = ?`).run(v.rowid);
      } else {
        removed += db.prepare(`DELETE FROM ${quoteId(v.table)} WHERE rowid = ?`).run(v.rowid).changes;
      }
    }
  }
  throw new Error('Repair could not make the rescued references consistent after 20 rounds');
}

/**
 * Photos whose faces did not all survive (a face row or its descriptor lost) lose the rest too and
 * are processed again, so every photo's faces stay complete and searchable.
 */
function requeueIncompletePhotos(db: Database, now: number, maxAttempts: number): number {
  const incomplete = db
    .prepare<[], { id: number; event_id: number }>(
      `SELECT p.id, p.event_id FROM photos p
        WHERE p.status IN ('ready', 'processing') AND p.face_count IS NOT NULL
          AND (p.face_count <> (SELECT count(*) FROM faces f WHERE f.photo_id = p.id)
               OR EXISTS (SELECT 1 FROM faces f WHERE f.photo_id = p.id
                           AND NOT EXISTS (SELECT 1 FROM face_embeddings e WHERE e.face_id = f.id)))`,
    )
    .all();
  const faceIds = db.prepare<[number], { id: number }>('SELECT id FROM faces WHERE photo_id = ?');
  const vectors = createFaceVectorsRepository(db);
  const dropFaces = db.prepare('DELETE FROM faces WHERE photo_id = ?');
  const reset = db.prepare(
    "UPDATE photos SET status = 'pending', error = NULL, ready_at = NULL, face_count = NULL, updated_at = ? WHERE id = ?",
  );
  const closeJobs = db.prepare(
    "UPDATE jobs SET state = 'done', finished_at = ?, updated_at = ? WHERE photo_id = ? AND kind IN ('photo.previews', 'photo.faces') AND state IN ('queued', 'leased')",
  );
  const jobs = createJobsRepository(db);
  for (const photo of incomplete) {
    vectors.deleteFaces(faceIds.all(photo.id).map((f) => f.id));
    dropFaces.run(photo.id);
    reset.run(now, photo.id);
    closeJobs.run(now, now, photo.id);
    for (const kind of ['photo.previews', 'photo.faces'] as const) {
      jobs.enqueueJob({ kind, eventId: photo.event_id, photoId: photo.id, maxAttempts, runAfter: now }, now);
    }
  }
  return incomplete.length;
}

/** Vectors whose face or photo row was lost would be search hits pointing nowhere. */
function dropStrayVectors(db: Database): void {
  db.exec(`
    DELETE FROM face_embeddings WHERE face_id NOT IN (SELECT id FROM faces);
    DELETE FROM face_embeddings_bits WHERE face_id NOT IN (SELECT id FROM faces);
    DELETE FROM clip_embeddings WHERE photo_id NOT IN (SELECT id FROM photos);
  `);
}

/**
 * People's counts and covers from the faces that survived. Unnamed people left without faces go;
 * named ones stay listed with none, as after any other loss of faces (the name is the organiser's
 * work, and only they delete it). Returns those names.
 */
function refreshPeople(db: Database, now: number): string[] {
  const persons = createPersonsRepository(db);
  const named: string[] = [];
  for (const { id } of db.prepare<[], { id: number }>('SELECT id FROM events').all()) {
    persons.refreshPersons(persons.personIds(id), now);
    for (const empty of persons.emptyUnnamedPersonIds(id)) persons.deletePerson(empty);
    named.push(...persons.listPersons(id).flatMap((p) => (p.faceCount === 0 && p.name ? [p.name] : [])));
  }
  return named;
}

/** Leases of the engine that stopped with the damage will never be completed: hand them out again. */
function releaseLeases(db: Database, now: number): void {
  db.prepare(
    "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, run_after = ?, updated_at = ? WHERE state = 'leased'",
  ).run(now, now);
}

function openDamaged(path: string): Database {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  sqliteVec.load(db);
  return db;
}

/** Whether SQLite finds the file sound (quick_check: every page and row readable, indexes aside). */
export function checkDatabase(path: string): { ok: boolean; problems: string[] } {
  let db: Database | undefined;
  try {
    db = openDamaged(path);
    const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    return { ok: problems.length === 0, problems };
  } catch (err) {
    if (!isDatabaseDamage(err)) throw err;
    return { ok: false, problems: [(err as Error).message] };
  } finally {
    db?.close();
  }
}

export interface SalvageOptions {
  /** Attempts of the processing jobs queued for photos that lost faces (the pipeline's setting). */
  maxAttempts: number;
  now?: number;
}

/** Copies what `damagedPath` still holds into a new database at `targetPath` (which must not exist). */
export function salvageDatabase(damagedPath: string, targetPath: string, options: SalvageOptions): SalvageReport {
  const now = options.now ?? Date.now();
  const report: SalvageReport = {
    readable: true,
    schemaVersion: 0,
    tables: [],
    lostEmbeddings: 0,
    orphansRemoved: 0,
    photosRequeued: 0,
    namedPeopleWithoutFaces: [],
  };
  let from: Database | undefined;
  try {
    from = openDamaged(damagedPath);
    report.schemaVersion = currentSchemaVersion(from);
    from.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    if (!isDatabaseDamage(err)) throw err;
    from?.close();
    from = undefined;
    report.readable = false;
    report.error = (err as Error).message;
  }
  const latest = MIGRATIONS.length;
  // The copy is made with the damaged file's own schema version, so its columns match, then migrated.
  const to = openDatabase(targetPath, { migrateUpTo: from && report.schemaVersion > 0 ? Math.min(report.schemaVersion, latest) : latest });
  try {
    if (!from) return report;
    to.pragma('foreign_keys = OFF');
    to.transaction(() => {
      for (const table of plainTables(to)) report.tables.push(copyTable(from!, to, table));
      report.lostEmbeddings = copyFaceEmbeddings(from!, to);
      copyClipEmbeddings(from!, to);
    })();
    migrate(to, MIGRATIONS);
    to.transaction(() => {
      report.orphansRemoved = resolveOrphans(to);
      dropStrayVectors(to);
      report.photosRequeued = requeueIncompletePhotos(to, now, options.maxAttempts);
      report.namedPeopleWithoutFaces = refreshPeople(to, now);
      releaseLeases(to, now);
    })();
    to.pragma('foreign_keys = ON');
    return report;
  } finally {
    from?.close();
    to.pragma('wal_checkpoint(TRUNCATE)');
    to.close();
  }
}
