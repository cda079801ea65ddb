// Cloud endpoints for tests: real instances (Fastify on loopback) on one real PostgreSQL database,
// sharing one directory blob store, plus a small HTTP client and builders for protocol operations.
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { SyncOperation } from '../../../src/api/index.js';
import { openBlobStore, type BlobStore } from '../../../src/cloud/blobs/index.js';
import {
  createCloudEvent,
  createMailer,
  startCloudServer,
  type CloudServer,
  type CloudServerOptions,
  type CreatedCloudEvent,
} from '../../../src/cloud/index.js';
import { openCloudDatabase, type CloudDatabase } from '../../../src/cloud/database/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import type { TestPostgres } from '../../support/postgres.js';

export interface CloudHarness {
  /** One address per endpoint instance. */
  urls: string[];
  /** A pool of the test's own, to look at what the endpoint stored. */
  db: CloudDatabase;
  blobDir: string;
  createEvent(opts?: { name?: string; uploadOriginals?: boolean; cloudFaceSearch?: boolean }): Promise<CreatedCloudEvent>;
  /** Enrols a laptop through the first instance; returns its device token. */
  enrol(joinCode: string, deviceId: string, deviceName?: string): Promise<string>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface CloudHarnessOptions {
  instances?: number;
  partSize?: number;
  /** Each instance sends attendees' emails through this SMTP server. */
  smtpUrl?: string;
  /** Wrong guesses per address before a lock-out (the endpoint's own limits by default). */
  guessLimits?: CloudServerOptions['guessLimits'];
  /** Wraps each instance's (real, directory) blob store, to hold one of its calls at a chosen moment. */
  wrapBlobs?: (store: BlobStore, instance: number) => BlobStore;
  /** Each instance's connections to the database (the endpoint's defaults unless given). */
  database?: CloudServerOptions['database'];
}

export async function startCloudHarness(postgres: TestPostgres, opts: CloudHarnessOptions = {}): Promise<CloudHarness> {
  const databaseUrl = await postgres.createDatabase();
  const blobDir = await makeTempDir('shutterfind-cloud-blobs-');
  const servers: CloudServer[] = [];
  // Started together, as several instances of one deployment would be (migrations run once).
  const started = await Promise.all(
    Array.from({ length: opts.instances ?? 1 }, async (_, instance) => {
      const port = await freePort();
      const publicBaseUrl = `http://127.0.0.1:${port}`;
      const store = openBlobStore(join(blobDir, 'store'), {
        publicBaseUrl,
        signingSecret: 'test-signing-secret-shared-by-instances',
        ...(opts.partSize ? { partSize: opts.partSize } : {}),
      });
      const blobs = opts.wrapBlobs ? opts.wrapBlobs(store, instance) : store;
      const mailer = opts.smtpUrl ? { mailer: createMailer({ smtpUrl: opts.smtpUrl, from: 'Harbour Gala <photos@example.org>' }) } : {};
      const limits = opts.guessLimits ? { guessLimits: opts.guessLimits } : {};
      const database = opts.database ? { database: opts.database } : {};
      return startCloudServer({
        databaseUrl,
        blobs,
        publicBaseUrl,
        port,
        ...mailer,
        ...limits,
        ...database,
        onError: (err) => console.error(err),
      });
    }),
  );
  servers.push(...started);
  const db = openCloudDatabase(databaseUrl);
  const urls = servers.map((s) => s.url);
  return {
    urls,
    db,
    blobDir,
    createEvent: (o = {}) =>
      createCloudEvent(db, {
        name: o.name ?? 'Harbour Gala',
        uploadOriginals: o.uploadOriginals ?? false,
        cloudFaceSearch: o.cloudFaceSearch ?? false,
      }),
    async enrol(joinCode, deviceId, deviceName = 'Laptop') {
      const res = await call(urls[0]!, 'POST', '/sync/v1/enrol', { body: { joinCode, deviceId, deviceName } });
      if (res.status !== 200) throw new Error(`enrol failed: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { deviceToken: string }).deviceToken;
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await db.close();
      await removeDir(blobDir);
    },
  };
}

export interface CallResult {
  status: number;
  body: unknown;
  headers: Headers;
}

/** One request as a laptop or an organiser sends it (JSON body when given). */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: the test sees the text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export function postBatch(base: string, token: string, key: string, ops: SyncOperation[]): Promise<CallResult> {
  return call(base, 'POST', '/sync/v1/batches', { token, body: { ops }, headers: { 'idempotency-key': key } });
}

/** A hybrid logical clock stamp at `ms` (wall clock), `counter`, from `device`. */
export const hlc = (ms: number, device: string, counter = 0): string =>
  `${String(ms).padStart(15, '0')}-${String(counter).padStart(6, '0')}-${device}`;

export const sha = (n: number | string): string => {
  const hex = Buffer.from(String(n)).toString('hex');
  return hex.padStart(64, '0').slice(-64);
};

export function photoPut(
  seq: number,
  stamp: string,
  photo: number | string,
  extra: Partial<Extract<SyncOperation, { kind: 'photo.put' }>> = {},
): SyncOperation {
  return {
    seq,
    hlc: stamp,
    kind: 'photo.put',
    sha256: sha(photo),
    fileName: `IMG_${photo}.JPG`,
    capturedAt: '2026-06-01T18:00:00.000Z',
    width: 6000,
    height: 4000,
    thumb: null,
    preview: null,
    original: null,
    ...extra,
  };
}

/** `count` photo.put operations from seq `from`, named photo `${prefix}-${i}`. */
export function photoPuts(from: number, count: number, device: string, prefix = 'p'): SyncOperation[] {
  return Array.from({ length: count }, (_, i) => photoPut(from + i, hlc(1_750_000_000_000 + from + i, device), `${prefix}-${from + i}`));
}
