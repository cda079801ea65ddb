// Opens the installation's SQLite file with the settings every connection needs.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { migrate } from './migrate.js';
import { DatabaseDamagedError, isDatabaseDamage } from './database-damage.js';
import { MIGRATIONS } from './migrations/index.js';

export type { Database } from 'better-sqlite3';

export interface OpenDatabaseOptions {
  readonly?: boolean;
  /** Stop at this schema version (tests of migrations open an older database). */
  migrateUpTo?: number;
  /** Skip migrations entirely (only for a read-only look at a database). */
  skipMigrations?: boolean;
}

/** The engine and a concurrent `status` may touch the file at once; wait instead of failing. */
const BUSY_TIMEOUT_MS = 5_000;

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw new DatabaseOpenError(`Cannot open database ${path}: ${(err as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose
      // the last transactions, which the start-up reconciliation scan then finds again.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    sqliteVec.load(db);
    if (!options.readonly && !options.skipMigrations) migrate(db, MIGRATIONS, options.migrateUpTo);
  } catch (err) {
    db.close();
    throw isDatabaseDamage(err) ? new DatabaseDamagedError(path, dirname(path), err as Error) : err;
  }
  return db;
}

/** Folds the WAL back into the main file so a copied data dir is complete. */
export function checkpointAndClose(db: Database): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
