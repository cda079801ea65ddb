// The local server's security requirements, against the real engine and server over loopback:
// operator routes need the operator token, kiosks see only their own session's matches,
// gallery links are unguessable, expire and show only their photos, uploads are bounded and
// checked, selfie searches are rate-limited per kiosk, and no URL reaches files it should not.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, TakeHomeResponse } from '../../../src/api/index.js';
import {
  byNumber,
  dropPhoto,
  EVENT,
  HER_PHOTO,
  imageBody,
  jsonBody,
  mirroredHer,
  newPairingCode,
  pairKiosk,
  SAMPLES,
  searchOk,
  selfieOf,
  sha256Hex,
  startServedEvent,
  tokenOfGalleryUrl,
  waitForPhotos,
  withDatabase,
  type Kiosk,
  type ServedEvent,
} from './served-event.js';

/** Small enough that an oversized upload is quick to send, big enough for the PNG bomb (under 1 MB) to reach the decoder. */
const MAX_UPLOAD_BYTES = 1_000_000;
/** The selfie checks' kiosk makes four searches: all must pass before the rate-limit test. */
const SEARCHES_PER_MINUTE = 4;
// POST /kiosk-api/pair allows 10 attempts a minute from one address, and this whole file runs in
// well under a minute from 127.0.0.1: it makes exactly 10 (8 kiosks, a reused and a wrong code).
// A test that pairs another kiosk needs its own server.
const NAMES = { first: 'IMG_0001.jpg', second: 'IMG_0002.jpg', her: 'IMG_0006.jpg', herMirrored: 'IMG_0006-mirrored.jpg' };
/** What a leaked file would start with or contain. */
const LEAK_MARKERS = ['SQLite format', 'root:', '"dependencies"', '"devDependencies"'];

let ev: ServedEvent;
let ids: Record<keyof typeof NAMES, number>;
let allPhotoIds: number[];
let herIds: number[];
let selfie: Buffer;
let kioskA: Kiosk;
let sessionA: string;

beforeAll(async () => {
  ev = await startServedEvent({ server: { maxUploadBytes: MAX_UPLOAD_BYTES, kioskSearchesPerMinute: SEARCHES_PER_MINUTE } });
  await dropPhoto(ev.watchDir, NAMES.first, SAMPLES[0]!);
  await dropPhoto(ev.watchDir, NAMES.second, SAMPLES[1]!);
  await dropPhoto(ev.watchDir, NAMES.her, HER_PHOTO);
  await dropPhoto(ev.watchDir, NAMES.herMirrored, await mirroredHer());
  const photos = await waitForPhotos(ev, Object.values(NAMES));
  ids = {
    first: photos.get(NAMES.first)!.id,
    second: photos.get(NAMES.second)!.id,
    her: photos.get(NAMES.her)!.id,
    herMirrored: photos.get(NAMES.herMirrored)!.id,
  };
  allPhotoIds = Object.values(ids).sort(byNumber);
  herIds = [ids.her, ids.herMirrored].sort(byNumber);
  selfie = await selfieOf(photos.get(NAMES.her)!, HER_PHOTO);
  kioskA = await pairKiosk(ev, 'Kiosk A');
  sessionA = (await kioskA.startSession()).sessionId;
  // The precondition of every "only its own matches" test below: the search found her photos.
  expect(await searchOk(kioskA, sessionA, selfie)).toEqual(herIds);
});

afterAll(async () => {
  await ev?.close();
});

async function errorCode(res: Response): Promise<string | undefined> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as ApiError).error?.code;
  } catch {
    return `(not JSON: ${text.slice(0, 80)})`;
  }
}

