// Several laptops, one cloud event: two endpoint instances on one database receive two laptops'
// batches interleaved and at once. One merged event comes out: no duplicate photo, the union of
// sources, tombstones per laptop, per-field last-writer-wins names, suggested person links, and
// take-home links that open with the kiosk's token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncOperation } from '../../../src/api/index.js';
import { hashSecret } from '../../../src/config/index.js';
import { openGallery } from '../../../src/cloud/database/index.js';
import { encodeDescriptor } from '../../../src/cloud/merge/index.js';
import type { CreatedCloudEvent, OrganiserSummary } from '../../../src/cloud/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { call, hlc, photoPut, postBatch, sha, startCloudHarness, type CloudHarness } from './cloud-harness.js';

let postgres: TestPostgres;
let cloud: CloudHarness;

beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres, { instances: 2 });
});
afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

const T0 = 1_750_000_000_000;
const A = 'laptop-alpha-01';
const B = 'laptop-bravo-02';

/**
 * A laptop's operation log: sequence numbers and clock stamps as the laptop makes them, and how
 * much of it has reached the cloud (what the next `sendLog` sends).
 */
function operationLog(device: string) {
  let seq = 0;
  let clock = 0;
  const ops: SyncOperation[] = [];
  return {
    device,
    ops,
    sent: 0,
    add(op: Record<string, unknown> & { kind: SyncOperation['kind'] }, at?: number): SyncOperation {
      clock = Math.max(clock + 1, at ?? 0);
      const full = { ...op, seq: ++seq, hlc: hlc(T0 + clock, device) } as SyncOperation;
      ops.push(full);
      return full;
    },
  };
}
type OperationLog = ReturnType<typeof operationLog>;

function photo(log: OperationLog, name: string, at?: number) {
  const { seq: _seq, hlc: _hlc, ...rest } = photoPut(1, hlc(1, A), name);
  return log.add(rest, at);
}

const descriptor = (direction: number, wobble = 0) => {
  const v = Array.from({ length: 128 }, (_, i) => Math.sin(i * (direction + 1)) + (i === 0 ? wobble : 0));
  return encodeDescriptor(v).toString('base64');
};

/** A face of `personId` on the photo named `photoName`, as the laptop sends it (`faceDescriptor` from `descriptor`). */
function face(
  faceId: number,
  photoName: string,
  personId: number,
  faceDescriptor: string,
  box: [number, number, number, number] = [1, 1, 1, 1],
): Omit<Extract<SyncOperation, { kind: 'face.put' }>, 'seq' | 'hlc'> {
  return { kind: 'face.put', faceId, photoSha256: sha(photoName), box, personId, descriptor: faceDescriptor };
}

const ANAS_KIOSK_TOKEN = 'kiosk-token-of-ana';

/** The take-home link Ana's kiosk session made, with its photos by name, as a laptop sends it. */
const anasTakeHomeLink = (photoNames: string[]) =>
  ({
    kind: 'gallery.put',
    tokenHash: hashSecret(ANAS_KIOSK_TOKEN),
    photoSha256s: photoNames.map(sha),
    createdAt: '2026-06-01T20:00:00.000Z',
    expiresAt: '2099-01-01T00:00:00.000Z',
  }) as const;

/** The email Ana asked for at Alpha's kiosk (her address, one photo), as the laptop sends it. */
const anasEmail = () =>
  ({
    kind: 'delivery.put',
    deliveryId: 1,
    channel: 'email',
    address: 'ana@example.org',
    galleryTokenHash: hashSecret(ANAS_KIOSK_TOKEN),
    photoSha256s: [sha('shared-3')],
    createdAt: '2026-06-01T20:00:00.000Z',
  }) as const;

/** Sends what the log has not sent yet in batches of `size`, each batch to both endpoint instances at once with one key. */
async function sendLog(token: string, log: OperationLog, size = 5): Promise<void> {
  for (; log.sent < log.ops.length; log.sent += size) {
    const batch = log.ops.slice(log.sent, log.sent + size);
    const key = `${log.device}-${batch[0]!.seq}-${batch.at(-1)!.seq}`;
    const [x, y] = await Promise.all(cloud.urls.map((url) => postBatch(url, token, key, batch)));
    expect(x!.status, JSON.stringify(x!.body)).toBe(200);
    expect(y!.body).toEqual(x!.body);
  }
  log.sent = log.ops.length;
}

