// The cloud's migrations against a real PostgreSQL: several instances starting together migrate
// once, and a database from a newer Shutterfind is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MIGRATIONS, migrateCloudDatabase, openCloudDatabase } from '../../../src/cloud/database/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe('cloud migrations', () => {
  it('migrate once when four endpoint instances start together on one database', async () => {
    const url = await postgres.createDatabase();
    const instances = Array.from({ length: 4 }, () => openCloudDatabase(url));
    try {
      const results = await Promise.all(instances.map((db) => migrateCloudDatabase(db)));
      const latest = CLOUD_MIGRATIONS.at(-1)!.version;
      expect(results.filter((r) => r.from === 0 && r.to === latest)).toHaveLength(1);
      expect(results.filter((r) => r.from === latest)).toHaveLength(3);
      const applied = await instances[0]!.pool.query('SELECT version FROM cloud_migrations ORDER BY version');
      expect(applied.rows.map((r: { version: number }) => r.version)).toEqual(CLOUD_MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(instances.map((db) => db.close()));
    }
  });

  it('refuse a database migrated by a newer Shutterfind, saying what to do', async () => {
    const url = await postgres.createDatabase();
    const db = openCloudDatabase(url);
    try {
      await migrateCloudDatabase(db);
      await db.pool.query("INSERT INTO cloud_migrations (version, name) VALUES (999, 'from the future')");
      await expect(migrateCloudDatabase(db)).rejects.toThrow(
        /schema version 999, newer than this Shutterfind.*Run the newer Shutterfind endpoint/,
      );
    } finally {
      await db.close();
    }
  });
});
