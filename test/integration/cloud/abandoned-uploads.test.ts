// A laptop that vanishes mid-upload leaves parts in the directory blob store: the sweep removes an
// upload nothing was written to for 48 hours (its folder and its open row), keeps a recent one,
// and a laptop coming back to a swept upload is told to start that file again. `cloud serve`
// sweeps at start. Real PostgreSQL, real HTTP part PUTs, real files with their mtimes set back.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartUrl, StartUploadResponse } from '../../../src/api/index.js';
import { abandonedUploads, sweepAbandonedUploads } from '../../../src/cloud/abandoned-uploads.js';
import { openBlobStore, type OpenDirectoryUpload } from '../../../src/cloud/blobs/index.js';
import { startCloudServer, type CreatedCloudEvent } from '../../../src/cloud/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import { call, freePort, startCloudHarness, type CloudHarness } from './cloud-harness.js';

const HOUR = 3600_000;
const PART_SIZE = 64 * 1024;
const SIGNING_SECRET = 'test-signing-secret-shared-by-instances';

describe('which uploads are abandoned', () => {
  const now = new Date('2026-06-03T12:00:00.000Z');
  const upload = (id: string, hoursAgo: number): OpenDirectoryUpload => ({
    uploadId: id,
    key: `events/e/${id}`,
    lastWrittenAt: new Date(now.getTime() - hoursAgo * HOUR),
  });
  it.each([
    ['written to a minute ago', 1 / 60, false],
    ['idle for a day', 24, false],
    ['idle for just under two days', 47.99, false],
    ['idle for two days', 48, true],
    ['idle for a week', 24 * 7, true],
  ])('an upload %s is swept: %s', (_what, hoursAgo, swept) => {
    expect(abandonedUploads([upload('u', hoursAgo)], now).map((u) => u.uploadId)).toEqual(swept ? ['u'] : []);
  });
});

let postgres: TestPostgres;
let cloud: CloudHarness;
let event: CreatedCloudEvent;
let token: string;
let base: string;

beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres, { partSize: PART_SIZE });
  base = cloud.urls[0]!;
  event = await cloud.createEvent();
  token = await cloud.enrol(event.joinCode, 'laptop-vanishing');
});
afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function startUpload(bytes: Buffer): Promise<StartUploadResponse> {
  const res = await call(base, 'POST', '/sync/v1/blobs/uploads', {
    token,
    body: { sha256: sha256(bytes), size: bytes.length, kind: 'preview', contentType: 'image/jpeg' },
  });
  expect(res.status).toBe(200);
  return res.body as StartUploadResponse;
}

const putPart = (part: PartUrl, bytes: Buffer) =>
  fetch(part.url, {
    method: 'PUT',
    headers: { ...part.headers, 'content-type': 'application/octet-stream' },
    body: bytes.subarray((part.partNumber - 1) * PART_SIZE, part.partNumber * PART_SIZE),
  });

/** Sets every file of an upload folder (and the folder) back `hours`, as if the laptop left then. */
async function ageUpload(uploadsDir: string, uploadId: string, hours: number): Promise<void> {
  const folder = join(uploadsDir, uploadId);
  const then = new Date(Date.now() - hours * HOUR);
  for (const name of await readdir(folder)) await utimes(join(folder, name), then, then);
  await utimes(folder, then, then);
}

const openRows = async () =>
  (await cloud.db.pool.query<{ upload_id: string }>('SELECT upload_id FROM blob_uploads WHERE completed_at IS NULL')).rows.map(
    (r) => r.upload_id,
  );

describe('the sweep of abandoned uploads', () => {
  it('removes an upload left with parts two days ago and keeps one written to an hour ago; the laptop coming back starts that file again', async () => {
    const storeDir = join(cloud.blobDir, 'store');
    const uploadsDir = join(storeDir, '.uploads');
    const leftBytes = randomBytes(PART_SIZE * 2 + 10);
    const recentBytes = randomBytes(PART_SIZE * 2 + 20);
    const left = await startUpload(leftBytes);
    const recent = await startUpload(recentBytes);
    expect((await putPart(left.parts[0]!, leftBytes)).status).toBe(200);
    expect((await putPart(recent.parts[0]!, recentBytes)).status).toBe(200);
    await ageUpload(uploadsDir, left.uploadId, 50);
    await ageUpload(uploadsDir, recent.uploadId, 1);

    const store = openBlobStore(storeDir, { publicBaseUrl: base, signingSecret: SIGNING_SECRET });
    const sweep = await sweepAbandonedUploads({ db: cloud.db, blobs: store });
    expect(sweep).toEqual({ removed: [left.uploadId], forgotten: 1 });
    expect((await readdir(uploadsDir)).sort()).toEqual([recent.uploadId]);
    expect(await openRows()).toEqual([recent.uploadId]);

    // The laptop wakes up: its next part, its part addresses and its completion all say "start again".
    const part = await putPart(left.parts[1]!, leftBytes);
    expect(part.status).toBe(404);
    expect(await part.json()).toMatchObject({ code: 'no-such-upload', message: expect.stringMatching(/start the upload again/) });
    const more = await call(base, 'POST', `/sync/v1/blobs/uploads/${left.uploadId}/part-urls`, { token, body: { partNumbers: [2] } });
    expect(more.status).toBe(404);
    expect(more.body).toMatchObject({ code: 'no-such-upload', message: expect.stringMatching(/start the upload again/) });
    const done = await call(base, 'POST', `/sync/v1/blobs/uploads/${left.uploadId}/complete`, {
      token,
      body: { parts: [{ partNumber: 1, etag: 'x' }] },
    });
    expect(done.status).toBe(404);

    // Starting the file again opens a new upload, which completes.
    const again = await startUpload(leftBytes);
    expect(again.uploadId).not.toBe(left.uploadId);
    const parts = [];
    for (const p of again.parts) {
      const res = await putPart(p, leftBytes);
      expect(res.status).toBe(200);
      parts.push({ partNumber: p.partNumber, etag: res.headers.get('etag')! });
    }
    const completed = await call(base, 'POST', `/sync/v1/blobs/uploads/${again.uploadId}/complete`, { token, body: { parts } });
    expect(completed.status).toBe(200);

    // The recent upload goes on as if nothing happened.
    expect((await putPart(recent.parts[1]!, recentBytes)).status).toBe(200);
  });

  it('runs when `cloud serve` starts: an upload folder left three days ago is gone once the endpoint is up', async () => {
    const dir = await makeTempDir('shutterfind-cloud-sweep-');
    const storeDir = join(dir, 'store');
    const uploadId = 'LeftBehindUpload0000000A';
    const folder = join(storeDir, '.uploads', uploadId);
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, 'upload.json'),
      JSON.stringify({ key: 'events/e/x', contentType: 'image/jpeg', startedAt: '2026-01-01T00:00:00Z' }),
    );
    await writeFile(join(folder, '00001.part'), randomBytes(1000));
    await ageUpload(join(storeDir, '.uploads'), uploadId, 72);

    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    const server = await startCloudServer({
      databaseUrl: await postgres.createDatabase(),
      blobs: openBlobStore(storeDir, { publicBaseUrl, signingSecret: SIGNING_SECRET }),
      publicBaseUrl,
      port,
    });
    try {
      await waitFor(
        async () => (await readdir(join(storeDir, '.uploads'))).length === 0,
        'the start-up sweep to remove the old upload',
        10_000,
      );
    } finally {
      await server.close();
      await removeDir(dir);
    }
  });
});
