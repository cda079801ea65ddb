// One contract, two blob stores: what the endpoint and the laptop's uploader rely on, run against
// the directory store (always: a real Fastify endpoint on loopback and real HTTP PUTs) and against
// S3 when a real S3-compatible service is named by SHUTTERFIND_TEST_S3_URL (s3://bucket/prefix, with
// the usual AWS_* variables). The npm `s3rver` is not used: it accepts tampered signatures, so it
// would prove nothing about the refusals below.
import Fastify, { type FastifyInstance } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { freePort } from './cloud-harness.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DirectoryBlobStore,
  S3BlobStore,
  parseS3Url,
  registerDirectoryPartRoutes,
  type BlobStore,
  type FinishedPart,
  type SignedPart,
} from '../../../src/cloud/blobs/index.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

interface StoreUnderTest {
  store: BlobStore;
  /** A new store instance on the same storage, as after an endpoint restart. */
  restart(): Promise<BlobStore>;
  /** The same address for another part number (the signature left as it was). */
  otherPartNumber(url: string): string;
  /** The same address for another key (the signature left as it was). */
  otherKey(url: string): string;
  /** Whatever the store keeps of open uploads, for "nothing left behind". */
  openUploadFolders?(): Promise<string[]>;
}

const HOUR = 3600_000;

