// A real cloud endpoint for the laptop's sync tests: PostgreSQL, a directory blob store that counts
// the parts it receives (to prove a resumed upload does not send a recorded part again), and an
// SMTP inbox when emails are wanted.
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Readable } from 'node:stream';
import { DirectoryBlobStore } from '../../../src/cloud/blobs/index.js';
import { createCloudEvent, createMailer, startCloudServer, type CloudServer, type CreatedCloudEvent } from '../../../src/cloud/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import { freePort } from '../cloud/cloud-harness.js';
import { createEventSync, type EventSync, type EventSyncDeps } from '../../../src/sync/index.js';
import type { TempDatabase } from '../../support/database.js';

/** Every part PUT that reached the store, as `<uploadId>#<part>`. */
class CountingBlobStore extends DirectoryBlobStore {
  readonly received: string[] = [];
  /**
   * How far the store's clock runs ahead when it checks a part address: set it past an address's
   * life and the next part is refused as expired. New addresses (signParts) put it back, as if
   * they were signed after the wait.
   */
  clockAheadMs = 0;
  override async signParts(...args: Parameters<DirectoryBlobStore['signParts']>) {
    this.clockAheadMs = 0;
    return super.signParts(...args);
  }
  override async receivePart(address: Parameters<DirectoryBlobStore['receivePart']>[0], body: Readable) {
    const result = await super.receivePart(address, body);
    if (result.ok) this.received.push(`${address.uploadId}#${address.partNumber}`);
    return result;
  }
}

export interface TestCloud {
  url: string;
  server: CloudServer;
  store: CountingBlobStore;
  inbox: SmtpInbox | null;
  createEvent(opts?: { uploadOriginals?: boolean; cloudFaceSearch?: boolean }): Promise<CreatedCloudEvent>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** True once the endpoint holds a person of this laptop device under this name. */
  hasPersonNamed(deviceId: string, name: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A test cloud for the whole file: started before its tests, closed after them. The object stands
 * for it from the first test on (reading it earlier is a mistake, and says so).
 */
export function useTestCloud(opts: { partSize?: number; emails?: boolean } = {}): TestCloud {
  let cloud: TestCloud | undefined;
  beforeAll(async () => {
    cloud = await startTestCloud(opts);
  }, 120_000);
  afterAll(async () => {
    await cloud?.close();
  });
  const started = (): TestCloud => {
    if (!cloud) throw new Error('The test cloud starts in beforeAll: use it inside a test or a hook after it');
    return cloud;
  };
  return {
    get url() {
      return started().url;
    },
    get server() {
      return started().server;
    },
    get store() {
      return started().store;
    },
    get inbox() {
      return started().inbox;
    },
    createEvent: (o) => started().createEvent(o),
    query: (sql, params) => started().query(sql, params),
    hasPersonNamed: (deviceId, name) => started().hasPersonNamed(deviceId, name),
    close: () => started().close(),
  };
}

export async function startTestCloud(opts: { partSize?: number; emails?: boolean } = {}): Promise<TestCloud> {
  const postgres: TestPostgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase();
  const blobDir = await makeTempDir('shutterfind-sync-blobs-');
  const port = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const store: CountingBlobStore = new CountingBlobStore({
    now: () => Date.now() + store.clockAheadMs,
    dir: join(blobDir, 'store'),
    publicBaseUrl,
    signingSecret: 'sync-test-signing-secret',
    ...(opts.partSize ? { partSize: opts.partSize } : {}),
  });
  const inbox = opts.emails ? await startSmtpInbox() : null;
  const server = await startCloudServer({
    databaseUrl,
    blobs: store,
    publicBaseUrl,
    port,
    ...(inbox ? { mailer: createMailer({ smtpUrl: inbox.url, from: 'photos@example.org' }) } : {}),
    onError: (err) => console.error(err),
  });
  return {
    url: server.url,
    server,
    store,
    inbox,
    createEvent: (o = {}) =>
      createCloudEvent(server.db, {
        name: 'Garden party',
        uploadOriginals: o.uploadOriginals ?? false,
        cloudFaceSearch: o.cloudFaceSearch ?? false,
      }),
    async query<T>(sql: string, params: unknown[] = []) {
      return (await server.db.pool.query(sql, params)).rows as T[];
    },
    async hasPersonNamed(deviceId: string, name: string) {
      const { rows } = await server.db.pool.query(
        'SELECT 1 FROM persons p JOIN devices d ON d.id = p.device_pk WHERE d.device_id = $1 AND p.name = $2',
        [deviceId, name],
      );
      return rows.length === 1;
    },
    async close() {
      await server.close();
      await inbox?.close();
      await postgres.stop();
      await removeDir(blobDir);
    },
  };
}

/**
 * The laptop's sync over a test database, quiet, each photo's thumbnail and preview taken from its
 * row (no "do not publish" in these tests). `overrides` changes any dependency (a counted
 * repository, fewer blobs in flight, a shorter debounce).
 */
export function laptopSync(temp: TempDatabase, overrides: Partial<EventSyncDeps> = {}): EventSync {
  return createEventSync({
    repo: temp.repos.sync,
    dataDir: temp.dir,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    defaultDeviceName: 'Test laptop',
    attendeeMediaPath: async (photoId, kind) => {
      const p = temp.repos.photos.getPhoto(photoId);
      return (kind === 'thumb' ? p?.thumbnailPath : p?.previewPath) ?? null;
    },
    ...overrides,
  });
}