async function expectStillServing(): Promise<void> {
  const res = await fetch(`${ev.url}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, event: EVENT });
}

/** A GET sent byte for byte: fetch's URL parser would resolve `%2e%2e` and `..` before sending. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return rawRequest('GET', path, headers);
}

function rawRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(ev.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// ------------------------------------------------------------------ operator

interface OperatorRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** With the right token: proof the request got past the guard (ids that do not exist where a success would change the event). */
  withToken: { path?: string; status: number };
}

const OPERATOR_ROUTES: OperatorRoute[] = [
  { method: 'GET', path: '/api/overview', withToken: { status: 200 } },
  { method: 'GET', path: '/api/photos', withToken: { status: 200 } },
  { method: 'GET', path: '/api/photos/1', withToken: { status: 200 } },
  { method: 'GET', path: '/api/errors', withToken: { status: 200 } },
  { method: 'GET', path: '/api/sources', withToken: { status: 200 } },
  { method: 'GET', path: '/api/people', withToken: { status: 200 } },
  { method: 'GET', path: '/api/people/1/faces', withToken: { status: 200 } },
  { method: 'GET', path: '/api/settings', withToken: { status: 200 } },
  { method: 'GET', path: '/api/deliveries', withToken: { status: 200 } },
  { method: 'GET', path: '/api/kiosks', withToken: { status: 200 } },
  { method: 'GET', path: '/api/live', withToken: { status: 200 } },
  { method: 'GET', path: '/api/media/photos/1/thumb', withToken: { status: 200 } },
  { method: 'GET', path: '/api/media/faces/1/crop', withToken: { status: 200 } },
  { method: 'POST', path: '/api/photos/retry-failed', withToken: { status: 200 } },
  // Photo 1 is ready, not failed: a conflict, which only the operator gets to hear.
  { method: 'POST', path: '/api/photos/1/retry', withToken: { status: 409 } },
  { method: 'POST', path: '/api/sources', withToken: { status: 400 } },
  { method: 'POST', path: '/api/kiosks/pairing-codes', withToken: { status: 201 } },
  { method: 'POST', path: '/api/search/selfie', withToken: { status: 415 } },
  { method: 'POST', path: '/api/people/merge', withToken: { status: 400 } },
  { method: 'POST', path: '/api/people/1/split', withToken: { status: 400 } },
  { method: 'PATCH', path: '/api/people/1', withToken: { status: 400 } },
  { method: 'PATCH', path: '/api/settings', withToken: { status: 400 } },
  { method: 'DELETE', path: '/api/sources/1', withToken: { path: '/api/sources/999', status: 404 } },
  { method: 'DELETE', path: '/api/kiosks/1', withToken: { path: '/api/kiosks/999', status: 404 } },
];

/** Sends a route's request and reads the status; the live stream is cut as soon as it answers. */
async function statusOf(
  route: OperatorRoute,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; code: string | undefined }> {
  const abort = new AbortController();
  const res = await fetch(ev.url + path, { method: route.method, headers, signal: abort.signal });
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    abort.abort();
    return { status: res.status, code: undefined };
  }
  return { status: res.status, code: res.status >= 400 ? await errorCode(res) : (await res.arrayBuffer(), undefined) };
}

describe('operator routes', () => {
  const wrongToken = randomBytes(32).toString('base64url');
  const credentials: [string, Record<string, string>][] = [
    ['no token', {}],
    ['a wrong Bearer token', { authorization: `Bearer ${wrongToken}` }],
    ['a wrong sf_operator cookie', { cookie: `sf_operator=${wrongToken}` }],
    ['an empty Bearer token', { authorization: 'Bearer ' }],
  ];

  it.each(credentials)('every operator route answers 401 unauthorized with %s', async (_what, headers) => {
    const answers = await Promise.all(
      OPERATOR_ROUTES.map(async (r) => `${r.method} ${r.path} → ${JSON.stringify(await statusOf(r, r.path, headers))}`),
    );
    expect(answers).toEqual(OPERATOR_ROUTES.map((r) => `${r.method} ${r.path} → ${JSON.stringify({ status: 401, code: 'unauthorized' })}`));
  });

  it('the operator token opens every operator route, as a Bearer token or as the cookie POST /api/login sets', async () => {
    const login = await fetch(`${ev.url}/api/login`, { method: 'POST', ...jsonBody({ token: ev.token }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sf_operator='));
    expect(cookie).toMatch(/HttpOnly/i);
    for (const headers of [{ authorization: `Bearer ${ev.token}` }, { cookie: cookie!.split(';')[0]! }] as Record<string, string>[]) {
      const answers = [];
      for (const r of OPERATOR_ROUTES)
        answers.push(`${r.method} ${r.path} → ${(await statusOf(r, r.withToken.path ?? r.path, headers)).status}`);
      expect(answers).toEqual(OPERATOR_ROUTES.map((r) => `${r.method} ${r.path} → ${r.withToken.status}`));
    }
  });

  it('POST /api/login refuses a wrong token and sets no cookie', async () => {
    const res = await fetch(`${ev.url}/api/login`, { method: 'POST', ...jsonBody({ token: wrongToken }) });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  // The router decodes percent-escapes in the path; the guard must see the same path it does.
  it.each([
    ['GET', '/%61pi/overview'],
    ['GET', '/%61pi/settings'],
    ['POST', '/%61pi/kiosks/pairing-codes'],
    ['GET', '/API/overview'],
    ['GET', '//api/overview'],
    ['GET', '/api/./overview'],
    ['GET', '/kiosk-api/../api/overview'],
  ])('a disguised operator path (%s %s) answers 401 or 404 and gives nothing away without the token', async (method, path) => {
    const res = await rawRequest(method, path);
    expect([401, 404]).toContain(res.status);
    expect(res.body).not.toContain(ev.token);
    expect(res.body).not.toMatch(/"code":"\d{6}"/);
  });
});

// ------------------------------------------------------------------ kiosks

describe('kiosk pairing and identity', () => {
  it('a paired kiosk cannot reach operator routes with its own cookie or its secret as a Bearer token', async () => {
    for (const headers of [{ cookie: `sf_kiosk=${kioskA.secret}` }, { authorization: `Bearer ${kioskA.secret}` }] as Record<
      string,
      string
    >[]) {
      const answers = await Promise.all(
        OPERATOR_ROUTES.map(async (r) => `${r.method} ${r.path} → ${(await statusOf(r, r.path, headers)).status}`),
      );
      expect(answers).toEqual(OPERATOR_ROUTES.map((r) => `${r.method} ${r.path} → 401`));
    }
    // Its own routes do work with the same cookie (the control).
    expect((await kioskA.fetch('/kiosk-api/me')).status).toBe(200);
  });

  it('kiosk routes answer 401 to a browser that is not paired, or that sends a made-up device secret', async () => {
    const kioskRoutes: [string, string, RequestInit][] = [
      ['GET', '/kiosk-api/me', {}],
      ['POST', '/kiosk-api/sessions', jsonBody({ consent: true })],
      ['POST', `/kiosk-api/sessions/${sessionA}/selfie`, imageBody(selfie)],
      ['GET', `/kiosk-api/sessions/${sessionA}/photos/${ids.her}/thumb`, {}],
      ['GET', `/kiosk-api/sessions/${sessionA}/photos/${ids.her}/preview`, {}],
      ['POST', `/kiosk-api/sessions/${sessionA}/take-home`, jsonBody({ photoIds: [ids.her], notifyOptIn: false })],
      ['POST', `/kiosk-api/sessions/${sessionA}/end`, {}],
    ];
    for (const cookie of [undefined, `sf_kiosk=${randomBytes(32).toString('base64url')}`, `sf_operator=${ev.token}`]) {
      const answers = await Promise.all(
        kioskRoutes.map(async ([method, path, init]) => {
          const headers = { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) };
          const res = await fetch(ev.url + path, { ...init, method, headers });
          return `${method} ${path} → ${res.status} ${await errorCode(res)}`;
        }),
      );
      expect(answers).toEqual(kioskRoutes.map(([method, path]) => `${method} ${path} → 401 unauthorized`));
    }
    // The session was left alone by all of that: its photos still show on its own kiosk.
    expect((await kioskA.fetch(`/kiosk-api/sessions/${sessionA}/photos/${ids.her}/thumb`)).status).toBe(200);
  });

  it('a pairing code pairs one kiosk only: the second use answers 401 and sets no cookie', async () => {
    const code = await newPairingCode(ev);
    const first = await fetch(`${ev.url}/kiosk-api/pair`, { method: 'POST', ...jsonBody({ code, name: 'Kiosk once' }) });
    expect(first.status).toBe(200);
    const again = await fetch(`${ev.url}/kiosk-api/pair`, { method: 'POST', ...jsonBody({ code, name: 'Kiosk twice' }) });
    expect(again.status).toBe(401);
    expect(await errorCode(again)).toBe('unauthorized');
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it('a wrong pairing code answers 401', async () => {
    const code = await newPairingCode(ev);
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
    const res = await fetch(`${ev.url}/kiosk-api/pair`, { method: 'POST', ...jsonBody({ code: wrong, name: 'Guessing kiosk' }) });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('an unpaired kiosk is locked out at once: its cookie stops working on every kiosk route', async () => {
    const kiosk = await pairKiosk(ev, 'Kiosk to unpair');
    const { sessionId } = await kiosk.startSession();
    expect((await kiosk.fetch('/kiosk-api/me')).status).toBe(200);
    expect((await ev.operator(`/api/kiosks/${kiosk.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await kiosk.fetch('/kiosk-api/me')).status).toBe(401);
    expect((await kiosk.fetch('/kiosk-api/sessions', { method: 'POST', ...jsonBody({ consent: true }) })).status).toBe(401);
    expect(
      (
        await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
          method: 'POST',
          ...jsonBody({ photoIds: [ids.her], notifyOptIn: false }),
        })
      ).status,
    ).toBe(401);
    const listed = await ev.operatorJson<{ kiosks: { id: number }[] }>('/api/kiosks');
    expect(listed.kiosks.map((k) => k.id)).not.toContain(kiosk.id);
  });
});

