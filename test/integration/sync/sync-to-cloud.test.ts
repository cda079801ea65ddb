// An event on a real laptop engine (faces on, kiosk, take-home) synced to a real cloud endpoint on
// a real PostgreSQL, with a real SMTP server: what the laptop holds arrives once, changes arrive
// as changes, and what the endpoint did comes back.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryView, KioskResults, PhotoCard, TakeHomeResponse } from '../../../src/api/index.js';
import { addJoinCode, revokeDevice } from '../../../src/cloud/index.js';
import { hashSecret } from '../../../src/config/index.js';
import { engineRepositories } from '../../../src/core/index.js';
import { tokenPath } from '../../../src/sync/index.js';
import { runCli } from '../../support/cli.js';
import { waitFor } from '../../support/temp-dir.js';
import {
  dropPhoto,
  EVENT,
  HER_PHOTO,
  jsonBody,
  pairKiosk,
  SAMPLES,
  selfieOf,
  startServedEvent,
  tokenOfGalleryUrl,
  waitForPhotos,
  withDatabase,
  type ServedEvent,
} from '../server/served-event.js';
import { startTestCloud, type TestCloud } from './cloud-setup.js';

const NAMES = { group: 'IMG_0001.jpg', her: 'IMG_0006.jpg' };
const ADDRESS = 'ana@example.com';

let ev: ServedEvent;
let cloud: TestCloud;
let photos: Map<string, PhotoCard>;
let galleryToken: string;
let deliveryId: number;

const repos = () => engineRepositories(ev.engine);

beforeAll(async () => {
  [cloud, ev] = await Promise.all([startTestCloud({ emails: true }), startServedEvent()]);
  await dropPhoto(ev.watchDir, NAMES.group, SAMPLES[0]!);
  await dropPhoto(ev.watchDir, NAMES.her, HER_PHOTO);
  photos = await waitForPhotos(ev, Object.values(NAMES));
  // An attendee takes her photo home at the kiosk and leaves her email, before the event is enrolled.
  const kiosk = await pairKiosk(ev, 'Entrance');
  const { sessionId } = await kiosk.startSession();
  const found = (await (await kiosk.search(sessionId, await selfieOf(photos.get(NAMES.her)!, HER_PHOTO))).json()) as KioskResults;
  const res = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
    method: 'POST',
    ...jsonBody({ photoIds: found.matches.map((m) => m.photoId), contact: { channel: 'email', address: ADDRESS }, notifyOptIn: false }),
  });
  const taken = (await res.json()) as TakeHomeResponse;
  galleryToken = tokenOfGalleryUrl(taken.galleryUrl);
  deliveryId = taken.deliveryId!;
}, 180_000);

afterAll(async () => {
  await ev?.close();
  await cloud?.close();
});

