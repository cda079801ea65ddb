// Small blobs many to a request: a bundle's blobs are each checked against their hash and stored
// (or refused) on their own, a bundle sent again stores nothing twice, and a malformed, oversized
// or unauthenticated bundle is refused with a sentence before anything is kept. Real endpoint,
// real PostgreSQL, the directory blob store on disk.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_CONTENT_TYPE, encodeBundle, type BlobKind, type BundleResponse } from '../../../src/api/index.js';
import { blobKey } from '../../../src/cloud/blobs/index.js';
import type { CreatedCloudEvent } from '../../../src/cloud/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { call, startCloudHarness, type CloudHarness } from './cloud-harness.js';

const PART_SIZE = 64 * 1024;

let postgres: TestPostgres;
let cloud: CloudHarness;
let event: CreatedCloudEvent;
let token: string;

beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres, { instances: 2, partSize: PART_SIZE });
  event = await cloud.createEvent();
  token = await cloud.enrol(event.joinCode, 'laptop-bundler');
});
afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const blob = (bytes: Buffer, kind: BlobKind = 'thumb', claimed = sha256(bytes)) => ({
  entry: { sha256: claimed, size: bytes.length, kind, contentType: kind === 'thumb' ? 'image/webp' : 'image/jpeg' },
  bytes,
});

async function send(base: string, body: Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/sync/v1/blobs/bundles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': BUNDLE_CONTENT_TYPE, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown };
}

async function missing(sha256s: string[]): Promise<string[]> {
  const res = await call(cloud.urls[0]!, 'POST', '/sync/v1/blobs/missing', { token, body: { sha256s } });
  return (res.body as { missing: string[] }).missing;
}

const storedBytes = (sha: string) => readFile(join(cloud.blobDir, 'store', blobKey(event.cloudEventId, sha)));
const auditRows = async (sha: string) =>
  (await cloud.db.pool.query("SELECT detail FROM uploads_audit WHERE what = 'blob' AND detail->>'sha256' = $1", [sha])).rows;

describe('blob bundles', () => {
  it('are offered to laptops, for blobs that fit in one part', async () => {
    const policy = await call(cloud.urls[0]!, 'GET', '/sync/v1/event', { token });
    expect(policy.body).toMatchObject({ blobBundles: { maxBlobBytes: PART_SIZE, maxBundleBytes: 8 * 1024 * 1024, maxBlobs: 500 } });
  });

  it('store every blob of a bundle, byte for byte, and a bundle sent again stores nothing twice', async () => {
    const blobs = [blob(randomBytes(30_000)), blob(randomBytes(12_345)), blob(randomBytes(60_000), 'preview')];
    const shas = blobs.map((b) => b.entry.sha256);
    expect(await missing(shas)).toEqual(shas);
    const body = Buffer.concat(encodeBundle(blobs));
    const res = await send(cloud.urls[0]!, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ stored: shas, refused: [] });
    expect(await missing(shas)).toEqual([]);
    for (const b of blobs) expect(sha256(await storedBytes(b.entry.sha256))).toBe(b.entry.sha256);
    expect(await auditRows(shas[0]!)).toEqual([{ detail: { sha256: shas[0], kind: 'thumb', size: 30_000, bundled: true } }]);

    // The answer was lost and the laptop sends the same bundle, through the other instance.
    const again = await send(cloud.urls[1]!, body);
    expect(again.body).toEqual({ stored: shas, refused: [] });
    for (const sha of shas) expect(await auditRows(sha)).toHaveLength(1);
  });

  it('refuse the one blob whose bytes do not match its hash, and store the others', async () => {
    const good = blob(randomBytes(20_000));
    const claimed = randomBytes(20_000);
    const bad = blob(randomBytes(20_000), 'thumb', sha256(claimed));
    const res = await send(cloud.urls[0]!, Buffer.concat(encodeBundle([good, bad])));
    expect(res.status).toBe(200);
    const answer = res.body as BundleResponse;
    expect(answer.stored).toEqual([good.entry.sha256]);
    expect(answer.refused).toEqual([
      { sha256: sha256(claimed), code: 'hash-mismatch', message: expect.stringMatching(/do not have the SHA-256/) },
    ]);
    expect(await missing([good.entry.sha256, sha256(claimed)])).toEqual([sha256(claimed)]);
    await expect(storedBytes(sha256(claimed))).rejects.toThrow(/ENOENT/);
  });

  it('refuse originals the event does not accept and blobs too large for a bundle', async () => {
    const original = blob(randomBytes(1000), 'original');
    const large = blob(randomBytes(PART_SIZE + 1), 'preview');
    const thumb = blob(randomBytes(1000));
    const res = await send(cloud.urls[0]!, Buffer.concat(encodeBundle([original, large, thumb])));
    const answer = res.body as BundleResponse;
    expect(answer.stored).toEqual([thumb.entry.sha256]);
    expect(answer.refused.map((r) => [r.sha256, r.code])).toEqual([
      [original.entry.sha256, 'originals-not-accepted'],
      [large.entry.sha256, 'blob-too-large-for-bundle'],
    ]);
    expect(await missing([original.entry.sha256, large.entry.sha256])).toHaveLength(2);
  });

  it('refuse a bundle whose sizes do not add up, keeping nothing of it', async () => {
    const a = blob(randomBytes(5000));
    const body = Buffer.concat(encodeBundle([a]));
    const res = await send(cloud.urls[0]!, body.subarray(0, body.length - 10));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'bad-bundle',
      message: "The bundle's blobs add up to 5000 bytes but 4990 follow the manifest: nothing of it was stored.",
    });
    const notJson = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{{{')]);
    expect((await send(cloud.urls[0]!, notJson)).body).toEqual({ code: 'bad-bundle', message: 'The bundle manifest is not JSON.' });
    const lengthBeyond = Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    expect((await send(cloud.urls[0]!, lengthBeyond)).body).toMatchObject({ code: 'bad-bundle' });
    expect(await missing([a.entry.sha256])).toEqual([a.entry.sha256]);
  });

  it('refuse an oversized bundle with a sentence, and any bundle without a valid device token', async () => {
    const huge = Buffer.alloc(9 * 1024 * 1024);
    const tooLarge = await send(cloud.urls[0]!, huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toEqual({ code: 'too-large', message: expect.stringMatching(/^Bundle too large: send at most 8388608 bytes/) });

    const a = blob(randomBytes(1000));
    const res = await fetch(`${cloud.urls[0]}/sync/v1/blobs/bundles`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-real-token-not-a-real-token-xx', 'content-type': BUNDLE_CONTENT_TYPE },
      body: Buffer.concat(encodeBundle([a])),
    });
    expect(res.status).toBe(401);
    expect(await missing([a.entry.sha256])).toEqual([a.entry.sha256]);
  });
});