describe("a kiosk sees only its own session's matches", () => {
  it('serves thumbnails and previews of the matched photos only; every other photo id is 404', async () => {
    const lastId = Math.max(...allPhotoIds) + 2;
    const answers: string[] = [];
    const expected: string[] = [];
    for (let id = 1; id <= lastId; id++) {
      for (const kind of ['thumb', 'preview']) {
        const res = await kioskA.fetch(`/kiosk-api/sessions/${sessionA}/photos/${id}/${kind}`);
        const body = Buffer.from(await res.arrayBuffer());
        const isImage = /^image\/(jpeg|webp)$/.test(res.headers.get('content-type') ?? '') && body.length > 1000;
        answers.push(`${id}/${kind} → ${res.status}${res.status === 200 ? ` image: ${isImage}` : ''}`);
        expected.push(`${id}/${kind} → ${herIds.includes(id) ? '200 image: true' : '404'}`);
      }
    }
    expect(answers).toEqual(expected);
  });

  it('another kiosk cannot use a session id that is not its own: photos, selfie, take-home and end are all 404 or ignored', async () => {
    const kioskB = await pairKiosk(ev, 'Kiosk B');
    for (const id of herIds) {
      expect((await kioskB.fetch(`/kiosk-api/sessions/${sessionA}/photos/${id}/thumb`)).status).toBe(404);
      expect((await kioskB.fetch(`/kiosk-api/sessions/${sessionA}/photos/${id}/preview`)).status).toBe(404);
    }
    expect((await kioskB.search(sessionA, selfie)).status).toBe(404);
    const takeHome = await kioskB.fetch(`/kiosk-api/sessions/${sessionA}/take-home`, {
      method: 'POST',
      ...jsonBody({ photoIds: herIds, notifyOptIn: false }),
    });
    expect(takeHome.status).toBe(404);
    expect((await kioskB.fetch(`/kiosk-api/sessions/${sessionA}/end`, { method: 'POST' })).status).toBe(204);
    // Kiosk B's "end" did not end A's session: A still sees its photos.
    expect((await kioskA.fetch(`/kiosk-api/sessions/${sessionA}/photos/${ids.her}/thumb`)).status).toBe(200);
    // And the other way round: A cannot look into B's (empty) session.
    const { sessionId: sessionB } = await kioskB.startSession();
    expect((await kioskA.fetch(`/kiosk-api/sessions/${sessionB}/photos/${ids.first}/thumb`)).status).toBe(404);
  });

  it('a guessed session id finds nothing: 404 for well-formed ids, 400 for malformed ones', async () => {
    const guessed = randomBytes(16).toString('base64url');
    expect((await kioskA.fetch(`/kiosk-api/sessions/${guessed}/photos/${ids.her}/thumb`)).status).toBe(404);
    expect(
      (
        await kioskA.fetch(`/kiosk-api/sessions/${guessed}/take-home`, {
          method: 'POST',
          ...jsonBody({ photoIds: [ids.her], notifyOptIn: false }),
        })
      ).status,
    ).toBe(404);
    expect((await kioskA.search(guessed, selfie)).status).toBe(404);
    expect((await kioskA.fetch(`/kiosk-api/sessions/abc/photos/${ids.her}/thumb`)).status).toBe(400);
  });

  it('a take-home with a photo outside the matches is refused with 403 and makes no gallery link', async () => {
    const linksBefore = withDatabase(ev, (db) => (db.prepare('SELECT COUNT(*) AS n FROM gallery_links').get() as { n: number }).n);
    for (const photoIds of [[ids.first], [ids.her, ids.second], [...herIds, 999]]) {
      const res = await kioskA.fetch(`/kiosk-api/sessions/${sessionA}/take-home`, {
        method: 'POST',
        ...jsonBody({ photoIds, notifyOptIn: false }),
      });
      expect(`${photoIds} → ${res.status} ${await errorCode(res)}`).toBe(`${photoIds} → 403 forbidden`);
    }
    const linksAfter = withDatabase(ev, (db) => (db.prepare('SELECT COUNT(*) AS n FROM gallery_links').get() as { n: number }).n);
    expect(linksAfter).toBe(linksBefore);
  });
});

