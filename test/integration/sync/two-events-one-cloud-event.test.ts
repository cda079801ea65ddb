// One laptop, two local events sent to one cloud event (a two-day wedding kept as "Day 1" and
// "Day 2", one gallery for the couple): each local event is a device of its own at the endpoint,
// so enrolling the second does not revoke the first, and both logs arrive whole. Before, both
// enrolled as the laptop's one device: the second enrolment revoked the first event's token.
import { describe, expect, it } from 'vitest';
import { createEventSync, eventDeviceId } from '../../../src/sync/index.js';
import { useTempDatabase } from '../../support/database.js';
import { useTestCloud } from './cloud-setup.js';

const temp = useTempDatabase();
const cloud = useTestCloud();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A local event with named guests (operations are enough; no photos needed). */
function localEvent(name: string, guests: string[]): number {
  const { db } = temp;
  const eventId = Number(db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?)').run(name, Date.now()).lastInsertRowid);
  for (const guest of guests) {
    db.prepare('INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
      eventId,
      guest,
      Date.now(),
      Date.now(),
    );
  }
  return eventId;
}

/** Sync of this laptop (one data dir), as the engine makes it. */
const laptopSync = () =>
  createEventSync({
    repo: temp.repos.sync,
    dataDir: temp.dir,
    log: quiet,
    defaultDeviceName: 'Studio laptop',
    attendeeMediaPath: async () => null,
  });

describe('two local events sent to one cloud event', () => {
  it('are two devices there: both stay enrolled, both sync, and the organiser sees every guest of both days', async () => {
    const dayOne = localEvent('Day 1', ['Ana', 'Bo']);
    const dayTwo = localEvent('Day 2', ['Cleo', 'Dev', 'Eli']);
    const sync = laptopSync();
    const created = await cloud.createEvent();

    await sync.enroll(dayOne, { endpoint: cloud.url, joinCode: created.joinCode });
    expect((await sync.runOnce(dayOne)).opsSent).toBe(2);
    await sync.enroll(dayTwo, { endpoint: cloud.url, joinCode: created.joinCode });
    expect((await sync.runOnce(dayTwo)).opsSent).toBe(3);

    // Day 1 keeps syncing after Day 2 enrolled (its token was revoked before), and a new guest arrives.
    localEventGuest(dayOne, 'Fay');
    await sync.recordChanges(dayOne);
    expect((await sync.runOnce(dayOne)).opsSent).toBe(1);
    expect(sync.view(dayOne)).toMatchObject({ state: 'idle', lastError: null });

    const devices = await cloud.query<{ device_id: string; revoked: boolean }>(
      'SELECT device_id, revoked_at IS NOT NULL AS revoked FROM devices WHERE cloud_event_id = $1 ORDER BY id',
      [created.cloudEventId],
    );
    expect(devices).toEqual([
      { device_id: eventDeviceId(sync.deviceId, dayOne), revoked: false },
      { device_id: eventDeviceId(sync.deviceId, dayTwo), revoked: false },
    ]);
    const names = await cloud.query<{ name: string }>('SELECT name FROM persons WHERE cloud_event_id = $1 ORDER BY name', [
      created.cloudEventId,
    ]);
    expect(names.map((n) => n.name)).toEqual(['Ana', 'Bo', 'Cleo', 'Dev', 'Eli', 'Fay']);
  });

  it('an event enrolled before each event had its own device keeps the laptop’s id when it enrols again', async () => {
    const day = localEvent('Welcome drinks', ['Hana']);
    const sync = laptopSync();
    const created = await cloud.createEvent();
    await sync.enroll(day, { endpoint: cloud.url, joinCode: created.joinCode });
    await sync.runOnce(day);
    // As an older version left it: enrolled (and known to the endpoint) as the laptop's own device.
    temp.db.prepare('UPDATE sync_enrolments SET device_id = NULL WHERE event_id = ?').run(day);
    await cloud.query('UPDATE devices SET device_id = $1 WHERE cloud_event_id = $2', [sync.deviceId, created.cloudEventId]);
    expect(sync.deviceIdOf(day)).toBe(sync.deviceId);

    await sync.enroll(day, { endpoint: cloud.url, joinCode: created.joinCode });
    localEventGuest(day, 'Ivo');
    await sync.recordChanges(day);
    await sync.runOnce(day);
    expect(sync.view(day)).toMatchObject({ opsLeft: 0, lastError: null });
    const devices = await cloud.query<{ device_id: string }>('SELECT device_id FROM devices WHERE cloud_event_id = $1', [
      created.cloudEventId,
    ]);
    expect(devices).toEqual([{ device_id: sync.deviceId }]);
    const names = await cloud.query<{ name: string }>('SELECT name FROM persons WHERE cloud_event_id = $1 ORDER BY name', [
      created.cloudEventId,
    ]);
    expect(names.map((n) => n.name)).toEqual(['Hana', 'Ivo']);
  });

  it('enrolling an event again is the same device again, not one more', async () => {
    const day = localEvent('Rehearsal', ['Gus']);
    const sync = laptopSync();
    const created = await cloud.createEvent();
    await sync.enroll(day, { endpoint: cloud.url, joinCode: created.joinCode });
    await sync.runOnce(day);
    await sync.enroll(day, { endpoint: cloud.url, joinCode: created.joinCode });
    await sync.runOnce(day);
    const devices = await cloud.query<{ device_id: string }>('SELECT device_id FROM devices WHERE cloud_event_id = $1', [
      created.cloudEventId,
    ]);
    expect(devices).toEqual([{ device_id: eventDeviceId(sync.deviceId, day) }]);
  });
});

function localEventGuest(eventId: number, name: string): void {
  temp.db
    .prepare('INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)')
    .run(eventId, name, Date.now(), Date.now());
}
