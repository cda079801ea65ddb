// Sync when things go wrong, against a real endpoint behind a real fault-injecting proxy: an
// unreachable endpoint leaves the event 'offline' and the background loop gets through by itself
// once the link is back; an endpoint that lost acknowledged operations stops sync with what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSync, SyncGapError, SyncRequestError, type EventSync } from '../../../src/sync/index.js';
import { useTempDatabase } from '../../support/database.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { waitFor } from '../../support/temp-dir.js';
import { startTestCloud, type TestCloud } from './cloud-setup.js';

const temp = useTempDatabase();
let cloud: TestCloud;
let proxy: FaultProxy;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  cloud = await startTestCloud();
  proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: Number(new URL(cloud.url).port) } });
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await cloud?.close();
});

/** An event with three persons (no photos needed for operations), and sync over it. */
function eventWithPersons(): { eventId: number; sync: EventSync } {
  const { db } = temp;
  const eventId = Number(db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?)').run('Gala', Date.now()).lastInsertRowid);
  for (const name of ['Ana', 'Bo', null]) {
    db.prepare('INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
      eventId,
      name,
      Date.now(),
      Date.now(),
    );
  }
  const sync = createEventSync({
    repo: temp.repos.sync,
    dataDir: temp.dir,
    log: quiet,
    defaultDeviceName: 'Test laptop',
    attendeeMediaPath: async () => null,
    // Fast retries, so the test sees the loop come back within seconds.
    backoff: { baseMs: 100, maxMs: 500 },
    debounceMs: 50,
  });
  return { eventId, sync };
}

describe('sync when the link or the endpoint fails', () => {
  it('says the event is offline while the endpoint cannot be reached, and the loop sends everything once it can', async () => {
    const { eventId, sync } = eventWithPersons();
    const created = await cloud.createEvent();
    await sync.enroll(eventId, { endpoint: proxy.url, joinCode: created.joinCode });
    proxy.setFault({ kind: 'refuse' });
    const failed = await sync.runOnce(eventId).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(SyncRequestError);
    expect((failed as SyncRequestError).kind).toBe('offline');
    expect((failed as Error).message).toMatch(/could not be reached.*tries again when the connection is back/);
    expect(sync.view(eventId)).toMatchObject({ state: 'offline', opsLeft: 3 });

    sync.start();
    try {
      await waitFor(() => sync.view(eventId).state === 'offline', 'the loop to find the endpoint unreachable too');
      proxy.setFault({ kind: 'none' });
      const synced = await waitFor(() => {
        const v = sync.view(eventId);
        return v.state === 'idle' && v.opsLeft === 0 ? v : undefined;
      }, 'the loop to get through once the link is back');
      expect(synced.lastError).toBeNull();
      const persons = await cloud.query<{ name: string | null }>(
        'SELECT p.name FROM persons p JOIN devices d ON d.id = p.device_pk WHERE d.device_id = $1 ORDER BY p.local_id',
        [sync.deviceId],
      );
      expect(persons.map((p) => p.name)).toEqual(['Ana', 'Bo', null]);
    } finally {
      await sync.stop();
    }
  });

  it('stops with what to do when the endpoint lost operations it had acknowledged', async () => {
    const { eventId, sync } = eventWithPersons();
    const created = await cloud.createEvent();
    await sync.enroll(eventId, { endpoint: cloud.url, joinCode: created.joinCode });
    await sync.runOnce(eventId);
    // As if operations 4–8 had been acknowledged and then lost by the endpoint (a restored backup).
    temp.db.prepare('UPDATE sync_enrolments SET next_seq = next_seq + 5, acked_seq = acked_seq + 5 WHERE event_id = ?').run(eventId);
    temp.db.prepare("UPDATE persons SET name = 'Ana Lima' WHERE name = 'Ana'").run();
    const failed = await sync.runOnce(eventId).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(SyncGapError);
    expect((failed as Error).message).toMatch(/lost operations 4–8 .*Enrol the event again/);
    expect(sync.view(eventId)).toMatchObject({ state: 'error', opsLeft: 1, lastError: expect.stringMatching(/Enrol the event again/) });
  });
});
