// Who may do what on the cloud endpoint: every sync route needs a live device token, every
// organiser route the event's organiser token; wrong, revoked and other events' tokens are refused
// on each of them (iterated from a table), without saying which events exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { call, photoPuts, postBatch, sha, startCloudHarness, type CallResult, type CloudHarness } from './cloud-harness.js';
import type { CreatedCloudEvent } from '../../../src/cloud/index.js';

const UNLIMITED = { max: 1_000_000, windowMs: 60_000 };

let postgres: TestPostgres;
let cloud: CloudHarness;
let base: string;
let eventA: CreatedCloudEvent;
let eventB: CreatedCloudEvent;
let laptopA: string;
let laptopB: string;
let revokedLaptop: string;
let uploadIdA: string;
let sparePk: number;

beforeAll(async () => {
  postgres = await startPostgres();
  // Every route is tried with every wrong token from one address: far past the lock-out for guessers
  // (cloud-guessing.test.ts), which is not what this file is about.
  cloud = await startCloudHarness(postgres, { guessLimits: { joinCode: UNLIMITED, organiserToken: UNLIMITED, galleryLink: UNLIMITED } });
  base = cloud.urls[0]!;
  eventA = await cloud.createEvent({ name: 'Event A' });
  eventB = await cloud.createEvent({ name: 'Event B' });
  laptopA = await cloud.enrol(eventA.joinCode, 'laptop-a-0001');
  laptopB = await cloud.enrol(eventB.joinCode, 'laptop-b-0001');
  revokedLaptop = await cloud.enrol(eventA.joinCode, 'laptop-a-lost');
  await cloud.enrol(eventA.joinCode, 'laptop-a-spare');
  const devices = await cloud.db.pool.query<{ pk: number; device_id: string }>(
    'SELECT id AS pk, device_id FROM devices WHERE cloud_event_id = $1',
    [eventA.cloudEventId],
  );
  sparePk = devices.rows.find((d) => d.device_id === 'laptop-a-spare')!.pk;
  const lostPk = devices.rows.find((d) => d.device_id === 'laptop-a-lost')!.pk;
  const revoked = await call(base, 'POST', `/cloud-api/events/${eventA.cloudEventId}/devices/${lostPk}/revoke`, {
    token: eventA.organiserToken,
  });
  expect(revoked.status).toBe(200);
  const upload = await call(base, 'POST', '/sync/v1/blobs/uploads', {
    token: laptopA,
    body: { sha256: sha('thumb-a'), size: 10, kind: 'thumb', contentType: 'image/webp' },
  });
  expect(upload.status).toBe(200);
  uploadIdA = (upload.body as { uploadId: string }).uploadId;
});
afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

interface RouteCase {
  name: string;
  request(token: string | undefined): Promise<CallResult>;
  /** Routes scoped to an event by their address: another event's token reads them as not found. */
  scopedToEventA: boolean;
}

const syncRoutes = (): RouteCase[] => [
  { name: 'GET /sync/v1/event', scopedToEventA: false, request: (token) => call(base, 'GET', '/sync/v1/event', opt(token)) },
  {
    name: 'POST /sync/v1/batches',
    scopedToEventA: false,
    request: (token) =>
      call(base, 'POST', '/sync/v1/batches', {
        ...opt(token),
        body: { ops: photoPuts(1, 1, 'laptop-x-0001') },
        headers: { 'idempotency-key': `k-${Math.random()}` },
      }),
  },
  {
    name: 'POST /sync/v1/blobs/missing',
    scopedToEventA: false,
    request: (token) => call(base, 'POST', '/sync/v1/blobs/missing', { ...opt(token), body: { sha256s: [sha('thumb-a')] } }),
  },
  {
    name: 'POST /sync/v1/blobs/uploads',
    scopedToEventA: false,
    request: (token) =>
      call(base, 'POST', '/sync/v1/blobs/uploads', {
        ...opt(token),
        body: { sha256: sha('thumb-x'), size: 10, kind: 'thumb', contentType: 'image/webp' },
      }),
  },
  {
    name: 'POST /sync/v1/blobs/uploads/:id/part-urls',
    scopedToEventA: true,
    request: (token) => call(base, 'POST', `/sync/v1/blobs/uploads/${uploadIdA}/part-urls`, { ...opt(token), body: { partNumbers: [1] } }),
  },
  {
    name: 'POST /sync/v1/blobs/uploads/:id/complete',
    scopedToEventA: true,
    request: (token) =>
      call(base, 'POST', `/sync/v1/blobs/uploads/${uploadIdA}/complete`, {
        ...opt(token),
        body: { parts: [{ partNumber: 1, etag: 'x' }] },
      }),
  },
  { name: 'GET /sync/v1/deliveries', scopedToEventA: false, request: (token) => call(base, 'GET', '/sync/v1/deliveries', opt(token)) },
];