function contract(name: string, open: () => Promise<StoreUnderTest>, close: () => Promise<void>): void {
  describe(name, () => {
    let sut: StoreUnderTest;
    beforeAll(async () => {
      sut = await open();
    });
    afterAll(close);

    const newKey = () => `events/test-${randomBytes(6).toString('hex')}/${randomBytes(32).toString('hex')}`;
    /** Two and a half parts: the last part shorter, as a real file's usually is. */
    const blobBytes = () => randomBytes(Math.floor(sut.store.partSize * 2.5));
    const partsOf = (bytes: Buffer) => {
      const size = sut.store.partSize;
      const parts: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
      return parts;
    };

    async function uploadAll(
      store: BlobStore,
      key: string,
      bytes: Buffer,
      order?: number[],
    ): Promise<{ uploadId: string; finished: FinishedPart[] }> {
      const uploadId = await store.startUpload(key, 'image/webp');
      const parts = partsOf(bytes);
      const numbers = order ?? parts.map((_, i) => i + 1);
      const signed = await store.signParts(key, uploadId, numbers, Date.now() + HOUR);
      const finished: FinishedPart[] = [];
      for (const address of signed)
        finished.push({ partNumber: address.partNumber, etag: await putOk(address, parts[address.partNumber - 1]!) });
      finished.sort((a, b) => a.partNumber - b.partNumber);
      return { uploadId, finished };
    }

    it('a blob sent in several parts reads back byte for byte, with its SHA-256', async () => {
      const key = newKey();
      const bytes = blobBytes();
      const { uploadId, finished } = await uploadAll(sut.store, key, bytes);
      expect(finished).toHaveLength(3);
      await sut.store.completeUpload(key, uploadId, finished);

      expect(await sut.store.stat(key)).toEqual({ size: bytes.length });
      expect(await sut.store.sha256(key)).toBe(sha256(bytes));
      expect(Buffer.compare(await readAll(await sut.store.read(key)), bytes)).toBe(0);
    });

    it('parts may arrive out of order, and a part sent again replaces the earlier one', async () => {
      const key = newKey();
      const bytes = blobBytes();
      const parts = partsOf(bytes);
      const uploadId = await sut.store.startUpload(key, 'image/jpeg');
      const [one, two, three] = await sut.store.signParts(key, uploadId, [1, 2, 3], Date.now() + HOUR);
      const etag3 = await putOk(three!, parts[2]!);
      // A part torn by the venue Wi-Fi and sent again: first other bytes, then the right ones.
      await putOk(two!, randomBytes(parts[1]!.length));
      const etag1 = await putOk(one!, parts[0]!);
      const etag2 = await putOk(two!, parts[1]!);
      await sut.store.completeUpload(key, uploadId, [
        { partNumber: 1, etag: etag1 },
        { partNumber: 2, etag: etag2 },
        { partNumber: 3, etag: etag3 },
      ]);
      expect(await sut.store.sha256(key)).toBe(sha256(bytes));
    });

    it('a completion naming an ETag the part does not have is refused, and the upload stays open to fix it', async () => {
      const key = newKey();
      const bytes = blobBytes();
      const { uploadId, finished } = await uploadAll(sut.store, key, bytes);
      const wrong = finished.map((p) => (p.partNumber === 2 ? { ...p, etag: createHash('md5').update('other bytes').digest('hex') } : p));
      await expect(sut.store.completeUpload(key, uploadId, wrong)).rejects.toMatchObject({ name: 'BlobStoreError', code: 'bad-parts' });
      expect(await sut.store.stat(key)).toBeNull();

      await sut.store.completeUpload(key, uploadId, finished);
      expect(await sut.store.sha256(key)).toBe(sha256(bytes));
    });

    it('an upload started before a restart is finished by the new instance', async () => {
      const key = newKey();
      const bytes = blobBytes();
      const parts = partsOf(bytes);
      const uploadId = await sut.store.startUpload(key, 'image/webp');
      const [first] = await sut.store.signParts(key, uploadId, [1], Date.now() + HOUR);
      const etag1 = await putOk(first!, parts[0]!);

      const restarted = await sut.restart();
      const rest = await restarted.signParts(key, uploadId, [2, 3], Date.now() + HOUR);
      const finished = [{ partNumber: 1, etag: etag1 }];
      for (const address of rest)
        finished.push({ partNumber: address.partNumber, etag: await putOk(address, parts[address.partNumber - 1]!) });
      await restarted.completeUpload(key, uploadId, finished);
      expect(await restarted.sha256(key)).toBe(sha256(bytes));
    });

    it('a part PUT to an altered address is refused with 403', async () => {
      const key = newKey();
      const uploadId = await sut.store.startUpload(key, 'image/webp');
      const [address] = await sut.store.signParts(key, uploadId, [1], Date.now() + HOUR);
      const bytes = randomBytes(1024);
      const tampered = [
        address!.url.replace(
          /((?:sig|X-Amz-Signature)=[0-9a-f]*)([0-9a-f])/,
          (_m, head: string, last: string) => head + (last === '0' ? '1' : '0'),
        ),
        sut.otherPartNumber(address!.url),
        sut.otherKey(address!.url),
      ];
      for (const url of tampered) {
        expect(url).not.toBe(address!.url);
        expect((await put({ ...address!, url }, bytes)).status, url).toBe(403);
      }
      expect((await put(address!, bytes)).status).toBe(200);
      await sut.store.abortUpload(key, uploadId);
    });

    it('a part PUT after its address expired is refused with 403', async () => {
      const key = newKey();
      const uploadId = await sut.store.startUpload(key, 'image/webp');
      const [address] = await sut.store.signParts(key, uploadId, [1], Date.now() + 1500);
      const bytes = randomBytes(1024);
      const refused = await waitFor(
        async () => {
          const answer = await put(address!, bytes);
          return answer.status === 403 ? answer : false;
        },
        'the part address to expire',
        15_000,
        250,
      );
      expect(refused.status).toBe(403);
      await sut.store.abortUpload(key, uploadId);
    });

    it('stat, read, a byte range and delete behave as on a file', async () => {
      const key = newKey();
      const bytes = blobBytes();
      const { uploadId, finished } = await uploadAll(sut.store, key, bytes);
      await sut.store.completeUpload(key, uploadId, finished);

      // A range across the first part boundary, `end` inclusive as in HTTP.
      const start = sut.store.partSize - 10;
      const range = await readAll(await sut.store.read(key, { start, end: start + 19 }));
      expect(Buffer.compare(range, bytes.subarray(start, start + 20))).toBe(0);

      await sut.store.delete(key);
      expect(await sut.store.stat(key)).toBeNull();
      expect(await sut.store.read(key)).toBeNull();
      expect(await sut.store.sha256(key)).toBeNull();
      // Deleting what is not there is not an error (a retried clean-up).
      await sut.store.delete(key);
      expect(await sut.store.stat(newKey())).toBeNull();
    });

    it('a small blob put whole by the endpoint reads back byte for byte, and putting it again changes nothing', async () => {
      const key = newKey();
      const bytes = randomBytes(30_000);
      await sut.store.put(key, bytes, 'image/webp');
      expect(await sut.store.stat(key)).toEqual({ size: bytes.length });
      expect(await sut.store.sha256(key)).toBe(createHash('sha256').update(bytes).digest('hex'));
      // A bundle sent again (its answer was lost): the same bytes under the same key.
      await sut.store.put(key, bytes, 'image/webp');
      expect(Buffer.compare(await readAll(await sut.store.read(key)), bytes)).toBe(0);
      await sut.store.delete(key);
    });

    it('an aborted upload leaves nothing behind and takes no more parts', async () => {
      const key = newKey();
      const bytes = blobBytes();
      const parts = partsOf(bytes);
      const uploadId = await sut.store.startUpload(key, 'image/webp');
      const [one, two] = await sut.store.signParts(key, uploadId, [1, 2], Date.now() + HOUR);
      const etag1 = await putOk(one!, parts[0]!);
      await sut.store.abortUpload(key, uploadId);

      expect((await put(two!, parts[1]!)).status).toBe(404);
      await expect(sut.store.completeUpload(key, uploadId, [{ partNumber: 1, etag: etag1 }])).rejects.toMatchObject({
        code: 'no-such-upload',
      });
      expect(await sut.store.stat(key)).toBeNull();
      if (sut.openUploadFolders) expect(await sut.openUploadFolders()).not.toContain(uploadId);
      // Aborting twice is not an error (a retried clean-up).
      await sut.store.abortUpload(key, uploadId);
    });
  });
}

