// Strangers guessing the cloud's secrets from the internet: join codes at enrolment, organiser
// tokens, gallery links. An address that keeps guessing wrong is locked out for a while (429, a
// sentence, Retry-After); a right guess never counts, so other addresses, and a whole venue behind
// one NAT opening real galleries, go on as before. Each client here is a real socket from its own
// loopback address (127.0.0.x), or, behind `--trust-proxy`, a proxy's X-Forwarded-For.
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBlobStore } from '../../../src/cloud/blobs/index.js';
import { createCloudEvent, startCloudServer, type CloudServer, type CreatedCloudEvent } from '../../../src/cloud/index.js';
import { hashSecret, newToken } from '../../../src/config/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import { freePort, photoPuts, postBatch, sha, startCloudHarness, type CloudHarness } from './cloud-harness.js';

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** One request over a socket of its own, from `from` (a loopback address), as a client elsewhere on the internet. */
function callFrom(
  from: string,
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { connection: 'close', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  } else if (opts.form) {
    body = new URLSearchParams(opts.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers, localAddress: from }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // An HTML page: the test reads the text.
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const WRONG_JOIN_CODE = 'WRONG-CODE-0000';
const enrolBody = (joinCode: string, deviceId: string) => ({ joinCode, deviceId, deviceName: 'Laptop' });

function expectLockedOut(answer: Answer, sentence: RegExp): void {
  expect(answer.status).toBe(429);
  const retryAfter = Number(answer.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(answer.body).toMatchObject({ code: 'rate-limited' });
  expect((answer.body as { message: string }).message).toMatch(sentence);
}

let postgres: TestPostgres;
let cloud: CloudHarness;
let base: string;
let event: CreatedCloudEvent;

beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres);
  base = cloud.urls[0]!;
  event = await cloud.createEvent({ name: 'Harbour Gala' });
});
afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

describe('join codes at enrolment', () => {
  it('lock out the 11th wrong join code from one address within a minute, while the right code from another address still enrols', async () => {
    const guesser = '127.0.0.11';
    for (let i = 0; i < 10; i++) {
      const wrong = await callFrom(guesser, base, 'POST', '/sync/v1/enrol', {
        body: enrolBody(`${WRONG_JOIN_CODE}${i}`, `guess-${i}-0000`),
      });
      expect(wrong.status).toBe(403);
    }
    const eleventh = await callFrom(guesser, base, 'POST', '/sync/v1/enrol', { body: enrolBody(WRONG_JOIN_CODE, 'guess-11-0000') });
    expectLockedOut(
      eleventh,
      /Too many wrong join codes from this address: wait (\d+ seconds?|1 minute), then type the code the organiser gave you\./,
    );
    // Locked out even with the right code: the guesser learns nothing more this minute.
    const rightFromGuesser = await callFrom(guesser, base, 'POST', '/sync/v1/enrol', { body: enrolBody(event.joinCode, 'guess-12-0000') });
    expect(rightFromGuesser.status).toBe(429);

    const photographer = await callFrom('127.0.0.12', base, 'POST', '/sync/v1/enrol', {
      body: enrolBody(event.joinCode, 'laptop-photographer'),
    });
    expect(photographer.status).toBe(200);
    expect(photographer.body).toMatchObject({ deviceToken: expect.any(String) });
  });

  it('never count a right join code: twenty laptops of one studio enrol from one address', async () => {
    for (let i = 0; i < 20; i++) {
      const enrolled = await callFrom('127.0.0.13', base, 'POST', '/sync/v1/enrol', {
        body: enrolBody(event.joinCode, `studio-laptop-${i}`),
      });
      expect(enrolled.status).toBe(200);
    }
  });
});

describe('organiser tokens', () => {
  it('lock out an address trying wrong organiser tokens on the API and the page, while the real organiser elsewhere signs in', async () => {
    const guesser = '127.0.0.21';
    const eventPath = `/cloud-api/events/${event.cloudEventId}`;
    for (let i = 0; i < 6; i++) {
      const wrong = await callFrom(guesser, base, 'GET', eventPath, { headers: { authorization: `Bearer ${newToken()}` } });
      expect(wrong.status).toBe(401);
    }
    // The page's sign-in form counts against the same address.
    for (let i = 0; i < 4; i++) {
      const wrong = await callFrom(guesser, base, 'POST', `/organiser/${event.cloudEventId}/sign-in`, { form: { token: newToken() } });
      expect(wrong.status).toBe(401);
    }
    const eleventh = await callFrom(guesser, base, 'GET', eventPath, { headers: { authorization: `Bearer ${newToken()}` } });
    expectLockedOut(
      eleventh,
      /Too many wrong organiser tokens from this address: wait (\d+ seconds?|1 minute), then use the token printed when the event was created\./,
    );
    const onThePage = await callFrom(guesser, base, 'POST', `/organiser/${event.cloudEventId}/sign-in`, {
      form: { token: event.organiserToken },
    });
    expect(onThePage.status).toBe(429);
    expect(String(onThePage.body)).toContain('Too many wrong organiser tokens from this address');

    const organiser = '127.0.0.22';
    const summary = await callFrom(organiser, base, 'GET', eventPath, { headers: { authorization: `Bearer ${event.organiserToken}` } });
    expect(summary.status).toBe(200);
    const signIn = await callFrom(organiser, base, 'POST', `/organiser/${event.cloudEventId}/sign-in`, {
      form: { token: event.organiserToken },
    });
    expect(signIn.status).toBe(303);
  });

  it('never count the right organiser token: an organiser refreshing the summary thirty times a minute is not locked out', async () => {
    for (let i = 0; i < 30; i++) {
      const summary = await callFrom('127.0.0.23', base, 'GET', `/cloud-api/events/${event.cloudEventId}`, {
        headers: { authorization: `Bearer ${event.organiserToken}` },
      });
      expect(summary.status).toBe(200);
    }
  });
});

