// What the laptop makes of an endpoint's answers, over real HTTP to a small server on loopback
// that answers as a busy, refusing or broken endpoint would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudClient, SyncRequestError } from '../../../src/sync/cloud-client.js';

type Answer = { status: number; body?: unknown; headers?: Record<string, string>; destroy?: boolean };
let answer: Answer = { status: 200 };
const seen: { method: string; url: string; headers: Record<string, unknown>; bytes: number }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, bytes });
      if (answer.destroy) return req.socket.destroy();
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const TOKEN = 't'.repeat(43);
const failureOf = async (call: () => Promise<unknown>): Promise<SyncRequestError> => {
  const err = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SyncRequestError);
  return err as SyncRequestError;
};

describe("the laptop's reading of the endpoint's answers", () => {
  it('waits as the endpoint asks when it is busy (429 with Retry-After)', async () => {
    answer = { status: 429, body: { code: 'busy', message: 'Too many requests' }, headers: { 'retry-after': '3' } };
    const client = createCloudClient(base, TOKEN);
    const err = await failureOf(() => client.missingBlobs(['a'.repeat(64)]));
    expect(err).toMatchObject({ kind: 'busy', status: 429, retryAfterMs: 3000 });
    client.close();
  });

  it("keeps the endpoint's own words for a refusal that retrying cannot fix", async () => {
    answer = { status: 413, body: { code: 'too-large', message: 'Batch too large: send at most 500 operations / 2 MiB per batch' } };
    const client = createCloudClient(base, TOKEN);
    const err = await failureOf(() => client.postBatch('{"ops":[]}', 'dev-1-1'));
    expect(err).toMatchObject({ kind: 'refused', status: 413, code: 'too-large' });
    expect(err.message).toMatch(/answered 413: Batch too large/);
    client.close();
  });

  it('says what to do when this laptop’s access was revoked', async () => {
    answer = { status: 401, body: { code: 'unauthorised', message: 'Unknown or revoked device token' } };
    const client = createCloudClient(base, TOKEN);
    const err = await failureOf(() => client.event());
    expect(err.kind).toBe('revoked');
    expect(err.message).toMatch(/revoked or is wrong: enrol again with a new join code/);
    client.close();
  });

  it('treats a connection cut before any answer as offline', async () => {
    answer = { status: 200, destroy: true };
    const client = createCloudClient(base, TOKEN);
    const err = await failureOf(() => client.deliveries());
    expect(err.kind).toBe('offline');
    client.close();
  });

  it('refuses an answer that is not the protocol, naming what is wrong', async () => {
    answer = { status: 200, body: { hello: 'world' } };
    const client = createCloudClient(base, TOKEN);
    const err = await failureOf(() => client.event());
    expect(err).toMatchObject({ kind: 'refused', code: 'bad-answer' });
    expect(err.message).toMatch(/not what this version of Shutterfind expects/);
    client.close();
  });

  it('sends the device token to the endpoint, and a part with only the headers it was given', async () => {
    answer = { status: 200, body: { missing: [] }, headers: { etag: '"abc"' } };
    const client = createCloudClient(base, TOKEN);
    seen.length = 0;
    await client.missingBlobs(['a'.repeat(64)]);
    expect(seen.shift()!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    const etag = await client.putPart(
      { partNumber: 1, url: `${base}/blob-parts/u/1?sig=x`, headers: { 'x-signed': 'yes' } },
      Buffer.alloc(1234, 7),
    );
    expect(etag).toBe('"abc"');
    const put = seen[0]!;
    expect(put).toMatchObject({ method: 'PUT', bytes: 1234 });
    expect(put.headers['x-signed']).toBe('yes');
    expect(put.headers['authorization']).toBeUndefined();
    expect(put.headers['content-type']).toBeUndefined();
    client.close();
  });
});
