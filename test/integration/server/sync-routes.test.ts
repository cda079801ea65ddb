// The console's Sync routes on a real engine and a real cloud endpoint (PostgreSQL, directory blob
// store): where the event's sync stands, enrolment with the organiser's join code, pause/resume and
// the bandwidth cap, and "sync now", all behind the operator token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, SyncView } from '../../../src/api/index.js';
import { watchLiveEvents } from '../../support/live-events.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { waitFor } from '../../support/temp-dir.js';
import { freePort, startCloudHarness, type CloudHarness } from '../cloud/cloud-harness.js';
import { jsonBody, startServedEvent, type ServedEvent } from './served-event.js';

let ev: ServedEvent;
let postgres: TestPostgres;
let cloud: CloudHarness;

beforeAll(async () => {
  [ev, postgres] = await Promise.all([startServedEvent({ faces: { enabled: false } }), startPostgres()]);
  cloud = await startCloudHarness(postgres);
}, 120_000);

afterAll(async () => {
  await ev?.close();
  await cloud?.close();
  await postgres?.stop();
});

const put = (body: unknown): RequestInit => ({ method: 'PUT', ...jsonBody(body) });
const post = (body: unknown): RequestInit => ({ method: 'POST', ...jsonBody(body) });

/** The event's sync view once it is in `state` (a background run may be finishing first). */
function untilState(state: SyncView['state']): Promise<SyncView> {
  return waitFor(
    async () => {
      const view = await ev.operatorJson<SyncView>('/api/sync');
      return view.state === state ? view : undefined;
    },
    `the sync state to be ${state}`,
    30_000,
    100,
  );
}

async function errorOf(res: Response): Promise<ApiError['error']> {
  return ((await res.json()) as ApiError).error;
}

describe('the sync routes are the operator’s', () => {
  it.each([
    ['GET', '/api/sync'],
    ['POST', '/api/sync/enrol'],
    ['PUT', '/api/sync/settings'],
    ['POST', '/api/sync/run'],
  ])('%s %s without the operator token answers 401', async (method, path) => {
    const body = method === 'GET' ? {} : jsonBody({ eventId: ev.eventId, endpoint: 'http://127.0.0.1:1', joinCode: 'ABC', paused: true });
    const res = await fetch(ev.url + path, { method, ...body });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('unauthorized');
  });
});