const organiserRoutes = (): RouteCase[] => {
  const e = () => `/cloud-api/events/${eventA.cloudEventId}`;
  return [
    { name: 'GET /cloud-api/events/:id', scopedToEventA: true, request: (token) => call(base, 'GET', e(), opt(token)) },
    { name: 'POST …/join-codes', scopedToEventA: true, request: (token) => call(base, 'POST', `${e()}/join-codes`, opt(token)) },
    {
      name: 'POST …/devices/:pk/revoke',
      scopedToEventA: true,
      request: (token) => call(base, 'POST', `${e()}/devices/${sparePk}/revoke`, opt(token)),
    },
    {
      name: 'PATCH …/settings',
      scopedToEventA: true,
      request: (token) => call(base, 'PATCH', `${e()}/settings`, { ...opt(token), body: { cloudFaceSearch: false } }),
    },
    {
      name: 'PATCH …/deliveries/:id',
      scopedToEventA: true,
      request: (token) => call(base, 'PATCH', `${e()}/deliveries/1`, { ...opt(token), body: { address: 'ana@example.org' } }),
    },
    {
      name: 'POST …/person-links/:id/confirm',
      scopedToEventA: true,
      request: (token) => call(base, 'POST', `${e()}/person-links/1/confirm`, opt(token)),
    },
    {
      name: 'POST …/person-links/:id/reject',
      scopedToEventA: true,
      request: (token) => call(base, 'POST', `${e()}/person-links/1/reject`, opt(token)),
    },
  ];
};

const opt = (token: string | undefined) => (token ? { token } : {});
const WRONG = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function expectRefusal(res: CallResult, status: number, route: string) {
  expect(res.status, `${route} answered ${res.status}: ${JSON.stringify(res.body)}`).toBe(status);
  const body = res.body as { code: string; message: string };
  expect(typeof body.code).toBe('string');
  expect(body.message.length).toBeGreaterThan(20);
  // A refusal never names an event.
  expect(JSON.stringify(body)).not.toContain(eventA.cloudEventId);
  expect(JSON.stringify(body)).not.toContain('Event A');
}

describe('device tokens on the sync routes', () => {
  it('refuse a missing or wrong token with 401 on every sync route', async () => {
    for (const route of syncRoutes()) {
      expectRefusal(await route.request(undefined), 401, route.name);
      expectRefusal(await route.request(WRONG), 401, route.name);
    }
  });

  it("refuse a revoked laptop's token with 403 on every sync route, saying to enrol again", async () => {
    for (const route of syncRoutes()) {
      const res = await route.request(revokedLaptop);
      expectRefusal(res, 403, route.name);
      expect((res.body as { message: string }).message).toMatch(/revoked.*enrol again/);
    }
  });

  it("refuse the organiser's token on every sync route", async () => {
    for (const route of syncRoutes()) expectRefusal(await route.request(eventA.organiserToken), 401, route.name);
  });

  it("answer another event's upload addresses as not found, and never show its blobs", async () => {
    for (const route of syncRoutes().filter((r) => r.scopedToEventA)) expectRefusal(await route.request(laptopB), 404, route.name);
    const missing = await call(base, 'POST', '/sync/v1/blobs/missing', { token: laptopB, body: { sha256s: [sha('thumb-a')] } });
    expect(missing.body).toEqual({ missing: [sha('thumb-a')] });
    const policy = await call(base, 'GET', '/sync/v1/event', { token: laptopB });
    expect(policy.body).toMatchObject({ cloudEventId: eventB.cloudEventId, eventName: 'Event B' });
  });

  it("keep another event's laptop's batches in its own event", async () => {
    expect((await postBatch(base, laptopB, 'b-batch-1', photoPuts(1, 2, 'laptop-b-0001'))).status).toBe(200);
    const { rows } = await cloud.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM photos WHERE cloud_event_id = $1', [
      eventA.cloudEventId,
    ]);
    expect(rows[0]!.n).toBe(0);
  });

  it('answer every sync route for a live token of the event (the table is not refusing everything)', async () => {
    for (const route of syncRoutes()) {
      const res = await route.request(laptopA);
      // complete: the parts were never sent, so the store refuses them (not an auth refusal).
      expect([200, 422], `${route.name}: ${JSON.stringify(res.body)}`).toContain(res.status);
    }
  });
});