async function summary(event: CreatedCloudEvent): Promise<OrganiserSummary> {
  const res = await call(cloud.urls[1]!, 'GET', `/cloud-api/events/${event.cloudEventId}`, { token: event.organiserToken });
  expect(res.status).toBe(200);
  return res.body as OrganiserSummary;
}

describe('two laptops through two endpoint instances', () => {
  let event: CreatedCloudEvent;
  let tokenA: string;
  let tokenB: string;
  const logA = operationLog(A);
  const logB = operationLog(B);

  beforeAll(async () => {
    event = await cloud.createEvent({ name: 'Harbour Gala', cloudFaceSearch: true });
    tokenA = await cloud.enrol(event.joinCode, A, 'Alpha');
    tokenB = await cloud.enrol(event.joinCode, B, 'Bravo');

    // 40 photos both laptops hold (copied cards), and 30 of each laptop's own.
    for (let i = 0; i < 40; i++) photo(logA, `shared-${i}`);
    for (let i = 0; i < 30; i++) photo(logA, `alpha-${i}`);
    for (let i = 0; i < 30; i++) photo(logB, `bravo-${i}`);
    for (let i = 0; i < 40; i++) photo(logB, `shared-${i}`);

    // The same attendee on both laptops (close descriptors), and someone only Bravo saw (far).
    logA.add({ kind: 'person.put', personId: 1, name: 'Ana', doNotPublish: false }, 100);
    logB.add({ kind: 'person.put', personId: 7, name: 'Anna Lee', doNotPublish: false }, 200);
    logB.add({ kind: 'person.put', personId: 8, name: null, doNotPublish: false }, 201);
    for (let f = 0; f < 3; f++) {
      logA.add(face(10 + f, `shared-${f}`, 1, descriptor(1, f * 0.01), [1, 2, 3, 4]));
      logB.add(face(70 + f, `shared-${f}`, 7, descriptor(1, -f * 0.01), [1, 2, 3, 4]));
    }
    logB.add(face(80, 'bravo-0', 8, descriptor(9), [5, 6, 7, 8]));
    // Alpha later flips only do-not-publish: its name "Ana" must not become newer than Bravo's "Anna Lee".
    logA.add({ kind: 'person.put', personId: 1, name: 'Ana', doNotPublish: false }, 300);

    // Tombstones: Alpha drops shared-0 (Bravo still has it) and alpha-0; both drop shared-1.
    logA.add({ kind: 'photo.remove', sha256: sha('shared-0') });
    logA.add({ kind: 'photo.remove', sha256: sha('alpha-0') });
    logA.add({ kind: 'photo.remove', sha256: sha('shared-1') });
    logB.add({ kind: 'photo.remove', sha256: sha('shared-1') });

    // A take-home link and an email request from Alpha's kiosk.
    logA.add(anasTakeHomeLink(['shared-3', 'shared-1', 'shared-2', 'alpha-5']));
    logA.add(anasEmail());

    // Both laptops at once, in batches of different sizes, each batch to both instances.
    await Promise.all([sendLog(tokenA, logA, 17), sendLog(tokenB, logB, 11)]);
  });

  it('hold each photo once, with the union of the laptops that hold it', async () => {
    const { rows } = await cloud.db.pool.query<{ sha256: string; n: number }>(
      'SELECT sha256, count(*)::int AS n FROM photos WHERE cloud_event_id = $1 GROUP BY sha256 HAVING count(*) > 1',
      [event.cloudEventId],
    );
    expect(rows).toEqual([]);
    const s = await summary(event);
    const shown = new Map(s.photos.map((p) => [p.sha256, p.devicePks.length]));
    // 40 shared + 30 + 30, less shared-1 (dropped by both) and alpha-0 (dropped by its only laptop).
    expect(s.photos).toHaveLength(98);
    expect(shown.get(sha('shared-5'))).toBe(2);
    expect(shown.get(sha('shared-0'))).toBe(1);
    expect(shown.has(sha('shared-1'))).toBe(false);
    expect(shown.has(sha('alpha-0'))).toBe(false);
    expect(s.devices.map((d) => d.nextSeq).sort()).toEqual([logA.ops.length + 1, logB.ops.length + 1].sort());
  });

  it('bring a photo back when its laptop sends it again after removing it', async () => {
    photo(logA, 'alpha-0');
    await sendLog(tokenA, logA);
    const s = await summary(event);
    expect(s.photos.some((p) => p.sha256 === sha('alpha-0'))).toBe(true);
  });

  it('suggest the same attendee on both laptops as one person, and not the stranger', async () => {
    const s = await summary(event);
    const ana = s.people.find((p) => p.name === 'Ana')!;
    const annaLee = s.people.find((p) => p.name === 'Anna Lee')!;
    expect(ana.links).toEqual([{ id: expect.any(Number), otherPersonId: annaLee.id, state: 'suggested', distance: expect.any(Number) }]);
    expect(s.people.find((p) => p.localId === 8)!.links).toEqual([]);
  });

  it('show the name written last across confirmed links, field by field', async () => {
    const before = await summary(event);
    const ana = before.people.find((p) => p.name === 'Ana')!;
    const confirmed = await call(
      cloud.urls[0]!,
      'POST',
      `/cloud-api/events/${event.cloudEventId}/person-links/${ana.links[0]!.id}/confirm`,
      {
        token: event.organiserToken,
      },
    );
    expect(confirmed.body).toEqual({ id: ana.links[0]!.id, state: 'confirmed' });
    const after = await summary(event);
    // Bravo named her at 200; Alpha named her at 100 and at 300 only changed do-not-publish (unchanged name).
    expect(after.people.filter((p) => p.localId === 1 || p.localId === 7).map((p) => p.merged.name)).toEqual(['Anna Lee', 'Anna Lee']);

    // Alpha renames her later: its name wins now.
    logA.add({ kind: 'person.put', personId: 1, name: 'Ana Lima', doNotPublish: false }, 400);
    await sendLog(tokenA, logA);
    const renamed = await summary(event);
    expect(renamed.people.filter((p) => p.localId === 1 || p.localId === 7).map((p) => p.merged.name)).toEqual(['Ana Lima', 'Ana Lima']);
  });

  it('never suggest a rejected pair again', async () => {
    const s = await summary(event);
    const stranger = s.people.find((p) => p.localId === 8)!;
    // The stranger's later faces look like Ana: suggested once, rejected, then more faces arrive.
    logB.add(face(81, 'bravo-1', 8, descriptor(1)));
    logB.add({ kind: 'face.remove', faceId: 80 });
    await sendLog(tokenB, logB);
    const suggested = (await summary(event)).people.find((p) => p.id === stranger.id)!.links.filter((l) => l.state === 'suggested');
    expect(suggested.length).toBeGreaterThan(0);
    for (const link of suggested) {
      await call(cloud.urls[1]!, 'POST', `/cloud-api/events/${event.cloudEventId}/person-links/${link.id}/reject`, {
        token: event.organiserToken,
      });
    }
    logB.add(face(82, 'bravo-2', 8, descriptor(1)));
    await sendLog(tokenB, logB);
    const links = (await summary(event)).people.find((p) => p.id === stranger.id)!.links;
    expect(links.every((l) => l.state === 'rejected')).toBe(true);
  });

  it('drop a person its laptop removed from the people and from the links of others', async () => {
    const before = await summary(event);
    const stranger = before.people.find((p) => p.localId === 8)!;
    expect(before.people.some((p) => p.links.some((l) => l.otherPersonId === stranger.id))).toBe(true);
    logB.add({ kind: 'person.remove', personId: 8 });
    await sendLog(tokenB, logB);
    const after = await summary(event);
    expect(after.people.some((p) => p.id === stranger.id)).toBe(false);
    expect(after.people.some((p) => p.links.some((l) => l.otherPersonId === stranger.id))).toBe(false);
  });

  it("open the kiosk's take-home link with the kiosk's own token, leaving out photos no laptop holds", async () => {
    const gallery = await openGallery(cloud.db, ANAS_KIOSK_TOKEN);
    if (typeof gallery === 'string') throw new Error(gallery);
    expect(gallery.event).toEqual({ id: event.cloudEventId, name: 'Harbour Gala' });
    expect(gallery.photos.map((p) => p.sha256)).toEqual([sha('shared-3'), sha('shared-2'), sha('alpha-5')]);
    expect(gallery.photos[0]).toMatchObject({ fileName: 'IMG_shared-3.JPG', width: 6000, height: 4000, thumbStored: false });
    expect(await openGallery(cloud.db, 'some-other-token')).toBe('not-found');
  });

  it('let no other laptop change a take-home link', async () => {
    logB.add(anasTakeHomeLink(['bravo-9']));
    await sendLog(tokenB, logB);
    const gallery = await openGallery(cloud.db, ANAS_KIOSK_TOKEN);
    if (typeof gallery === 'string') throw new Error(gallery);
    expect(gallery.photos.map((p) => p.sha256)).not.toContain(sha('bravo-9'));
  });

  it('leave photos of a person who asked not to be published out of the gallery', async () => {
    // Bravo's "Anna Lee" (linked to Alpha's Ana, who is on shared-0..2) asks not to be published.
    logB.add({ kind: 'person.put', personId: 7, name: 'Anna Lee', doNotPublish: true }, 500);
    await sendLog(tokenB, logB);
    const gallery = await openGallery(cloud.db, ANAS_KIOSK_TOKEN);
    if (typeof gallery === 'string') throw new Error(gallery);
    expect(gallery.photos.map((p) => p.sha256)).toEqual([sha('shared-3'), sha('alpha-5')]);
  });

  it('show deliveries to the organiser without their address, and never bring back an address deleted after sending', async () => {
    const s = await summary(event);
    expect(s.deliveries).toHaveLength(1);
    expect(JSON.stringify(s)).not.toContain('ana@example.org');
    // The email loop sent it and deleted the address; the laptop, not knowing yet, sends the delivery again.
    await cloud.db.pool.query("UPDATE deliveries SET state = 'sent', sent_at = now(), address = NULL WHERE cloud_event_id = $1", [
      event.cloudEventId,
    ]);
    logA.add(anasEmail());
    await sendLog(tokenA, logA);
    const { rows } = await cloud.db.pool.query('SELECT address, state FROM deliveries WHERE cloud_event_id = $1', [event.cloudEventId]);
    expect(rows).toEqual([{ address: null, state: 'sent' }]);
    const states = await call(cloud.urls[0]!, 'GET', '/sync/v1/deliveries', { token: tokenA });
    expect(states.body).toEqual({ deliveries: [{ deliveryId: 1, state: 'sent', sentAt: expect.any(String), error: null }] });
  });
});