describe('before the event is enrolled', () => {
  it('says the event is not connected to the cloud', async () => {
    const view = await ev.operatorJson<SyncView>('/api/sync');
    expect(view).toMatchObject({ eventId: ev.eventId, state: 'not-enrolled', endpoint: null, publicBaseUrl: null, opsLeft: 0 });
  });

  it('refuses to sync now, saying to enrol first', async () => {
    const res = await ev.operator('/api/sync/run', { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/not connected to a cloud endpoint: enrol it first/);
  });

  it('refuses to pause or cap an event that is not enrolled', async () => {
    const res = await ev.operator('/api/sync/settings', put({ eventId: ev.eventId, paused: true }));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/not enrolled/);
  });

  it.each([
    ['no join code', { endpoint: 'http://127.0.0.1:1' }, /joinCode/],
    ['an endpoint that is not an address', { endpoint: 'cloud.example', joinCode: 'ABC' }, /http:\/\/ or https:\/\//],
    ['an ftp endpoint', { endpoint: 'ftp://cloud.example', joinCode: 'ABC' }, /http:\/\/ or https:\/\//],
    ['an empty join code', { endpoint: 'http://127.0.0.1:1', joinCode: '  ' }, /joinCode/],
    ['an unknown field', { endpoint: 'http://127.0.0.1:1', joinCode: 'ABC', token: 'x' }, /token/],
  ])('refuses an enrolment with %s (400, naming the field)', async (_what, fields, message) => {
    const res = await ev.operator('/api/sync/enrol', post({ eventId: ev.eventId, ...fields }));
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('bad-request');
    expect(error.message).toMatch(message);
  });

  it('refuses an enrolment of an event this laptop does not have (404)', async () => {
    const res = await ev.operator('/api/sync/enrol', post({ eventId: 9999, endpoint: cloud.urls[0], joinCode: 'ABC' }));
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe('No event with id 9999 on this laptop.');
  });

  it('answers 502 with what to check when the endpoint cannot be reached', async () => {
    // A loopback port just freed: nothing listens there, as on an endpoint that cannot be reached.
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const res = await ev.operator('/api/sync/enrol', post({ eventId: ev.eventId, endpoint, joinCode: 'ABCDEFGHJK' }));
    expect(res.status).toBe(502);
    expect(await errorOf(res)).toEqual({
      code: 'cloud-unreachable',
      message: `Cannot reach the cloud endpoint at ${endpoint}: check the address and the connection`,
    });
    expect((await ev.operatorJson<SyncView>('/api/sync')).state).toBe('not-enrolled');
  });

  it('answers 400 with the endpoint’s reason for a wrong join code', async () => {
    const res = await ev.operator('/api/sync/enrol', post({ eventId: ev.eventId, endpoint: cloud.urls[0], joinCode: 'WRONGCODE9' }));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/join code was refused/);
    expect((await ev.operatorJson<SyncView>('/api/sync')).state).toBe('not-enrolled');
  });
});

describe('once enrolled with the organiser’s join code', () => {
  let enrolled: SyncView;

  beforeAll(async () => {
    const created = await cloud.createEvent({ name: 'Garden party in the cloud' });
    enrolled = await ev.operatorJson<SyncView>(
      '/api/sync/enrol',
      post({ eventId: ev.eventId, endpoint: cloud.urls[0], joinCode: created.joinCode, deviceName: 'Second shooter' }),
    );
  }, 60_000);

  it('shows the endpoint, the laptop’s name and where attendees reach the event', async () => {
    expect(enrolled).toMatchObject({
      eventId: ev.eventId,
      endpoint: cloud.urls[0],
      publicBaseUrl: cloud.urls[0],
      deviceName: 'Second shooter',
    });
    expect(enrolled.state).not.toBe('not-enrolled');
    expect((await ev.operatorJson<SyncView>('/api/sync')).cloudEventId).toBe(enrolled.cloudEventId);
  });

  it('tells a watching console when sync is paused, through the live stream', async () => {
    const live = await watchLiveEvents(
      (signal) => ev.operator('/api/live', { signal }),
      'sync',
      (e) => e.sync.state === 'paused',
    );
    try {
      await ev.operatorJson<SyncView>('/api/sync/settings', put({ eventId: ev.eventId, paused: true }));
      expect((await live.awaited).sync).toMatchObject({ eventId: ev.eventId, state: 'paused', endpoint: cloud.urls[0] });
    } finally {
      live.stop();
      await ev.operatorJson<SyncView>('/api/sync/settings', put({ eventId: ev.eventId, paused: false }));
    }
  });

  it('pauses and resumes, and GET says so', async () => {
    await ev.operatorJson<SyncView>('/api/sync/settings', put({ eventId: ev.eventId, paused: true }));
    // A run the background loop had started finishes first; then the event stays paused.
    await untilState('paused');

    const run = await ev.operator('/api/sync/run', { method: 'POST' });
    expect(run.status).toBe(409);
    expect((await errorOf(run)).message).toMatch(/is paused: resume it first/);

    const resumed = await ev.operatorJson<SyncView>('/api/sync/settings', put({ eventId: ev.eventId, paused: false }));
    expect(resumed.state).not.toBe('paused');
    expect((await ev.operatorJson<SyncView>('/api/sync')).state).not.toBe('paused');
    await untilState('idle');
  });

  it('keeps a bandwidth cap until it is taken off, and GET says so', async () => {
    const capped = await ev.operatorJson<SyncView>(
      '/api/sync/settings',
      put({ eventId: ev.eventId, bandwidthCapBytesPerSecond: 6_250_000 }),
    );
    expect(capped.bandwidthCapBytesPerSecond).toBe(6_250_000);
    expect((await ev.operatorJson<SyncView>('/api/sync')).bandwidthCapBytesPerSecond).toBe(6_250_000);

    const uncapped = await ev.operatorJson<SyncView>('/api/sync/settings', put({ eventId: ev.eventId, bandwidthCapBytesPerSecond: null }));
    expect(uncapped.bandwidthCapBytesPerSecond).toBeNull();
    expect((await ev.operatorJson<SyncView>('/api/sync')).bandwidthCapBytesPerSecond).toBeNull();
  });

  it.each([
    ['nothing to change', {}, /Give `paused`, `bandwidthCapBytesPerSecond` or both/],
    ['a cap of zero', { bandwidthCapBytesPerSecond: 0 }, /bandwidthCapBytesPerSecond/],
    ['a negative cap', { bandwidthCapBytesPerSecond: -5 }, /bandwidthCapBytesPerSecond/],
    ['a cap in words', { bandwidthCapBytesPerSecond: '50 Mbit' }, /bandwidthCapBytesPerSecond/],
    ['paused as a word', { paused: 'yes' }, /paused/],
  ])('refuses settings with %s (400) and changes nothing', async (_what, fields, message) => {
    const before = await ev.operatorJson<SyncView>('/api/sync');
    const res = await ev.operator('/api/sync/settings', put({ eventId: ev.eventId, ...fields }));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(message);
    const after = await ev.operatorJson<SyncView>('/api/sync');
    expect({ state: after.state, cap: after.bandwidthCapBytesPerSecond }).toEqual({
      state: before.state,
      cap: before.bandwidthCapBytesPerSecond,
    });
  });

  it('starts a sync now (202) and it ends up to date with nothing left to send', async () => {
    const before = await untilState('idle');
    const res = await ev.operator('/api/sync/run', { method: 'POST' });
    expect(res.status).toBe(202);
    expect(((await res.json()) as SyncView).eventId).toBe(ev.eventId);
    const done = await waitFor(
      async () => {
        const view = await ev.operatorJson<SyncView>('/api/sync');
        return view.state === 'idle' && view.lastSyncedAt !== before.lastSyncedAt ? view : undefined;
      },
      'the requested sync to finish',
      30_000,
      100,
    );
    expect(done).toMatchObject({ opsLeft: 0, blobsLeft: 0, bytesLeft: 0, lastError: null });
  }, 40_000);
});
