// Batches of operations against a real endpoint and a real PostgreSQL: applied once, in order,
// whatever the laptop resends; gaps, malformed and oversized batches refused with a clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES } from '../../../src/api/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { call, hlc, photoPut, photoPuts, postBatch, sha, startCloudHarness, type CloudHarness } from './cloud-harness.js';

let postgres: TestPostgres;
let cloud: CloudHarness;
let base: string;

beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres);
  base = cloud.urls[0]!;
});
afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

async function newLaptop(deviceId: string): Promise<string> {
  const event = await cloud.createEvent();
  return cloud.enrol(event.joinCode, deviceId);
}

const photoCount = async (token: string) => {
  const { rows } = await cloud.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM photos p JOIN devices d ON d.cloud_event_id = p.cloud_event_id WHERE d.token_hash = encode(sha256($1::bytea), $2)',
    [token, 'hex'],
  );
  return rows[0]!.n;
};

describe('batches of operations', () => {
  it('apply a batch once, and answer a replay with the same key with the stored response', async () => {
    const token = await newLaptop('laptop-replay-1');
    const ops = photoPuts(1, 3, 'laptop-replay-1');
    const first = await postBatch(base, token, 'batch-0001', ops);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ applied: 3, skipped: 0, nextSeq: 4 });

    const replay = await postBatch(base, token, 'batch-0001', ops);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ applied: 3, skipped: 0, nextSeq: 4 });
    expect(await photoCount(token)).toBe(3);
  });

  it('skip the operations it already has when a new batch overlaps an applied one', async () => {
    const token = await newLaptop('laptop-overlap');
    await postBatch(base, token, 'overlap-a', photoPuts(1, 5, 'laptop-overlap'));
    const overlap = await postBatch(base, token, 'overlap-b', photoPuts(3, 6, 'laptop-overlap'));
    expect(overlap.body).toEqual({ applied: 3, skipped: 3, nextSeq: 9 });
    expect(await photoCount(token)).toBe(8);
  });

  it('refuse a batch that starts after the expected position with 409 and the seq it expects', async () => {
    const token = await newLaptop('laptop-gap-01');
    await postBatch(base, token, 'gap-a', photoPuts(1, 2, 'laptop-gap-01'));
    const gap = await postBatch(base, token, 'gap-b', photoPuts(5, 2, 'laptop-gap-01'));
    expect(gap.status).toBe(409);
    expect(gap.body).toMatchObject({ code: 'gap', expectedSeq: 3 });
    expect((gap.body as { message: string }).message).toMatch(/expects seq 3/);
    // Nothing of the refused batch was applied, and the laptop can fill the gap.
    expect(await photoCount(token)).toBe(2);
    const filled = await postBatch(base, token, 'gap-c', photoPuts(3, 4, 'laptop-gap-01'));
    expect(filled.body).toEqual({ applied: 4, skipped: 0, nextSeq: 7 });
  });

  it('refuse a malformed batch with 400 and a sentence naming the bad field', async () => {
    const token = await newLaptop('laptop-malformed');
    const bad = await postBatch(base, token, 'bad-1', [{ ...photoPut(1, hlc(1, 'laptop-malformed'), 1), sha256: 'not-a-hash' } as never]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'bad-request' });
    expect((bad.body as { message: string }).message).toMatch(/ops\.0\.sha256: a lowercase hex SHA-256/);

    const notJson = await call(base, 'POST', '/sync/v1/batches', {
      token,
      rawBody: '{"ops": [',
      headers: { 'idempotency-key': 'bad-2-json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ code: 'bad-request' });

    const noKey = await call(base, 'POST', '/sync/v1/batches', { token, body: { ops: photoPuts(1, 1, 'laptop-malformed') } });
    expect(noKey.status).toBe(400);
    expect(noKey.body).toMatchObject({ code: 'idempotency-key-required' });

    const unordered = await postBatch(base, token, 'bad-3-order', [
      ...photoPuts(2, 1, 'laptop-malformed'),
      ...photoPuts(1, 1, 'laptop-malformed'),
    ]);
    expect(unordered.status).toBe(400);
    expect((unordered.body as { message: string }).message).toMatch(/consecutive sequence numbers/);
    expect(await photoCount(token)).toBe(0);
  });

  it('refuse a batch of 501 operations with 400 saying the limit', async () => {
    const token = await newLaptop('laptop-many-ops');
    const res = await postBatch(base, token, 'many-ops', photoPuts(1, 501, 'laptop-many-ops'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'too-many-operations', message: 'Batch too large: send at most 500 operations / 2 MiB per batch.' });
  });

  it('refuse a body over 2 MiB with 413 saying the limit', async () => {
    const token = await newLaptop('laptop-oversized');
    const huge = JSON.stringify({ ops: photoPuts(1, 1, 'laptop-oversized'), padding: 'x'.repeat(MAX_BATCH_BYTES) });
    const res = await call(base, 'POST', '/sync/v1/batches', { token, rawBody: huge, headers: { 'idempotency-key': 'huge-batch' } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 'too-large', message: 'Batch too large: send at most 500 operations / 2 MiB per batch.' });
  });

  it('keep the cursor when the same laptop enrols again, and refuse its old token', async () => {
    const event = await cloud.createEvent();
    const oldToken = await cloud.enrol(event.joinCode, 'laptop-reenrol');
    await postBatch(base, oldToken, 'reenrol-a', photoPuts(1, 4, 'laptop-reenrol'));
    const again = await call(base, 'POST', '/sync/v1/enrol', {
      body: { joinCode: event.joinCode, deviceId: 'laptop-reenrol', deviceName: 'Laptop' },
    });
    expect(again.body).toMatchObject({ nextSeq: 5, cloudEventId: event.cloudEventId });
    const newToken = (again.body as { deviceToken: string }).deviceToken;
    expect((await postBatch(base, oldToken, 'reenrol-b', photoPuts(5, 1, 'laptop-reenrol'))).status).toBe(401);
    expect((await postBatch(base, newToken, 'reenrol-c', photoPuts(5, 1, 'laptop-reenrol'))).body).toEqual({
      applied: 1,
      skipped: 0,
      nextSeq: 6,
    });
  });

  it('apply the operations of one batch in their order, a photo put, removed and put again included', async () => {
    const event = await cloud.createEvent();
    const device = 'laptop-ordering';
    const token = await cloud.enrol(event.joinCode, device);
    const at = (n: number) => hlc(1_750_000_000_000 + n, device);
    const thumb = { sha256: 'a'.repeat(64), size: 10 };
    const res = await postBatch(base, token, 'ordering-1', [
      photoPut(1, at(1), 'kept'),
      photoPut(2, at(2), 'kept', { thumb }),
      { seq: 3, hlc: at(3), kind: 'photo.remove', sha256: sha('kept') },
      photoPut(4, at(4), 'other'),
      photoPut(5, at(5), 'kept'),
      photoPut(6, at(6), 'gone'),
      { seq: 7, hlc: at(7), kind: 'photo.remove', sha256: sha('gone') },
    ]);
    expect(res.body).toEqual({ applied: 7, skipped: 0, nextSeq: 8 });
    const { rows } = await cloud.db.pool.query<{ sha256: string; thumb: string | null; removed: boolean }>(
      `SELECT p.sha256, p.thumb_sha256 AS thumb, s.removed_hlc IS NOT NULL AS removed
       FROM photos p JOIN photo_sources s ON s.photo_id = p.id WHERE p.cloud_event_id = $1 ORDER BY p.file_name`,
      [event.cloudEventId],
    );
    expect(rows).toEqual([
      { sha256: sha('gone'), thumb: null, removed: true },
      { sha256: sha('kept'), thumb: thumb.sha256, removed: false },
      { sha256: sha('other'), thumb: null, removed: false },
    ]);
  });

  it('apply the face puts of one batch as sent: a face before its photo, the same face twice, a face removed then sent with an older stamp', async () => {
    const event = await cloud.createEvent({ cloudFaceSearch: true });
    const device = 'laptop-faces';
    const token = await cloud.enrol(event.joinCode, device);
    const at = (n: number) => hlc(1_750_000_000_000 + n, device);
    const descriptor = Buffer.from(new Float32Array([0.5, -0.25]).buffer).toString('base64');
    const face = (seq: number, stamp: number, faceId: number, photo: string, x: number, personId: number | null = null) => ({
      seq,
      hlc: at(stamp),
      kind: 'face.put' as const,
      faceId,
      photoSha256: sha(photo),
      box: [x, 20, 30, 40] as [number, number, number, number],
      personId,
      descriptor,
    });
    const res = await postBatch(base, token, 'faces-1', [
      // A face whose photo comes later in the batch: the photo is made, then filled in by its put.
      face(1, 1, 101, 'later', 1),
      face(2, 2, 102, 'later', 2, 7),
      // The same face twice in one run: the second (later stamp) wins.
      face(3, 3, 101, 'later', 3),
      photoPut(4, at(4), 'later'),
      face(5, 5, 103, 'other', 5),
      { seq: 6, hlc: at(6), kind: 'face.remove', faceId: 103 },
      // Sent again with a stamp older than its removal: it stays removed.
      face(7, 4, 103, 'other', 7),
    ]);
    expect(res.body).toEqual({ applied: 7, skipped: 0, nextSeq: 8 });
    const { rows } = await cloud.db.pool.query<{
      local_id: string;
      photo: string;
      box: number[];
      person: string | null;
      removed: boolean;
      descriptor: Buffer | null;
    }>(
      `SELECT f.local_id, p.file_name AS photo, f.box, f.person_local_id AS person, f.removed_hlc IS NOT NULL AS removed, f.descriptor
       FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.cloud_event_id = $1 ORDER BY f.local_id`,
      [event.cloudEventId],
    );
    expect(rows.map((r) => ({ ...r, descriptor: r.descriptor?.toString('base64') ?? null }))).toEqual([
      { local_id: 101, photo: 'IMG_later.JPG', box: [3, 20, 30, 40], person: null, removed: false, descriptor },
      { local_id: 102, photo: 'IMG_later.JPG', box: [2, 20, 30, 40], person: 7, removed: false, descriptor },
      { local_id: 103, photo: sha('other'), box: [5, 20, 30, 40], person: null, removed: true, descriptor },
    ]);
  });

  it('record each applied batch in the upload audit with its counts by kind', async () => {
    const event = await cloud.createEvent();
    const token = await cloud.enrol(event.joinCode, 'laptop-audit');
    await postBatch(base, token, 'audit-1', [
      ...photoPuts(1, 2, 'laptop-audit'),
      { seq: 3, hlc: hlc(1_750_000_000_100, 'laptop-audit'), kind: 'person.put', personId: 1, name: 'Ana', doNotPublish: false },
    ]);
    await postBatch(base, token, 'audit-1', photoPuts(1, 2, 'laptop-audit'));
    const { rows } = await cloud.db.pool.query('SELECT what, detail FROM uploads_audit WHERE cloud_event_id = $1', [event.cloudEventId]);
    expect(rows).toEqual([
      { what: 'ops', detail: { idempotencyKey: 'audit-1', firstSeq: 1, lastSeq: 3, counts: { 'photo.put': 2, 'person.put': 1 } } },
    ]);
  });
});
