// The cloud's numbered, forward-only migrations. Applied at `cloud serve` start inside one
// transaction that holds an advisory lock, so several instances starting together migrate once;
// a database from a newer Shutterfind is refused (its schema is not ours to guess).
import type { CloudDatabase } from './cloud-database.js';
import { CLOUD_MIGRATIONS } from './migrations/index.js';

export interface CloudMigration {
  version: number;
  name: string;
  sql: string;
}

/** Any constant will do, as long as every instance uses the same one: "shutterfind" in hex, shortened. */
const MIGRATION_LOCK = 0x5348_5554_5446_0001n;

export interface MigrationResult {
  from: number;
  to: number;
}

export async function migrateCloudDatabase(
  db: CloudDatabase,
  migrations: readonly CloudMigration[] = CLOUD_MIGRATIONS,
): Promise<MigrationResult> {
  const latest = migrations.at(-1)?.version ?? 0;
  return db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS cloud_migrations (
        version int PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ current: number | null }>('SELECT max(version) AS current FROM cloud_migrations');
    const current = rows[0]?.current ?? 0;
    if (current > latest) {
      throw new Error(
        `This cloud database is at schema version ${current}, newer than this Shutterfind (knows up to ${latest}). ` +
          'Run the newer Shutterfind endpoint, or point --database at another database.',
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO cloud_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    return { from: current, to: Math.max(current, latest) };
  });
}