describe('organiser tokens on the organiser routes', () => {
  it('refuse a missing or wrong token with 401 on every organiser route', async () => {
    for (const route of organiserRoutes()) {
      expectRefusal(await route.request(undefined), 401, route.name);
      expectRefusal(await route.request(WRONG), 401, route.name);
    }
  });

  it('refuse device tokens, live or revoked, on every organiser route', async () => {
    for (const route of organiserRoutes()) {
      expectRefusal(await route.request(laptopA), 401, route.name);
      expectRefusal(await route.request(revokedLaptop), 401, route.name);
    }
  });

  it("answer another event's organiser token with 404 on every organiser route", async () => {
    for (const route of organiserRoutes()) expectRefusal(await route.request(eventB.organiserToken), 404, route.name);
  });

  it("answer every organiser route for the event's own token", async () => {
    for (const route of organiserRoutes()) {
      const res = await route.request(eventA.organiserToken);
      if (route.name.includes('person-links') || route.name.includes('deliveries')) {
        // No link or delivery 1 in this event: past authentication, the thing itself is not found.
        expect(res.body).toMatchObject({
          code: 'not-found',
          message: expect.stringMatching(/^This event has no (person link|delivery) 1/),
        });
      } else {
        expect(res.status, `${route.name}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    }
  });
});

describe('enrolment', () => {
  it('refuse a wrong join code with 403 and what to do', async () => {
    const res = await call(base, 'POST', '/sync/v1/enrol', {
      body: { joinCode: 'WRONG-CODE1', deviceId: 'laptop-new-01', deviceName: 'X' },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      code: 'bad-join-code',
      message: 'This join code is not valid or has expired: ask the organiser for a new one.',
    });
  });

  it('accept a join code typed in small letters without its dash, for several laptops', async () => {
    const typed = eventA.joinCode.replace('-', '').toLowerCase();
    for (const deviceId of ['laptop-typed-1', 'laptop-typed-2']) {
      const res = await call(base, 'POST', '/sync/v1/enrol', { body: { joinCode: typed, deviceId, deviceName: 'Typed' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ cloudEventId: eventA.cloudEventId, nextSeq: 1, uploadOriginals: false, cloudFaceSearch: false });
    }
  });

  it('refuse an expired join code', async () => {
    const event = await cloud.createEvent();
    await cloud.db.pool.query("UPDATE join_codes SET expires_at = now() - interval '1 second' WHERE cloud_event_id = $1", [
      event.cloudEventId,
    ]);
    const res = await call(base, 'POST', '/sync/v1/enrol', {
      body: { joinCode: event.joinCode, deviceId: 'laptop-late-01', deviceName: 'Late' },
    });
    expect(res.status).toBe(403);
  });

  it('let a revoked laptop back only with a join code made after its revocation', async () => {
    const withOldCode = await call(base, 'POST', '/sync/v1/enrol', {
      body: { joinCode: eventA.joinCode, deviceId: 'laptop-a-lost', deviceName: 'Lost' },
    });
    expect(withOldCode.status).toBe(403);
    expect(withOldCode.body).toMatchObject({ code: 'revoked' });
    expect((withOldCode.body as { message: string }).message).toMatch(/join code they make after the revocation/);

    const fresh = await call(base, 'POST', `/cloud-api/events/${eventA.cloudEventId}/join-codes`, { token: eventA.organiserToken });
    const back = await call(base, 'POST', '/sync/v1/enrol', {
      body: { joinCode: (fresh.body as { joinCode: string }).joinCode, deviceId: 'laptop-a-lost', deviceName: 'Found' },
    });
    expect(back.status).toBe(200);
    expect((await call(base, 'GET', '/sync/v1/event', { token: (back.body as { deviceToken: string }).deviceToken })).status).toBe(200);
    // Its old token stays refused.
    expect((await call(base, 'GET', '/sync/v1/event', { token: revokedLaptop })).status).toBe(401);
  });

  it('store only hashes of tokens and join codes', async () => {
    const { rows } = await cloud.db.pool.query<{ t: string }>(
      `SELECT token_hash AS t FROM devices UNION ALL SELECT organiser_token_hash FROM cloud_events UNION ALL SELECT code_hash FROM join_codes`,
    );
    const stored = rows.map((r) => r.t).join(' ');
    for (const secret of [laptopA, laptopB, eventA.organiserToken, eventA.joinCode]) expect(stored).not.toContain(secret);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.t))).toBe(true);
  });
});