// ---- the directory store, behind a real Fastify endpoint on loopback ---------------------------

{
  let dir = '';
  let app: FastifyInstance | null = null;
  let port = 0;
  const secret = randomBytes(32).toString('hex');
  const partSize = 64 * 1024;

  async function startEndpoint(): Promise<DirectoryBlobStore> {
    const store = new DirectoryBlobStore({ dir, publicBaseUrl: `http://127.0.0.1:${port}`, signingSecret: secret, partSize });
    app = Fastify({ logger: false });
    await registerDirectoryPartRoutes(app, store);
    await app.listen({ host: '127.0.0.1', port });
    return store;
  }

  contract(
    'the directory blob store',
    async () => {
      dir = await makeTempDir('shutterfind-blobs-');
      port = await freePort();
      const store = await startEndpoint();
      return {
        store,
        restart: async () => {
          await app?.close();
          return startEndpoint();
        },
        otherPartNumber: (url) => url.replace(/\/(\d+)\?/, (_m, n: string) => `/${Number(n) + 1}?`),
        otherKey: (url) => url.replace(/key=events%2F/, 'key=events%2Fx'),
        openUploadFolders: async () => readdir(join(dir, '.uploads')).catch(() => []),
      };
    },
    async () => {
      await app?.close();
      await removeDir(dir);
    },
  );
}