describe('no URL reaches files outside what it serves', () => {
  const token = (): string => randomBytes(32).toString('base64url');
  it.each([
    ['kiosk media', () => `/kiosk-api/sessions/${sessionA}/photos/..%2F..%2Fshutterfind.db/thumb`],
    ['kiosk media, kind', () => `/kiosk-api/sessions/${sessionA}/photos/1/..%2F..%2F..%2Fshutterfind.db`],
    ['kiosk media, dot segments', () => `/kiosk-api/sessions/${sessionA}/photos/../../../shutterfind.db`],
    ['operator media', () => '/api/media/photos/1/..%2F..%2F..%2Fetc%2Fpasswd'],
    ['operator media, dot segments', () => '/api/media/photos/../../../../etc/passwd'],
    ['operator face crop', () => '/api/media/faces/..%2F..%2Fshutterfind.db/crop'],
    ['gallery', () => `/gallery-api/${token()}/photos/%2e%2e/preview`],
    ['gallery, encoded slashes', () => `/gallery-api/${token()}/photos/..%2F..%2F..%2Fshutterfind.db/download`],
    ['static assets', () => '/assets/..%2F..%2Fpackage.json'],
    ['static assets, dot segments', () => '/assets/../../../package.json'],
    ['static assets, double encoding', () => '/assets/%252e%252e%252f%252e%252e%252fpackage.json'],
  ])('%s: a traversal path answers 4xx without file contents', async (_what, path) => {
    // Sent with the operator's and kiosk A's credentials: the guard must be the path checks, not the login.
    const res = await rawGet(path(), { authorization: `Bearer ${ev.token}`, cookie: `sf_kiosk=${kioskA.secret}` });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    for (const marker of LEAK_MARKERS) expect(res.body).not.toContain(marker);
  });
});