describe('an event synced to a cloud endpoint', () => {
  it('enrols with a join code, keeping the device token in a file only this user can read, never in the database', async () => {
    const created = await cloud.createEvent();
    const view = await ev.engine.sync.enroll(ev.eventId, { endpoint: cloud.url, joinCode: created.joinCode, deviceName: 'Laptop A' });
    expect(view).toMatchObject({ state: expect.stringMatching(/idle|syncing/), endpoint: cloud.url, cloudEventId: created.cloudEventId });
    expect(view.opsLeft).toBeGreaterThan(0);
    const path = tokenPath(ev.dataDir, ev.eventId);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const [device] = await cloud.query<{ token_hash: string }>('SELECT token_hash FROM devices');
    const token = readFileSync(path, 'utf8');
    expect(hashSecret(token)).toBe(device!.token_hash);
    // Not in the database file nor in its write-ahead log: a copied database hands out no cloud access.
    const database = ev.engine.layout.database;
    const stored = Buffer.concat([
      readFileSync(database),
      existsSync(`${database}-wal`) ? readFileSync(`${database}-wal`) : Buffer.alloc(0),
    ]);
    expect(stored.includes(token)).toBe(false);
  });

  it('sends every photo, face, person, link and delivery once: the photo she took home first, then thumbnails before previews', async () => {
    await ev.engine.sync.runOnce(ev.eventId);
    const local = repos();
    const shas = [...photos.values()].map((p) => local.photos.getPhoto(p.id)!.sha256).sort();
    const cloudPhotos = await cloud.query<{ sha256: string; thumb_sha256: string | null; preview_sha256: string | null }>(
      'SELECT sha256, thumb_sha256, preview_sha256 FROM photos ORDER BY sha256',
    );
    expect(cloudPhotos.map((p) => p.sha256)).toEqual(shas);
    expect(cloudPhotos.every((p) => p.thumb_sha256 && p.preview_sha256)).toBe(true);

    const faceIds = [...photos.values()].flatMap((p) => local.faces.facesOfPhoto(p.id).map((f) => f.id)).sort((a, b) => a - b);
    expect(faceIds.length).toBeGreaterThan(0);
    const cloudFaces = await cloud.query<{ local_id: string }>('SELECT local_id FROM faces WHERE removed_hlc IS NULL ORDER BY local_id');
    expect(cloudFaces.map((f) => Number(f.local_id))).toEqual(faceIds);

    const personIds = local.persons
      .listPersons(ev.eventId)
      .map((p) => p.id)
      .sort((a, b) => a - b);
    const cloudPersons = await cloud.query<{ local_id: string }>('SELECT local_id FROM persons ORDER BY local_id');
    expect(cloudPersons.map((p) => Number(p.local_id))).toEqual(personIds);

    const links = await cloud.query<{ token_hash: string }>('SELECT token_hash FROM gallery_links WHERE device_pk IS NOT NULL');
    expect(links.map((l) => l.token_hash)).toEqual([hashSecret(galleryToken)]);
    const deliveries = await cloud.query<{ local_id: string }>('SELECT local_id FROM deliveries');
    expect(deliveries.map((d) => Number(d.local_id))).toEqual([deliveryId]);

    const blobs = await cloud.query<{ sha256: string; kind: string; stored_at: Date }>(
      'SELECT sha256, kind, stored_at FROM blobs ORDER BY stored_at',
    );
    expect(blobs.filter((b) => b.kind === 'thumb')).toHaveLength(2);
    expect(blobs.filter((b) => b.kind === 'preview')).toHaveLength(2);
    // Her photo, which she took home at the kiosk, goes first (thumbnail, then preview); then the
    // other photo's thumbnail before its preview.
    const [her] = await cloud.query<{ thumb_sha256: string; preview_sha256: string }>(
      'SELECT thumb_sha256, preview_sha256 FROM photos WHERE sha256 = $1',
      [local.photos.getPhoto(photos.get(NAMES.her)!.id)!.sha256],
    );
    const at = (sha: string) => blobs.find((b) => b.sha256 === sha)!.stored_at.getTime();
    const others = blobs.filter((b) => b.sha256 !== her!.thumb_sha256 && b.sha256 !== her!.preview_sha256);
    expect(at(her!.thumb_sha256)).toBeLessThanOrEqual(at(her!.preview_sha256));
    for (const b of others) expect(at(her!.preview_sha256)).toBeLessThanOrEqual(b.stored_at.getTime());
    expect(others.map((b) => b.kind)).toEqual(['thumb', 'preview']);
    expect(ev.engine.sync.view(ev.eventId)).toMatchObject({ opsLeft: 0, blobsLeft: 0, lastError: null });
  });

  it('sends nothing when run again with nothing changed', async () => {
    const again = await ev.engine.sync.runOnce(ev.eventId);
    expect(again).toMatchObject({ opsSent: 0, blobsSent: 0, bytesSent: 0 });
  });

  it('sends a rename on the laptop as the person’s new name', async () => {
    const person = repos().persons.listPersons(ev.eventId)[0]!;
    ev.engine.people.rename(ev.eventId, person.id, 'Ana Lima');
    const summary = await ev.engine.sync.runOnce(ev.eventId);
    expect(summary.opsSent).toBe(1);
    const [named] = await cloud.query<{ name: string | null }>('SELECT name FROM persons WHERE local_id = $1', [person.id]);
    expect(named!.name).toBe('Ana Lima');
  });

  it('lets `shutterfind sync` ask the running console to sync, and exit 0 once everything arrived', async () => {
    const person = repos().persons.listPersons(ev.eventId)[0]!;
    ev.engine.people.rename(ev.eventId, person.id, 'Ana M. Lima');
    const r = await runCli(['sync', '--event', EVENT, '--data-dir', ev.dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ via: 'serve', complete: true, view: { opsLeft: 0, blobsLeft: 0 } });
    const [named] = await cloud.query<{ name: string | null }>('SELECT name FROM persons WHERE local_id = $1', [person.id]);
    expect(named!.name).toBe('Ana M. Lima');
  });

  it('opens the take-home link minted at the kiosk from the cloud with the same token, and new QR codes point there', async () => {
    const res = await fetch(`${cloud.url}/gallery-api/${galleryToken}`);
    expect(res.status).toBe(200);
    const gallery = (await res.json()) as GalleryView;
    expect(gallery.photos).toHaveLength(1);

    const kiosk = await pairKiosk(ev, 'Exit');
    const { sessionId } = await kiosk.startSession();
    const found = (await (await kiosk.search(sessionId, await selfieOf(photos.get(NAMES.her)!, HER_PHOTO))).json()) as KioskResults;
    const taken = (await (
      await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
        method: 'POST',
        ...jsonBody({ photoIds: found.matches.map((m) => m.photoId), notifyOptIn: false }),
      })
    ).json()) as TakeHomeResponse;
    const view = ev.engine.sync.view(ev.eventId);
    expect(taken.galleryUrl).toBe(`${view.publicBaseUrl}/g/${tokenOfGalleryUrl(taken.galleryUrl)}`);
    expect(taken.galleryUrl.startsWith(cloud.url)).toBe(true);
  });

  it("draws the event's watermark on the take-home link's photos in the cloud as the laptop does, from the sync after it is switched on, and stops after it is switched off", async () => {
    const bytesOf = async (url: string): Promise<Buffer> => {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const [inCloud] = ((await (await fetch(`${cloud.url}/gallery-api/${galleryToken}`)).json()) as GalleryView).photos;
    const [atVenue] = ((await (await fetch(`${ev.url}/gallery-api/${galleryToken}`)).json()) as GalleryView).photos;
    const plain = await bytesOf(`${cloud.url}${inCloud!.previewUrl}`);

    ev.engine.catalogue.updateSettings(ev.eventId, { watermark: { enabled: true, text: '© Studio Lumen' } });
    await ev.engine.sync.runOnce(ev.eventId);
    const marked = await bytesOf(`${cloud.url}${inCloud!.previewUrl}`);
    expect(marked.equals(plain)).toBe(false);
    // The same image the laptop's gallery shows at the venue, for the preview and the download alike.
    expect(marked.equals(await bytesOf(`${ev.url}${atVenue!.previewUrl}`))).toBe(true);
    expect((await bytesOf(`${cloud.url}${inCloud!.downloadUrl}`)).equals(marked)).toBe(true);
    const zip = await bytesOf(`${cloud.url}/gallery-api/${galleryToken}/zip`);
    expect(zip.includes(marked), 'the ZIP holds the marked preview').toBe(true);

    ev.engine.catalogue.updateSettings(ev.eventId, { watermark: { enabled: false } });
    await ev.engine.sync.runOnce(ev.eventId);
    expect((await bytesOf(`${cloud.url}${inCloud!.previewUrl}`)).equals(plain)).toBe(true);
  });

  it('sends a person marked "do not publish" with the mark, and the photo with that face blurred, never the shared preview', async () => {
    const her = photos.get(NAMES.her)!;
    const face = repos()
      .faces.facesOfPhoto(her.id)
      .find((f) => f.personId !== null)!;
    const shared = repos().photos.getPhoto(her.id)!;
    const sharedPreview = createHash('sha256')
      .update(readFileSync(join(ev.dataDir, shared.previewPath!)))
      .digest('hex');
    const [before] = await cloud.query<{ preview_sha256: string }>('SELECT preview_sha256 FROM photos WHERE sha256 = $1', [shared.sha256]);
    expect(before!.preview_sha256).toBe(sharedPreview);

    ev.engine.publishing.markPerson(ev.eventId, face.personId!, 'asked at the door');
    await ev.engine.sync.runOnce(ev.eventId);
    const [person] = await cloud.query<{ do_not_publish: boolean }>('SELECT do_not_publish FROM persons WHERE local_id = $1', [
      face.personId,
    ]);
    expect(person!.do_not_publish).toBe(true);
    const [after] = await cloud.query<{ preview_sha256: string; thumb_sha256: string }>(
      'SELECT preview_sha256, thumb_sha256 FROM photos WHERE sha256 = $1',
      [shared.sha256],
    );
    expect(after!.preview_sha256).not.toBe(sharedPreview);
    const blurred = await ev.engine.publishing.attendeeMedia(shared, 'preview');
    expect(after!.preview_sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(ev.dataDir, blurred!)))
        .digest('hex'),
    );
    const stored = await cloud.query<{ sha256: string }>('SELECT sha256 FROM blobs WHERE sha256 = $1', [after!.preview_sha256]);
    expect(stored).toHaveLength(1);
  });

  it('marks the delivery the endpoint emailed as sent here too, and deletes the address here as well', async () => {
    await waitFor(() => cloud.inbox!.messages.find((m) => m.to.includes(ADDRESS)), 'the email to reach the inbox', 60_000);
    await waitFor(
      async () => (await cloud.query<{ state: string }>('SELECT state FROM deliveries'))[0]?.state === 'sent',
      'the endpoint to mark it sent',
    );
    // This run reads the state back (or an earlier one did, if the email went out that fast).
    await ev.engine.sync.runOnce(ev.eventId);
    const local = repos().galleries.getDelivery(deliveryId)!;
    expect(local).toMatchObject({ state: 'sent', address: '' });
    expect(local.sentAt).not.toBeNull();
  });

  it('turns a photo removed on the laptop into a tombstone on the endpoint, its faces with it', async () => {
    const group = photos.get(NAMES.group)!;
    const sha = repos().photos.getPhoto(group.id)!.sha256!;
    const faceIds = repos()
      .faces.facesOfPhoto(group.id)
      .map((f) => f.id);
    withDatabase(ev, (db) => {
      db.pragma('foreign_keys = ON');
      db.prepare('DELETE FROM photos WHERE id = ?').run(group.id);
    });
    await ev.engine.sync.runOnce(ev.eventId);
    const [source] = await cloud.query<{ removed_hlc: string | null }>(
      'SELECT s.removed_hlc FROM photo_sources s JOIN photos p ON p.id = s.photo_id WHERE p.sha256 = $1',
      [sha],
    );
    expect(source!.removed_hlc).not.toBeNull();
    const faces = await cloud.query<{ local_id: string; removed_hlc: string | null }>(
      'SELECT local_id, removed_hlc FROM faces WHERE local_id = ANY($1)',
      [faceIds],
    );
    expect(faces.every((f) => f.removed_hlc !== null)).toBe(true);
  });

  it('enrols a second event of this laptop into the same cloud event as a device of its own, named after the laptop and the event', async () => {
    const rehearsal = await ev.engine.openEvent('Rehearsal dinner');
    const cloudEventId = ev.engine.sync.view(ev.eventId).cloudEventId!;
    const { joinCode } = await addJoinCode(cloud.server.db, cloudEventId);
    const view = await ev.engine.sync.enroll(rehearsal.event.id, { endpoint: cloud.url, joinCode });
    expect(view.deviceName).toBe(`${hostname()} · Rehearsal dinner`);
    await ev.engine.sync.runOnce(rehearsal.event.id);
    const devices = await cloud.query<{ device_id: string; name: string; revoked: boolean }>(
      'SELECT device_id, name, revoked_at IS NOT NULL AS revoked FROM devices WHERE cloud_event_id = $1 ORDER BY id',
      [cloudEventId],
    );
    expect(devices).toEqual([
      { device_id: ev.engine.sync.deviceIdOf(ev.eventId), name: 'Laptop A', revoked: false },
      { device_id: ev.engine.sync.deviceIdOf(rehearsal.event.id), name: `${hostname()} · Rehearsal dinner`, revoked: false },
    ]);
    // The first event still syncs with its own token.
    await ev.engine.sync.runOnce(ev.eventId);
    expect(ev.engine.sync.view(ev.eventId).lastError).toBeNull();
  });

  it('stops with what to do when the endpoint revoked this laptop, and goes on after a new enrolment', async () => {
    const view = ev.engine.sync.view(ev.eventId);
    await revokeDevice(cloud.server.db.pool, view.cloudEventId!, { deviceId: ev.engine.sync.deviceIdOf(ev.eventId) });
    const person = repos().persons.listPersons(ev.eventId)[0]!;
    ev.engine.people.rename(ev.eventId, person.id, 'Ana L.');
    await expect(ev.engine.sync.runOnce(ev.eventId)).rejects.toThrow(/revoked or is wrong: enrol again with a new join code/);
    expect(ev.engine.sync.view(ev.eventId)).toMatchObject({ state: 'error', lastError: expect.stringMatching(/enrol again/) });

    const code = (await addJoinCode(cloud.server.db, view.cloudEventId!)).joinCode;
    await ev.engine.sync.enroll(ev.eventId, { endpoint: cloud.url, joinCode: code });
    await ev.engine.sync.runOnce(ev.eventId);
    const [named] = await cloud.query<{ name: string | null }>('SELECT name FROM persons WHERE local_id = $1', [person.id]);
    expect(named!.name).toBe('Ana L.');
    // The background loop (serve) may be running one more sync of its own after the enrolment.
    const settled = await waitFor(() => {
      const v = ev.engine.sync.view(ev.eventId);
      return v.state === 'syncing' ? undefined : v;
    }, 'sync to settle');
    expect(settled).toMatchObject({ state: 'idle', opsLeft: 0, blobsLeft: 0, lastError: null });
  });
});
