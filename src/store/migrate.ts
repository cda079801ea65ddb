// Forward-only numbered migrations tracked in SQLite's user_version.
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function currentSchemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration above the database's version, each in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[], upTo = Number.POSITIVE_INFINITY): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const current = currentSchemaVersion(db);
  const latest = sorted.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new MigrationError(
      `This database is at schema version ${current}, newer than this Shutterfind (knows up to ${latest}). ` +
        'Update Shutterfind, or point --data-dir at another folder.',
    );
  }
  for (const m of sorted) {
    if (m.version <= current || m.version > upTo) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return currentSchemaVersion(db);
}