describe('gallery links', () => {
  it('open fifty attendees’ galleries from one venue address, and lock out only an address guessing links', async () => {
    const laptop = await cloud.enrol(event.joinCode, 'laptop-kiosk-0001');
    const tokens = Array.from({ length: 50 }, () => newToken());
    const photos = photoPuts(1, 5, 'laptop-kiosk-0001', 'gala');
    const links = tokens.map((token, i) => ({
      seq: 6 + i,
      hlc: `${String(1_750_000_100_000 + i).padStart(15, '0')}-000000-laptop-kiosk-0001`,
      kind: 'gallery.put' as const,
      tokenHash: hashSecret(token),
      photoSha256s: [sha('gala-1'), sha(`gala-${1 + (i % 5)}`)].filter((s, j, all) => all.indexOf(s) === j),
      createdAt: '2026-06-01T20:00:00.000Z',
      expiresAt: '2099-01-01T00:00:00.000Z',
      watermark: null,
    }));
    expect((await postBatch(base, laptop, 'gala-batch-1', [...photos, ...links])).status).toBe(200);

    const venue = '127.0.0.31';
    for (const token of tokens) {
      const view = await callFrom(venue, base, 'GET', `/gallery-api/${token}`);
      expect(view.status).toBe(200);
      // Its photos' previews were never uploaded here, so the list is empty: the link itself opens.
      expect(view.body).toMatchObject({ photos: [] });
      // Each tile's image: not stored yet here (404), but never counted against the venue.
      const tile = await callFrom(venue, base, 'GET', `/gallery-api/${token}/photos/1/thumb`);
      expect([200, 404]).toContain(tile.status);
    }

    const guesser = '127.0.0.32';
    for (let i = 0; i < 60; i++) expect((await callFrom(guesser, base, 'GET', `/gallery-api/${newToken()}`)).status).toBe(404);
    const locked = await callFrom(guesser, base, 'GET', `/gallery-api/${newToken()}`);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toMatchObject({
      error: { code: 'rate-limited', message: expect.stringMatching(/^Too many gallery links from this network that are not here: wait/) },
    });
    expect((await callFrom(venue, base, 'GET', `/gallery-api/${tokens[0]}`)).status).toBe(200);
  });
});

describe('behind a reverse proxy', () => {
  it('ignore X-Forwarded-For without --trust-proxy: a locked-out client cannot claim another address', async () => {
    const guesser = '127.0.0.41';
    for (let i = 0; i < 10; i++) {
      await callFrom(guesser, base, 'POST', '/sync/v1/enrol', { body: enrolBody(WRONG_JOIN_CODE, `proxy-guess-${i}`) });
    }
    const disguised = await callFrom(guesser, base, 'POST', '/sync/v1/enrol', {
      body: enrolBody(WRONG_JOIN_CODE, 'proxy-guess-x'),
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    expect(disguised.status).toBe(429);
  });

  it('with --trust-proxy, count each client by the address the proxy saw, not the proxy’s own', async () => {
    const databaseUrl = await postgres.createDatabase();
    const blobDir = await makeTempDir('shutterfind-cloud-proxy-');
    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    let server: CloudServer | null = null;
    try {
      server = await startCloudServer({
        databaseUrl,
        blobs: openBlobStore(join(blobDir, 'store'), { publicBaseUrl, signingSecret: 'test-signing-secret-of-the-proxy-test' }),
        publicBaseUrl,
        port,
        trustProxy: true,
      });
      const proxied = await createCloudEvent(server.db, { name: 'Proxied Gala', uploadOriginals: false, cloudFaceSearch: false });
      // Every request comes from the proxy's one socket address; the client is what it appended last.
      const viaProxy = (client: string, joinCode: string, deviceId: string) =>
        callFrom('127.0.0.51', server!.url, 'POST', '/sync/v1/enrol', {
          body: enrolBody(joinCode, deviceId),
          headers: { 'x-forwarded-for': `10.9.9.9, ${client}` },
        });
      for (let i = 0; i < 10; i++) expect((await viaProxy('203.0.113.7', WRONG_JOIN_CODE, `guess-${i}-proxy`)).status).toBe(403);
      expectLockedOut(await viaProxy('203.0.113.7', WRONG_JOIN_CODE, 'guess-x-proxy'), /Too many wrong join codes/);
      // Whatever the client wrote in front of the proxy's entry, it stays the locked-out client.
      expect((await viaProxy('203.0.113.7', proxied.joinCode, 'laptop-spoofed')).status).toBe(429);
      expect((await viaProxy('203.0.113.8', proxied.joinCode, 'laptop-real-one')).status).toBe(200);
    } finally {
      await server?.close();
      await removeDir(blobDir);
    }
  });
});
