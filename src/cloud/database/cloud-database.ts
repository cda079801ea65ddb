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
  /**
   * A transaction that keeps its connection while the blob store works (a completion joins and
   * hashes a blob under the blob's lock: seconds for an original read back from S3; a bundle
   * writes its blobs under theirs). It runs on connections of its own, so that laptops sending
   * many blobs at once queue behind one another, never in front of attendees' galleries and every
   * other request.
   */
  blobTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
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
  /** Connections per endpoint process for requests. */
  maxConnections?: number;
  /** Connections per endpoint process for blob completions and bundles (`blobTransaction`), on top of those. */
  blobConnections?: number;
}

/**
 * Blob completions at once per endpoint process: as many as one laptop has uploads in flight
 * (BLOBS_IN_FLIGHT in sync/sync-run.ts), so one laptop's completions never wait for one another;
 * several laptops take turns, and the store is never asked to join and read back more blobs at
 * once than that. Not measured under load: the S3 store reads each original back to hash it.
 */
export const BLOB_CONNECTIONS = 4;

export function openCloudDatabase(databaseUrl: string, opts: OpenCloudDatabaseOptions = {}): CloudDatabase {
  const pool = openPool(databaseUrl, opts.maxConnections ?? 10, 10_000);
  // A completion queued behind others waits longer than a request should for a database that does
  // not answer, yet answers (503, try again) before the laptop's own 30 s response timeout.
  const blobPool = openPool(databaseUrl, opts.blobConnections ?? BLOB_CONNECTIONS, 25_000);
  const inTransaction = async <T>(on: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await on.connect();
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
  };
  return {
    pool,
    transaction: (work) => inTransaction(pool, work),
    blobTransaction: (work) => inTransaction(blobPool, work),
    close: async () => {
      await Promise.all([pool.end(), blobPool.end()]);
    },
  };
}

function openPool(databaseUrl: string, max: number, connectionTimeoutMillis: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    // A database that does not answer should fail a request with a sentence, not hang it.
    connectionTimeoutMillis,
    idleTimeoutMillis: 30_000,
    types,
  });
  // An idle client losing its connection (database restarted) must not crash the endpoint: the
  // pool drops it and the next request opens a new one.
  pool.on('error', () => undefined);
  return pool;
}
