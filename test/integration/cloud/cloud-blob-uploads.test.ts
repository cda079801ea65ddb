// Blobs by content hash through the endpoint: ask which are missing, upload in parts to the
// addresses it signs (real HTTP PUTs into the directory store), resume after a restart, and a
// blob that does not match its hash is refused and forgotten, never at the cost of a copy another
// laptop stored meanwhile.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_CONTENT_TYPE, encodeBundle, type BundleResponse, type PartUrl, type StartUploadResponse } from '../../../src/api/index.js';
import type { CreatedCloudEvent } from '../../../src/cloud/index.js';
import { blobKey, type BlobStore } from '../../../src/cloud/blobs/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { call, startCloudHarness, type CloudHarness } from './cloud-harness.js';

const PART_SIZE = 64 * 1024;

let postgres: TestPostgres;
let cloud: CloudHarness;
let event: CreatedCloudEvent;
let token: string;
/** The second instance's blob store, as the endpoint sees it. */
let secondStore: BlobStore;

/**
 * Completions the second instance holds inside the blob store's join, until `release` or at most
 * `ms`, so that other requests can be sent while they are under way. Empty: no hold.
 */
const hold: { uploadIds: Set<string>; ms: number; entered?: ((uploadId: string) => void) | undefined; release?: Promise<unknown> } = {
  uploadIds: new Set(),
  ms: 1500,
};
/** Connections per instance for requests: a few, so that holding them all takes few uploads. */
const REQUEST_CONNECTIONS = 2;

function holdingCompletions(store: BlobStore): BlobStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'completeUpload') {
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return async (...args: Parameters<BlobStore['completeUpload']>) => {
        if (hold.uploadIds.delete(args[1])) {
          hold.entered?.(args[1]);
          await Promise.race([hold.release, sleep(hold.ms)]);
        }
        return target.completeUpload(...args);
      };
    },
  });
}

beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres, {
    instances: 2,
    partSize: PART_SIZE,
    wrapBlobs: (store, instance) => (instance === 1 ? (secondStore = holdingCompletions(store)) : store),
    database: { maxConnections: REQUEST_CONNECTIONS },
  });
  event = await cloud.createEvent();
  token = await cloud.enrol(event.joinCode, 'laptop-uploader');
});
afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function start(base: string, bytes: Buffer, kind = 'preview', claimedSha = sha256(bytes), laptopToken = token) {
  return call(base, 'POST', '/sync/v1/blobs/uploads', {
    token: laptopToken,
    body: { sha256: claimedSha, size: bytes.length, kind, contentType: 'image/jpeg' },
  });
}

