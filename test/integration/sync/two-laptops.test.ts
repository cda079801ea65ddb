// Two photographers, two laptops (two data dirs, each a real engine with faces, a kiosk and an
// attendee's take-home), syncing one cloud event at the same time through two endpoint instances
// on one PostgreSQL database and one blob store: the organiser sees one merged event, nothing is
// duplicated, every delivery is there and emailed once, each kiosk's link opens from either
// instance, and the same guest seen on both laptops is suggested as one person.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskResults, PhotoCard, TakeHomeResponse } from '../../../src/api/index.js';
import { openBlobStore } from '../../../src/cloud/blobs/index.js';
import { createCloudEvent, createMailer, startCloudServer, type CloudServer, type CreatedCloudEvent } from '../../../src/cloud/index.js';
import { engineRepositories } from '../../../src/core/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import { freePort } from '../cloud/cloud-harness.js';
import {
  dropPhoto,
  HER_PHOTO,
  jsonBody,
  pairKiosk,
  SAMPLES,
  selfieOf,
  startServedEvent,
  tokenOfGalleryUrl,
  waitForPhotos,
  type ServedEvent,
} from '../server/served-event.js';

interface Laptop {
  ev: ServedEvent;
  photos: Map<string, PhotoCard>;
  herPhotoName: string;
  galleryToken: string;
  address: string;
}

let postgres: TestPostgres;
let inbox: SmtpInbox;
let blobDir: string;
let servers: CloudServer[] = [];
let cloudEvent: CreatedCloudEvent;
let a: Laptop;
let b: Laptop;

const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await servers[0]!.db.pool.query(sql, params)).rows as T[];
const shaOf = (l: Laptop, name: string): string => engineRepositories(l.ev.engine).photos.getPhoto(l.photos.get(name)!.id)!.sha256!;

/** A laptop with its photos processed and an attendee who took her photo home at its kiosk, leaving her email. */
async function startLaptop(files: Record<string, string>, herPhotoName: string, address: string): Promise<Laptop> {
  const ev = await startServedEvent();
  for (const [name, path] of Object.entries(files)) await dropPhoto(ev.watchDir, name, path);
  const photos = await waitForPhotos(ev, Object.keys(files));
  const kiosk = await pairKiosk(ev, 'Entrance');
  const { sessionId } = await kiosk.startSession();
  const found = (await (await kiosk.search(sessionId, await selfieOf(photos.get(herPhotoName)!, HER_PHOTO))).json()) as KioskResults;
  expect(found.matches.length).toBeGreaterThan(0);
  const taken = (await (
    await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
      method: 'POST',
      ...jsonBody({ photoIds: found.matches.map((m) => m.photoId), contact: { channel: 'email', address }, notifyOptIn: false }),
    })
  ).json()) as TakeHomeResponse;
  return { ev, photos, herPhotoName, galleryToken: tokenOfGalleryUrl(taken.galleryUrl), address };
}

/** The face (and so the person) of her photo on a laptop: the one a selfie of her matches. */
function herPersonId(l: Laptop): number {
  const faces = engineRepositories(l.ev.engine).faces.facesOfPhoto(l.photos.get(l.herPhotoName)!.id);
  const person = faces.map((f) => f.personId).find((id): id is number => id !== null);
  if (person === undefined) throw new Error('her photo has no person on this laptop');
  return person;
}