describe('an event without cloud face search', () => {
  it('stores no face descriptor and suggests no link', async () => {
    const event = await cloud.createEvent({ cloudFaceSearch: false });
    const token = await cloud.enrol(event.joinCode, 'laptop-private');
    const ops: SyncOperation[] = [
      photoPut(1, hlc(T0 + 1, 'laptop-private'), 'private-1'),
      { seq: 2, hlc: hlc(T0 + 2, 'laptop-private'), kind: 'person.put', personId: 1, name: null, doNotPublish: false },
      { seq: 3, hlc: hlc(T0 + 3, 'laptop-private'), ...face(1, 'private-1', 1, descriptor(1), [1, 2, 3, 4]) },
    ];
    expect((await postBatch(cloud.urls[0]!, token, 'private-1', ops)).status).toBe(200);
    const { rows } = await cloud.db.pool.query('SELECT descriptor FROM faces WHERE cloud_event_id = $1', [event.cloudEventId]);
    expect(rows).toEqual([{ descriptor: null }]);
  });
});

describe('laptops racing on the same photos', () => {
  it('apply both when two laptops send the same photos in opposite orders at once (no photo lost or doubled)', async () => {
    const event = await cloud.createEvent();
    const up = 'laptop-upward-1';
    const down = 'laptop-downward';
    const [tokenUp, tokenDown] = [await cloud.enrol(event.joinCode, up), await cloud.enrol(event.joinCode, down)];
    const names = Array.from({ length: 300 }, (_, i) => `race-${i}`);
    const log = (device: string, order: string[]) => order.map((name, i) => photoPut(i + 1, hlc(T0 + i + 1, device), name));
    // Rows locked in opposite orders by two transactions are the textbook deadlock: PostgreSQL
    // aborts one, and the endpoint runs it again.
    const send = async (token: string, device: string, ops: SyncOperation[], url: string) => {
      for (let i = 0; i < ops.length; i += 100) {
        const res = await postBatch(url, token, `${device}-${i}`, ops.slice(i, i + 100));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    };
    await Promise.all([
      send(tokenUp, up, log(up, names), cloud.urls[0]!),
      send(tokenDown, down, log(down, [...names].reverse()), cloud.urls[1]!),
    ]);
    const { rows } = await cloud.db.pool.query<{ photos: number; sources: number }>(
      `SELECT count(DISTINCT p.id)::int AS photos, count(*)::int AS sources
       FROM photos p JOIN photo_sources s ON s.photo_id = p.id WHERE p.cloud_event_id = $1`,
      [event.cloudEventId],
    );
    expect(rows[0]).toEqual({ photos: 300, sources: 600 });
  });
});