// ------------------------------------------------------------------ galleries

describe('attendee gallery links', () => {
  async function takeHome(photoIds: number[]): Promise<TakeHomeResponse> {
    const res = await kioskA.fetch(`/kiosk-api/sessions/${sessionA}/take-home`, {
      method: 'POST',
      ...jsonBody({ photoIds, notifyOptIn: false }),
    });
    if (res.status !== 200) throw new Error(`take-home answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as TakeHomeResponse;
  }

  it('a gallery token carries at least 128 random bits, and asking again in the session keeps the same link', async () => {
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push(tokenOfGalleryUrl((await takeHome([ids.her])).galleryUrl));
    for (const t of tokens) {
      expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(t, 'base64url').length).toBeGreaterThanOrEqual(16);
    }
    expect(new Set(tokens).size).toBe(1);
  });

  it('unknown and guessed gallery tokens answer 404 on every gallery route', async () => {
    const real = tokenOfGalleryUrl((await takeHome([ids.her])).galleryUrl);
    const guesses = [randomBytes(32).toString('base64url'), 'A'.repeat(43), `${real.slice(0, -1)}${real.endsWith('x') ? 'y' : 'x'}`];
    const answers: string[] = [];
    const expected: string[] = [];
    for (const t of guesses) {
      for (const path of [
        `/gallery-api/${t}`,
        `/gallery-api/${t}/zip`,
        `/gallery-api/${t}/photos/${ids.her}/thumb`,
        `/gallery-api/${t}/photos/${ids.her}/download`,
      ]) {
        answers.push(`${path} → ${(await fetch(ev.url + path)).status}`);
        expected.push(`${path} → 404`);
      }
    }
    expect(answers).toEqual(expected);
    // The control: the real token one letter away opens.
    expect((await fetch(`${ev.url}/gallery-api/${real}`)).status).toBe(200);
  });

  it('a malformed gallery token is refused without reaching any photo', async () => {
    for (const path of ['/gallery-api/short', '/gallery-api/short/zip', `/gallery-api/short/photos/${ids.her}/preview`]) {
      const res = await fetch(ev.url + path);
      expect([400, 404]).toContain(res.status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it("serves only the link's own photos: every other photo id is 404", async () => {
    const t = tokenOfGalleryUrl((await takeHome([ids.her])).galleryUrl);
    const gallery = (await (await fetch(`${ev.url}/gallery-api/${t}`)).json()) as { photos: { photoId: number }[] };
    expect(gallery.photos.map((p) => p.photoId)).toEqual([ids.her]);
    const answers: string[] = [];
    const expected: string[] = [];
    for (let id = 1; id <= Math.max(...allPhotoIds) + 2; id++) {
      for (const kind of ['thumb', 'preview', 'download']) {
        const res = await fetch(`${ev.url}/gallery-api/${t}/photos/${id}/${kind}`);
        await res.arrayBuffer();
        answers.push(`${id}/${kind} → ${res.status}`);
        expected.push(`${id}/${kind} → ${id === ids.her ? 200 : 404}`);
      }
    }
    expect(answers).toEqual(expected);
  });

  it('an expired link answers 410 on the gallery, its photos and its ZIP', async () => {
    const t = tokenOfGalleryUrl((await takeHome(herIds)).galleryUrl);
    expect((await fetch(`${ev.url}/gallery-api/${t}`)).status).toBe(200);
    // The server takes no clock from outside, and waiting galleryLinkHours (≥ 1 h) is not a test:
    // move this one link's expiry into the past in the database, as time passing would.
    const changed = withDatabase(
      ev,
      (db) => db.prepare('UPDATE gallery_links SET expires_at = ? WHERE token_hash = ?').run(Date.now() - 1_000, sha256Hex(t)).changes,
    );
    expect(changed).toBe(1);
    for (const path of [
      `/gallery-api/${t}`,
      `/gallery-api/${t}/zip`,
      `/gallery-api/${t}/photos/${ids.her}/thumb`,
      `/gallery-api/${t}/photos/${ids.her}/preview`,
      `/gallery-api/${t}/photos/${ids.her}/download`,
    ]) {
      const res = await fetch(ev.url + path);
      expect(`${path} → ${res.status} ${await errorCode(res)}`).toBe(`${path} → 410 expired`);
    }
  });
});

// ------------------------------------------------------------------ uploads

/** A PNG header that says 20000x20000 (400 megapixels, past sharp's default limit) over deflated zeros. */
async function pngBomb(): Promise<Buffer> {
  const { crc32, deflateSync } = await import('node:zlib');
  const side = 20_000;
  const chunk = (type: string, data: Buffer): Buffer => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    typed.copy(out, 4);
    out.writeUInt32BE(crc32(typed), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // 8-bit greyscale
  // Only the first 500 rows of zeros: a decoder that trusted the header would allocate 400 MB before finding out.
  const rows = deflateSync(Buffer.alloc((side + 1) * 500));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('uploads', () => {
  const upload = (path: string, init: RequestInit): Promise<Response> => ev.operator(path, init);

  it('an oversized selfie answers 413 too-large and the server keeps serving', async () => {
    const big = Buffer.concat([selfie, randomBytes(MAX_UPLOAD_BYTES + 1 - selfie.length)]);
    const res = await upload('/api/search/selfie', imageBody(big));
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe('too-large');
    await expectStillServing();
  });

  it('a text file sent as image/jpeg answers 422 not-an-image', async () => {
    const res = await upload('/api/search/selfie', imageBody(Buffer.from('Ceremony at 14:00, speeches 15:30.\n')));
    expect(res.status).toBe(422);
    expect(await errorCode(res)).toBe('not-an-image');
    await expectStillServing();
  });

  it.each([
    ['text/plain', 'a selfie, honestly'],
    ['application/json', JSON.stringify({ image: 'base64…' })],
    ['application/octet-stream', 'binary?'],
  ])('a %s body answers 415 unsupported-media', async (type, body) => {
    const res = await upload('/api/search/selfie', { method: 'POST', body, headers: { 'content-type': type } });
    expect(res.status).toBe(415);
    expect(await errorCode(res)).toBe('unsupported-media');
    await expectStillServing();
  });

  it('a PNG decompression bomb is refused with a 4xx before it is decoded', async () => {
    const bomb = await pngBomb();
    expect(bomb.length).toBeLessThan(MAX_UPLOAD_BYTES);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 20_000, height: 20_000 });
    const res = await upload('/api/search/selfie', imageBody(bomb, 'image/png'));
    expect(res.status).toBe(422);
    expect(await errorCode(res)).toBe('not-an-image');
    await expectStillServing();
  });

  it('the kiosk selfie route has the same guards: 413, 422 not-an-image, 415', async () => {
    const kiosk = await pairKiosk(ev, 'Kiosk uploads');
    const { sessionId } = await kiosk.startSession();
    const path = `/kiosk-api/sessions/${sessionId}/selfie`;
    const big = await kiosk.fetch(path, imageBody(Buffer.concat([selfie, randomBytes(MAX_UPLOAD_BYTES)])));
    expect(`${big.status} ${await errorCode(big)}`).toBe('413 too-large');
    const text = await kiosk.fetch(path, imageBody(Buffer.from('not a photo')));
    expect(`${text.status} ${await errorCode(text)}`).toBe('422 not-an-image');
    const plain = await kiosk.fetch(path, { method: 'POST', body: 'not a photo', headers: { 'content-type': 'text/plain' } });
    expect(`${plain.status} ${await errorCode(plain)}`).toBe('415 unsupported-media');
    await expectStillServing();
  });
});

describe('JSON bodies', () => {
  it('a body that tries to reach the object prototype is refused with 400, and the settings stay as they were', async () => {
    const headers = { authorization: `Bearer ${ev.token}`, 'content-type': 'application/json' };
    const before = await (await fetch(`${ev.url}/api/settings`, { headers })).json();
    for (const body of ['{"__proto__":{"galleryLinkHours":1}}', '{"constructor":{"prototype":{"galleryLinkHours":1}}}']) {
      const res = await fetch(`${ev.url}/api/settings`, { method: 'PATCH', headers, body });
      expect(`${body} → ${res.status} ${await errorCode(res)}`).toBe(`${body} → 400 bad-request`);
    }
    expect(await (await fetch(`${ev.url}/api/settings`, { headers })).json()).toEqual(before);
    await expectStillServing();
  });
});

/** A 640x480 JPEG of one colour: a wall, no face. */
const plainPicture = (background: { r: number; g: number; b: number }): Promise<Buffer> =>
  sharp({ create: { width: 640, height: 480, channels: 3, background } })
    .jpeg()
    .toBuffer();

describe('selfie checks at the kiosk', () => {
  let kiosk: Kiosk;
  let sessionId: string;
  beforeAll(async () => {
    kiosk = await pairKiosk(ev, 'Kiosk checks');
    sessionId = (await kiosk.startSession()).sessionId;
  });

  it('a picture without a face answers 422 no-face', async () => {
    // A plain wall in normal light: bright enough that "too dark" is not the reason.
    const res = await kiosk.search(sessionId, await plainPicture({ r: 150, g: 140, b: 130 }));
    expect(`${res.status} ${await errorCode(res)}`).toBe('422 no-face');
  });

  it('a group photo answers 422 several-faces', async () => {
    const group = await sharp(SAMPLES[0]!).resize(1280).jpeg().toBuffer();
    const res = await kiosk.search(sessionId, group);
    expect(`${res.status} ${await errorCode(res)}`).toBe('422 several-faces');
  });

  it('a dim picture in warm light answers 422 too-dark, not no-face', async () => {
    // Brightness is what the eye sees (luma about 35), not the red channel alone (64): until the
    // server read the red channel's mean, this answered "no face".
    const res = await kiosk.search(sessionId, await plainPicture({ r: 64, g: 24, b: 16 }));
    expect(`${res.status} ${await errorCode(res)}`).toBe('422 too-dark');
  });

  it('a very dark selfie answers 422 too-dark', async () => {
    // Her selfie at 4% of its brightness: the face is there, but nothing can see it.
    const dark = await sharp(selfie).linear(0.04, 0).jpeg().toBuffer();
    const { channels } = await sharp(dark).stats();
    expect(channels[0]!.mean).toBeLessThan(20);
    const res = await kiosk.search(sessionId, dark);
    expect(`${res.status} ${await errorCode(res)}`).toBe('422 too-dark');
  });
});

describe('rate limit', () => {
  it(`a kiosk searching more than ${SEARCHES_PER_MINUTE} times a minute gets 429 rate-limited while another kiosk is still served`, async () => {
    const busy = await pairKiosk(ev, 'Busy kiosk');
    const { sessionId } = await busy.startSession();
    const statuses: number[] = [];
    for (let i = 0; i < SEARCHES_PER_MINUTE; i++) statuses.push((await busy.search(sessionId, selfie)).status);
    expect(statuses).toEqual(Array(SEARCHES_PER_MINUTE).fill(200));
    const limited = await busy.search(sessionId, selfie);
    expect(`${limited.status} ${await errorCode(limited)}`).toBe('429 rate-limited');

    const other = await pairKiosk(ev, 'Quiet kiosk');
    const otherSession = (await other.startSession()).sessionId;
    expect(await searchOk(other, otherSession, selfie)).toEqual(herIds);

    // "Maybe you?" taps are counted apart: an attendee tapping many in does not use up the next
    // selfie. (The same kiosk: pairing another one here would meet the pairing limit.)
    const taps: number[] = [];
    for (let i = 0; i < SEARCHES_PER_MINUTE * 2; i++) {
      const res = await other.fetch(`/kiosk-api/sessions/${otherSession}/confirm-maybe`, {
        method: 'POST',
        ...jsonBody({ photoIds: [ids.her] }),
      });
      taps.push(res.status);
    }
    expect(taps).toEqual(Array(SEARCHES_PER_MINUTE * 2).fill(200));
    expect(await searchOk(other, otherSession, selfie)).toEqual(herIds);
  });
});