describe("the directory store's part route", () => {
  let dir = '';
  let app: FastifyInstance;
  let store: DirectoryBlobStore;
  const partSize = 16 * 1024;

  beforeAll(async () => {
    dir = await makeTempDir('shutterfind-blobs-');
    const port = await freePort();
    store = new DirectoryBlobStore({
      dir,
      publicBaseUrl: `http://127.0.0.1:${port}/`,
      signingSecret: randomBytes(32).toString('hex'),
      partSize,
    });
    app = Fastify({ logger: false });
    await registerDirectoryPartRoutes(app, store);
    await app.listen({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    await app.close();
    await removeDir(dir);
  });

  it('tells the uploader in words why an altered address is refused', async () => {
    const key = 'events/e1/' + 'a'.repeat(64);
    const uploadId = await store.startUpload(key, 'image/webp');
    const [address] = await store.signParts(key, uploadId, [1], Date.now() + HOUR);
    const answer = await put({ ...address!, url: address!.url.replace(/exp=\d+/, `exp=${Date.now() + 10 * HOUR}`) }, randomBytes(10));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      code: 'part-url-refused',
      message: 'This upload address expired or was altered: ask the endpoint for a new one.',
    });
  });

  it('refuses a part larger than the part size, whether it says so up front or not', async () => {
    const key = 'events/e1/' + 'b'.repeat(64);
    const uploadId = await store.startUpload(key, 'image/webp');
    const [address] = await store.signParts(key, uploadId, [1], Date.now() + HOUR);
    expect((await put(address!, randomBytes(partSize + 1))).status).toBe(413);
    // Chunked, so the size is known only once too much has arrived.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(randomBytes(partSize / 2));
        controller.close();
      },
    });
    const answer = await fetch(address!.url, { method: 'PUT', headers: address!.headers, body: chunked, duplex: 'half' } as RequestInit);
    expect(answer.status).toBe(413);
    expect(await partFiles(uploadId)).toEqual([]);
  });

  it('a part whose PUT was cut off midway does not count as received', async () => {
    const key = 'events/e1/' + 'c'.repeat(64);
    const bytes = randomBytes(partSize);
    const uploadId = await store.startUpload(key, 'image/webp');
    const [address] = await store.signParts(key, uploadId, [1], Date.now() + HOUR);
    await new Promise<void>((resolve) => {
      const req = httpRequest(address!.url, { method: 'PUT', headers: { ...address!.headers, 'content-length': String(bytes.length) } });
      req.on('error', () => resolve());
      req.write(bytes.subarray(0, bytes.length / 2), () => {
        req.destroy();
        resolve();
      });
    });
    await waitFor(
      async () => (await readdir(join(dir, '.uploads', uploadId))).every((f) => !f.endsWith('.tmp')),
      'the torn part to be dropped',
    );
    expect(await partFiles(uploadId)).toEqual([]);
    const etag = createHash('md5').update(bytes).digest('hex');
    await expect(store.completeUpload(key, uploadId, [{ partNumber: 1, etag }])).rejects.toMatchObject({ code: 'bad-parts' });
  });

  it('two endpoint instances completing one upload at once both succeed, with one blob', async () => {
    const key = 'events/e1/' + 'd'.repeat(64);
    const bytes = randomBytes(partSize * 3);
    const uploadId = await store.startUpload(key, 'image/jpeg');
    const addresses = await store.signParts(key, uploadId, [1, 2, 3], Date.now() + HOUR);
    const finished = [];
    for (const address of addresses) {
      const at = (address.partNumber - 1) * partSize;
      finished.push({ partNumber: address.partNumber, etag: await putOk(address, bytes.subarray(at, at + partSize)) });
    }
    const other = new DirectoryBlobStore({
      dir,
      publicBaseUrl: 'http://127.0.0.1:1',
      signingSecret: randomBytes(32).toString('hex'),
      partSize,
    });
    await Promise.all([store.completeUpload(key, uploadId, finished), other.completeUpload(key, uploadId, finished)]);
    expect(await store.sha256(key)).toBe(sha256(bytes));
    expect((await readdir(join(dir, 'events', 'e1'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  async function partFiles(uploadId: string): Promise<string[]> {
    return (await readdir(join(dir, '.uploads', uploadId))).filter((f) => f.endsWith('.part'));
  }
});

// ---- S3, only where a real S3-compatible service is given ------------------------------------

const s3Url = process.env['SHUTTERFIND_TEST_S3_URL'];
if (s3Url) {
  const options = { location: parseS3Url(s3Url), partSize: 5 * 1024 * 1024 };
  contract(
    `the S3 blob store (${s3Url})`,
    async () => ({
      store: new S3BlobStore(options),
      restart: async () => new S3BlobStore(options),
      otherPartNumber: (url) => url.replace(/partNumber=(\d+)/, (_m, n: string) => `partNumber=${Number(n) + 1}`),
      otherKey: (url) => url.replace(/\/events\/test-/, '/events/x-test-'),
    }),
    async () => {},
  );
} else {
  console.log(
    'Blob store contract: the S3 store is not tested (set SHUTTERFIND_TEST_S3_URL=s3://bucket/prefix and the AWS_* variables to test it).',
  );
}

// ---- HTTP ------------------------------------------------------------------------------------

async function put(address: SignedPart, bytes: Buffer): Promise<{ status: number; etag: string | null; body: string }> {
  const answer = await fetch(address.url, { method: 'PUT', headers: address.headers, body: bytes });
  return { status: answer.status, etag: answer.headers.get('etag'), body: await answer.text() };
}

async function putOk(address: SignedPart, bytes: Buffer): Promise<string> {
  const answer = await put(address, bytes);
  if (answer.status !== 200 || !answer.etag) throw new Error(`PUT part ${address.partNumber} answered ${answer.status}: ${answer.body}`);
  return answer.etag;
}

async function readAll(stream: NodeJS.ReadableStream | null): Promise<Buffer> {
  if (stream === null) throw new Error('The blob is missing.');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