async function putPart(part: PartUrl, bytes: Buffer): Promise<{ partNumber: number; etag: string }> {
  const slice = bytes.subarray((part.partNumber - 1) * PART_SIZE, part.partNumber * PART_SIZE);
  const res = await fetch(part.url, {
    method: 'PUT',
    headers: { ...part.headers, 'content-type': 'application/octet-stream' },
    body: slice,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { partNumber: part.partNumber, etag: res.headers.get('etag')! };
}

async function missing(sha: string): Promise<string[]> {
  const res = await call(cloud.urls[0]!, 'POST', '/sync/v1/blobs/missing', { token, body: { sha256s: [sha] } });
  return (res.body as { missing: string[] }).missing;
}

/**
 * Completes a laptop's upload through the second instance, held inside the store's join while
 * `meanwhile` is sent (and released once it is answered, or after `hold.ms`): both answers.
 */
async function whileJoining<T>(
  uploadId: string,
  part: { partNumber: number; etag: string },
  laptopToken: string,
  meanwhile: () => Promise<T>,
): Promise<[Awaited<ReturnType<typeof call>>, T]> {
  let answered!: (v: unknown) => void;
  hold.release = new Promise((resolve) => (answered = resolve));
  const entered = new Promise<void>((resolve) => (hold.entered = () => resolve()));
  hold.uploadIds.add(uploadId);
  const completion = call(cloud.urls[1]!, 'POST', `/sync/v1/blobs/uploads/${uploadId}/complete`, {
    token: laptopToken,
    body: { parts: [part] },
  });
  await entered;
  const other = meanwhile().finally(() => answered(undefined));
  try {
    return await Promise.all([completion, other]);
  } finally {
    hold.entered = undefined;
  }
}

describe('blob uploads', () => {
  it('take a blob in parts, verify it, and stop listing it as missing', async () => {
    const bytes = randomBytes(PART_SIZE * 2 + 1000);
    expect(await missing(sha256(bytes))).toEqual([sha256(bytes)]);
    const started = await start(cloud.urls[0]!, bytes);
    expect(started.status).toBe(200);
    const upload = started.body as StartUploadResponse;
    expect(upload).toMatchObject({ partSize: PART_SIZE, partCount: 3 });
    expect(upload.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    const parts = await Promise.all(upload.parts.map((p) => putPart(p, bytes)));
    // Completed through the other instance: any instance finishes any upload.
    const done = await call(cloud.urls[1]!, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/complete`, { token, body: { parts } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toEqual({ sha256: sha256(bytes), size: bytes.length });
    expect(await missing(sha256(bytes))).toEqual([]);

    const again = await call(cloud.urls[0]!, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/complete`, { token, body: { parts } });
    expect(again.body).toEqual({ sha256: sha256(bytes), size: bytes.length });
    const audit = await cloud.db.pool.query("SELECT detail FROM uploads_audit WHERE what = 'blob' AND detail->>'sha256' = $1", [
      sha256(bytes),
    ]);
    expect(audit.rows).toEqual([{ detail: { sha256: sha256(bytes), kind: 'preview', size: bytes.length } }]);

    // A laptop that asked before the blob arrived still starts an upload: it completes at once.
    const late = (await start(cloud.urls[0]!, bytes)).body as StartUploadResponse;
    expect(late.uploadId).not.toBe(upload.uploadId);
    const lateDone = await call(cloud.urls[1]!, 'POST', `/sync/v1/blobs/uploads/${late.uploadId}/complete`, {
      token,
      body: { parts: [{ partNumber: 1, etag: 'never-sent' }] },
    });
    expect(lateDone.body).toEqual({ sha256: sha256(bytes), size: bytes.length });
    const blobs = await cloud.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM uploads_audit WHERE what = 'blob' AND detail->>'sha256' = $1",
      [sha256(bytes)],
    );
    expect(blobs.rows[0]!.n).toBe(1);
  });

  it('continue the open upload of a laptop that restarted mid-file, with fresh part addresses', async () => {
    const bytes = randomBytes(PART_SIZE * 3);
    const first = (await start(cloud.urls[0]!, bytes)).body as StartUploadResponse;
    const part1 = await putPart(first.parts[0]!, bytes);
    // The laptop restarts: it asks again, and is handed the same upload.
    const resumed = (await start(cloud.urls[1]!, bytes)).body as StartUploadResponse;
    expect(resumed.uploadId).toBe(first.uploadId);
    const more = await call(cloud.urls[1]!, 'POST', `/sync/v1/blobs/uploads/${resumed.uploadId}/part-urls`, {
      token,
      body: { partNumbers: [2, 3] },
    });
    expect(more.status).toBe(200);
    const rest = await Promise.all((more.body as { parts: PartUrl[] }).parts.map((p) => putPart(p, bytes)));
    const done = await call(cloud.urls[0]!, 'POST', `/sync/v1/blobs/uploads/${resumed.uploadId}/complete`, {
      token,
      body: { parts: [part1, ...rest] },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(await missing(sha256(bytes))).toEqual([]);
  });

  it('refuse part numbers beyond the upload', async () => {
    const bytes = randomBytes(100);
    const upload = (await start(cloud.urls[0]!, bytes)).body as StartUploadResponse;
    const res = await call(cloud.urls[0]!, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/part-urls`, {
      token,
      body: { partNumbers: [2] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'bad-part-number', message: "Part 2 is beyond this upload's 1 part(s)." });
  });

  it('refuse a completion that leaves out a part, and keep the upload open for it', async () => {
    const bytes = randomBytes(PART_SIZE * 2 + 1000);
    const upload = (await start(cloud.urls[0]!, bytes)).body as StartUploadResponse;
    const [p1, p2, p3] = upload.parts;
    const first = await putPart(p1!, bytes);
    const third = await putPart(p3!, bytes);
    // Joined without part 2, the blob would fail its hash and be deleted: a laptop that lost track
    // of its parts is told which, and nothing is stored or deleted.
    const short = await call(cloud.urls[0]!, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/complete`, {
      token,
      body: { parts: [first, third] },
    });
    expect(short.status).toBe(400);
    expect(short.body).toEqual({
      code: 'missing-parts',
      message: 'This upload has 3 part(s) and the completion leaves out part 2: send them and complete again, or start the upload again.',
    });
    const twice = await call(cloud.urls[0]!, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/complete`, {
      token,
      body: { parts: [first, first, third] },
    });
    expect(twice.body).toMatchObject({ code: 'missing-parts', message: expect.stringMatching(/lists a part twice/) });
    expect(await missing(sha256(bytes))).toEqual([sha256(bytes)]);

    const second = await putPart(p2!, bytes);
    const done = await call(cloud.urls[1]!, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/complete`, {
      token,
      body: { parts: [first, second, third] },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(await missing(sha256(bytes))).toEqual([]);
  });

  it('refuse a blob that does not match its hash, delete it, and open a new upload next time', async () => {
    const claimed = randomBytes(1000);
    const sent = randomBytes(1000);
    const upload = (await start(cloud.urls[0]!, claimed)).body as StartUploadResponse;
    const part = await putPart(upload.parts[0]!, sent);
    const res = await call(cloud.urls[0]!, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/complete`, {
      token,
      body: { parts: [part] },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'hash-mismatch' });
    expect((res.body as { message: string }).message).toMatch(/did not match its hash .*: send it again/);
    expect(await missing(sha256(claimed))).toEqual([sha256(claimed)]);
    const next = (await start(cloud.urls[0]!, claimed)).body as StartUploadResponse;
    expect(next.uploadId).not.toBe(upload.uploadId);
  });

  it("keep the copy one laptop stored when another laptop's upload of the same blob turns out damaged", async () => {
    const otherToken = await cloud.enrol(event.joinCode, 'laptop-second-photographer');
    const bytes = randomBytes(1000);
    const good = (await start(cloud.urls[0]!, bytes)).body as StartUploadResponse;
    const damaged = (await start(cloud.urls[1]!, bytes, 'preview', sha256(bytes), otherToken)).body as StartUploadResponse;
    expect(damaged.uploadId).not.toBe(good.uploadId);
    const goodPart = await putPart(good.parts[0]!, bytes);
    // The second laptop's file changed while it was being sent: same size, other bytes.
    const damagedPart = await putPart(damaged.parts[0]!, randomBytes(1000));

    // The damaged upload is being joined when the good one completes through the other instance.
    const [damagedRes, goodRes] = await whileJoining(damaged.uploadId, damagedPart, otherToken, () =>
      call(cloud.urls[0]!, 'POST', `/sync/v1/blobs/uploads/${good.uploadId}/complete`, { token, body: { parts: [goodPart] } }),
    );

    expect(damagedRes.status).toBe(422);
    expect(damagedRes.body).toMatchObject({ code: 'hash-mismatch' });
    expect(goodRes.status, JSON.stringify(goodRes.body)).toBe(200);
    expect(await missing(sha256(bytes))).toEqual([]);
    // The event counts the blob, and its bytes are there, unharmed, for galleries and exports.
    expect(await secondStore.sha256(blobKey(event.cloudEventId, sha256(bytes)))).toBe(sha256(bytes));
  });

  it("keep the copy one laptop sent in a bundle when another laptop's upload of the same blob turns out damaged", async () => {
    // One laptop sends a preview in a bundle while another, with other settings, uploads the same
    // preview in parts; the second laptop's file changed while it was being sent.
    const otherToken = await cloud.enrol(event.joinCode, 'laptop-third-photographer');
    const bytes = randomBytes(1500);
    const damaged = (await start(cloud.urls[1]!, bytes, 'preview', sha256(bytes), otherToken)).body as StartUploadResponse;
    const damagedPart = await putPart(damaged.parts[0]!, randomBytes(1500));

    // The damaged upload is being joined when the bundle arrives.
    const bundle = Buffer.concat(
      encodeBundle([{ entry: { sha256: sha256(bytes), size: bytes.length, kind: 'preview', contentType: 'image/jpeg' }, bytes }]),
    );
    const [damagedRes, bundleRes] = await whileJoining(damaged.uploadId, damagedPart, otherToken, async () => {
      const res = await fetch(`${cloud.urls[0]!}/sync/v1/blobs/bundles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': BUNDLE_CONTENT_TYPE },
        body: bundle,
      });
      return { status: res.status, body: (await res.json()) as BundleResponse };
    });

    expect(damagedRes.status).toBe(422);
    expect(damagedRes.body).toMatchObject({ code: 'hash-mismatch' });
    expect(bundleRes.status).toBe(200);
    expect(bundleRes.body).toEqual({ stored: [sha256(bytes)], refused: [] });
    expect(await missing(sha256(bytes))).toEqual([]);
    // The event counts the preview, and its bytes are there for the attendees' galleries.
    expect(await secondStore.sha256(blobKey(event.cloudEventId, sha256(bytes)))).toBe(sha256(bytes));
  });

  it('answer other requests while more laptops complete uploads than the endpoint has connections for requests', async () => {
    // Three photographers' laptops finish an original each; the store takes its time joining them
    // (on S3 the endpoint reads each one back to hash it).
    const uploads = await Promise.all(
      Array.from({ length: REQUEST_CONNECTIONS + 1 }, async () => {
        const bytes = randomBytes(2000);
        const upload = (await start(cloud.urls[1]!, bytes)).body as StartUploadResponse;
        return { bytes, upload, part: await putPart(upload.parts[0]!, bytes) };
      }),
    );
    let answered!: (v: unknown) => void;
    hold.release = new Promise((resolve) => (answered = resolve));
    hold.ms = 5000;
    const joining = new Set<string>();
    const allJoining = new Promise<void>((resolve) => {
      hold.entered = (uploadId) => {
        joining.add(uploadId);
        if (joining.size === uploads.length) resolve();
      };
    });
    for (const u of uploads) hold.uploadIds.add(u.upload.uploadId);
    let completed = 0;
    const completions = uploads.map((u) =>
      call(cloud.urls[1]!, 'POST', `/sync/v1/blobs/uploads/${u.upload.uploadId}/complete`, { token, body: { parts: [u.part] } }).finally(
        () => completed++,
      ),
    );
    await Promise.race([allJoining, sleep(1000)]);

    // Meanwhile another laptop asks what the event lacks (an attendee's gallery asks alike).
    const asked = call(cloud.urls[1]!, 'POST', '/sync/v1/blobs/missing', { token, body: { sha256s: [sha256(uploads[0]!.bytes)] } });
    const answer = await asked;
    const completedMeanwhile = completed;
    answered(undefined);
    hold.ms = 1500;
    hold.entered = undefined;

    expect(answer.status).toBe(200);
    expect(joining.size, 'every completion was being joined at once').toBe(uploads.length);
    expect(completedMeanwhile, 'the request was answered only once completions let go of their connections').toBe(0);
    const done = await Promise.all(completions);
    expect(done.map((r) => r.status)).toEqual(uploads.map(() => 200));
    expect(await missing(sha256(uploads[2]!.bytes))).toEqual([]);
  });

  it('take originals only once the organiser opts the event in', async () => {
    const bytes = randomBytes(500);
    const refused = await start(cloud.urls[0]!, bytes, 'original');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'originals-not-accepted' });
    const optIn = await call(cloud.urls[1]!, 'PATCH', `/cloud-api/events/${event.cloudEventId}/settings`, {
      token: event.organiserToken,
      body: { uploadOriginals: true },
    });
    expect(optIn.body).toEqual({ uploadOriginals: true, cloudFaceSearch: false });
    const policy = await call(cloud.urls[0]!, 'GET', '/sync/v1/event', { token });
    expect(policy.body).toMatchObject({ uploadOriginals: true });
    expect((await start(cloud.urls[0]!, bytes, 'original')).status).toBe(200);
  });
});
