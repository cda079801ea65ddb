// The cloud's connection to PostgreSQL: one pg.Pool per endpoint process, and transactions as
// BEGIN … COMMIT on one client. Stateless on purpose: several endpoint instances share one
// database, and every decision that must be taken once is taken under a row lock or an
// advisory lock inside a transaction.
import pg from 'pg';

/** What a repository function runs its SQL on: the pool or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface CloudDatabase {
  /** The pool itself, for code that claims rows with its own statements (the email loop). */
  readonly pool: pg.Pool;
  /** Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const INT8_OID = 20;
/**
 * bigint columns (ids, sequence numbers, sizes) come back as JavaScript numbers: every value the
 * cloud keeps in one fits well under 2^53 (a part of a blob, a device's operation count).
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface OpenCloudDatabaseOptions {
  /** Connections per endpoint process. */
  maxConnections?: number;
}

export function openCloudDatabase(databaseUrl: string, opts: OpenCloudDatabaseOptions = {}): CloudDatabase {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.maxConnections ?? 10,
    // A database that does not answer should fail a request with a sentence, not hang it.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    types,
  });
  // An idle client losing its connection (database restarted) must not crash the endpoint: the
  // pool drops it and the next request opens a new one.
  pool.on('error', () => undefined);
  return {
    pool,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