beforeAll(async () => {
  postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase();
  inbox = await startSmtpInbox();
  blobDir = await makeTempDir('shutterfind-two-laptops-blobs-');
  // Two instances of one deployment: one database, one blob store, one signing secret, one mail relay.
  servers = await Promise.all(
    [0, 1].map(async () => {
      const port = await freePort();
      const publicBaseUrl = `http://127.0.0.1:${port}`;
      return startCloudServer({
        databaseUrl,
        blobs: openBlobStore(join(blobDir, 'store'), { publicBaseUrl, signingSecret: 'one-deployment-secret' }),
        publicBaseUrl,
        port,
        mailer: createMailer({ smtpUrl: inbox.url, from: 'photos@example.org' }),
        onError: (err) => console.error(err),
      });
    }),
  );
  cloudEvent = await createCloudEvent(servers[0]!.db, { name: 'Garden party', uploadOriginals: false, cloudFaceSearch: true });
  // The same frame of her on both laptops (a card copied to both), under another name on the second.
  [a, b] = await Promise.all([
    startLaptop({ 'IMG_0001.jpg': SAMPLES[0]!, 'IMG_0006.jpg': HER_PHOTO }, 'IMG_0006.jpg', 'ana@example.com'),
    startLaptop({ 'DSC_1006.JPG': HER_PHOTO, 'DSC_1002.JPG': SAMPLES[1]! }, 'DSC_1006.JPG', 'ana.b@example.com'),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all([a?.ev.close(), b?.ev.close()]);
  await Promise.all(servers.map((s) => s.close()));
  await inbox?.close();
  await postgres?.stop();
  if (blobDir) await removeDir(blobDir);
});

describe('two laptops syncing one cloud event at the same time', () => {
  it('merge into one event through two endpoint instances: every photo once, the shared frame with both laptops as sources', async () => {
    await a.ev.engine.sync.enroll(a.ev.eventId, { endpoint: servers[0]!.url, joinCode: cloudEvent.joinCode, deviceName: 'Laptop A' });
    await b.ev.engine.sync.enroll(b.ev.eventId, { endpoint: servers[1]!.url, joinCode: cloudEvent.joinCode, deviceName: 'Laptop B' });
    await Promise.all([a.ev.engine.sync.runOnce(a.ev.eventId), b.ev.engine.sync.runOnce(b.ev.eventId)]);

    const expected = [...new Set([...a.photos.keys()].map((n) => shaOf(a, n)).concat([...b.photos.keys()].map((n) => shaOf(b, n))))].sort();
    expect(expected).toHaveLength(3);
    const photos = await query<{ sha256: string; sources: string; preview_sha256: string | null }>(
      `SELECT p.sha256, p.preview_sha256, count(s.device_pk) FILTER (WHERE s.removed_hlc IS NULL) AS sources
         FROM photos p JOIN photo_sources s ON s.photo_id = p.id GROUP BY p.id ORDER BY p.sha256`,
    );
    expect(photos.map((p) => p.sha256)).toEqual(expected);
    expect(photos.every((p) => p.preview_sha256 !== null)).toBe(true);
    const shared = shaOf(a, 'IMG_0006.jpg');
    expect(shaOf(b, 'DSC_1006.JPG')).toBe(shared);
    expect(Object.fromEntries(photos.map((p) => [p.sha256, Number(p.sources)]))[shared]).toBe(2);

    // Faces and persons keep their laptop of origin: each laptop's own, none lost, none twice.
    const count = (l: Laptop) => {
      const repos = engineRepositories(l.ev.engine);
      const faces = [...l.photos.values()].reduce((n, p) => n + repos.faces.facesOfPhoto(p.id).length, 0);
      return { faces, persons: repos.persons.listPersons(l.ev.eventId).length };
    };
    const [faces] = await query<{ n: string }>('SELECT count(*) AS n FROM faces WHERE removed_hlc IS NULL');
    expect(Number(faces!.n)).toBe(count(a).faces + count(b).faces);
    const [persons] = await query<{ n: string }>('SELECT count(*) AS n FROM persons WHERE removed_hlc IS NULL');
    expect(Number(persons!.n)).toBe(count(a).persons + count(b).persons);
    const devices = await query<{ name: string }>('SELECT name FROM devices ORDER BY name');
    expect(devices.map((d) => d.name)).toEqual(['Laptop A', 'Laptop B']);
  });

  it('keeps every delivery and emails each attendee exactly once, whichever instance took it', async () => {
    const deliveries = await query<{ state: string }>('SELECT state FROM deliveries');
    expect(deliveries).toHaveLength(2);
    await waitFor(
      async () => (await query<{ state: string }>("SELECT state FROM deliveries WHERE state = 'sent'")).length === 2,
      'both emails to be sent',
      60_000,
    );
    // Both instances run the mail loop: sent rows have no address left, so none can go twice.
    await Promise.all([a.ev.engine.sync.runOnce(a.ev.eventId), b.ev.engine.sync.runOnce(b.ev.eventId)]);
    expect(inbox.messages.filter((m) => m.to.includes(a.address))).toHaveLength(1);
    expect(inbox.messages.filter((m) => m.to.includes(b.address))).toHaveLength(1);
    const [left] = await query<{ n: string }>('SELECT count(*) AS n FROM deliveries WHERE address IS NOT NULL');
    expect(Number(left!.n)).toBe(0);
  });

  it('opens each kiosk’s take-home link from either instance, with that attendee’s photo only', async () => {
    for (const l of [a, b]) {
      for (const server of servers) {
        const res = await fetch(`${server.url}/gallery-api/${l.galleryToken}`);
        expect(res.status).toBe(200);
        const view = (await res.json()) as { photos: { photoId: number }[] };
        expect(view.photos).toHaveLength(1);
      }
    }
  });

  it('suggests the guest seen on both laptops as one person; once the organiser confirms, her last rename on either laptop names her', async () => {
    const her = await query<{ id: string; device: string }>(
      `SELECT p.id, d.name AS device FROM persons p JOIN devices d ON d.id = p.device_pk
        WHERE (d.name = 'Laptop A' AND p.local_id = $1) OR (d.name = 'Laptop B' AND p.local_id = $2)`,
      [herPersonId(a), herPersonId(b)],
    );
    expect(her).toHaveLength(2);
    const [x, y] = her.map((p) => Number(p.id)).sort((p, q) => p - q);
    const [link] = await query<{ id: string; state: string }>('SELECT id, state FROM person_links WHERE person_a = $1 AND person_b = $2', [
      x,
      y,
    ]);
    expect(link?.state).toBe('suggested');

    const organiser = (path: string, init: RequestInit = {}) =>
      fetch(`${servers[1]!.url}/cloud-api/events/${cloudEvent.cloudEventId}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${cloudEvent.organiserToken}` },
      });
    expect((await organiser(`/person-links/${link!.id}/confirm`, { method: 'POST' })).status).toBe(200);

    const mergedName = async (): Promise<string | null> => {
      const summary = (await (await organiser('')).json()) as { people: { id: number; merged: { name: string | null } }[] };
      return summary.people.find((p) => p.id === x)!.merged.name;
    };
    a.ev.engine.people.rename(a.ev.eventId, herPersonId(a), 'Ana');
    await a.ev.engine.sync.runOnce(a.ev.eventId);
    expect(await mergedName()).toBe('Ana');

    // Laptop B is off the network (paused) when its photographer renames her; the change is logged
    // with the time it was made. Laptop A renames her after that and syncs first.
    b.ev.engine.sync.setPaused(b.ev.eventId, true);
    b.ev.engine.people.rename(b.ev.eventId, herPersonId(b), 'Ana Lima');
    await waitFor(() => b.ev.engine.sync.view(b.ev.eventId).opsLeft > 0, 'laptop B to log the rename while offline', 20_000);
    a.ev.engine.people.rename(a.ev.eventId, herPersonId(a), 'Ana L.');
    await a.ev.engine.sync.runOnce(a.ev.eventId);
    expect(await mergedName()).toBe('Ana L.');
    // B's older rename arrives late: the newer name stays.
    b.ev.engine.sync.setPaused(b.ev.eventId, false);
    await b.ev.engine.sync.runOnce(b.ev.eventId);
    expect(await mergedName()).toBe('Ana L.');
    // A newer rename on B wins.
    b.ev.engine.people.rename(b.ev.eventId, herPersonId(b), 'Ana Lima Souza');
    await b.ev.engine.sync.runOnce(b.ev.eventId);
    expect(await mergedName()).toBe('Ana Lima Souza');
  });

  it('sends nothing more and duplicates nothing when both run again', async () => {
    const [before] = await query<{ photos: string; faces: string; links: string }>(
      'SELECT (SELECT count(*) FROM photos) AS photos, (SELECT count(*) FROM faces) AS faces, (SELECT count(*) FROM gallery_links) AS links',
    );
    const again = await Promise.all([a.ev.engine.sync.runOnce(a.ev.eventId), b.ev.engine.sync.runOnce(b.ev.eventId)]);
    for (const s of again) expect(s).toMatchObject({ blobsSent: 0, bytesSent: 0 });
    const [after] = await query<{ photos: string; faces: string; links: string }>(
      'SELECT (SELECT count(*) FROM photos) AS photos, (SELECT count(*) FROM faces) AS faces, (SELECT count(*) FROM gallery_links) AS links',
    );
    expect(after).toEqual(before);
  });
});
