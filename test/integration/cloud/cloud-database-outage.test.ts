// The endpoint's database going away (restarted, unreachable): laptops are told to come back
// later (503 with Retry-After, which their sync backs off on), not that their batch is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { call, photoPuts, postBatch, startCloudHarness, type CloudHarness } from './cloud-harness.js';

let postgres: TestPostgres;
let cloud: CloudHarness;

beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres);
});
afterAll(async () => {
  await cloud?.close();
});

describe('a database outage', () => {
  it('answers 503 with Retry-After and a sentence while PostgreSQL is down', async () => {
    const event = await cloud.createEvent();
    const token = await cloud.enrol(event.joinCode, 'laptop-outage-1');
    const base = cloud.urls[0]!;
    expect((await postBatch(base, token, 'before-outage', photoPuts(1, 2, 'laptop-outage-1'))).status).toBe(200);

    await postgres.stop();
    const during = await postBatch(base, token, 'during-outage', photoPuts(3, 2, 'laptop-outage-1'));
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('30');
    expect(during.body).toEqual({
      code: 'unavailable',
      message: 'The endpoint cannot reach its database right now: try again in a minute.',
    });
    expect((await call(base, 'GET', '/healthz')).status).toBe(503);
  });
});
