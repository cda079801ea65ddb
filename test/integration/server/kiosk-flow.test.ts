// What the kiosk screens rely on, through the real API: pairing, consent, a selfie finding
// exactly the attendee's photos, taking them home as a gallery link and ZIP, and the selfie's
// embedding deleted at the end unless the attendee asked for new photos of them, in which
// case later photos of them (and only of them) join their gallery and delivery.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryList, GalleryView, KioskIdentity, KioskResults, KioskSessionView, TakeHomeResponse } from '../../../src/api/index.js';
import { readZipEntries } from '../../e2e/support/zip-entries.js';
import { waitFor } from '../../support/temp-dir.js';
import {
  brighterHer,
  byNumber,
  dropHerPhotos,
  dropPhoto,
  EVENT,
  jsonBody,
  pairKiosk,
  READY_DEADLINE_MS,
  SAMPLES,
  searchOk,
  startServedEvent,
  tokenOfGalleryUrl,
  waitForPhotos,
  withDatabase,
  type Kiosk,
  type ServedEvent,
} from './served-event.js';

const LATER = { her: 'IMG_0106-brighter.jpg', other: 'IMG_0103.jpg' };
const OPT_IN_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

let ev: ServedEvent;
let ids: Awaited<ReturnType<typeof dropHerPhotos>>['ids'];
let herIds: number[];
let selfie: Buffer;
let kiosk: Kiosk;

beforeAll(async () => {
  ev = await startServedEvent();
  ({ ids, herIds, selfie } = await dropHerPhotos(ev));
  kiosk = await pairKiosk(ev, 'Entrance kiosk');
});

afterAll(async () => {
  await ev?.close();
});

const sessionRow = (sessionId: string) =>
  withDatabase(
    ev,
    (db) =>
      db.prepare('SELECT selfie_embedding IS NOT NULL AS kept, follow_until, state FROM kiosk_sessions WHERE id = ?').get(sessionId) as
        { kept: 0 | 1; follow_until: number | null; state: string } | undefined,
  );

async function takeHome(sessionId: string, body: object): Promise<TakeHomeResponse> {
  const res = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, { method: 'POST', ...jsonBody(body) });
  if (res.status !== 200) throw new Error(`take-home answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TakeHomeResponse;
}

async function galleryPhotoIds(token: string): Promise<number[]> {
  const res = await fetch(`${ev.url}/gallery-api/${token}`);
  if (res.status !== 200) throw new Error(`gallery answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as GalleryView).photos.map((p) => p.photoId).sort(byNumber);
}

describe('a kiosk visit', () => {
  it('a paired kiosk knows its event, its settings and what the consent screen must say', async () => {
    const me = (await (await kiosk.fetch('/kiosk-api/me')).json()) as KioskIdentity;
    expect(me).toMatchObject({
      kioskId: kiosk.id,
      name: 'Entrance kiosk',
      event: EVENT,
      settings: { kioskIdleSeconds: 60, welcomeTitle: 'Find your photos' },
    });
    expect(me.retention.optIn).toContain(`${OPT_IN_RETENTION_DAYS} days`);
  });

  it('a session starts only after consent: without consent: true it is 400', async () => {
    for (const body of [{}, { consent: false }, { consent: 'yes' }]) {
      const res = await kiosk.fetch('/kiosk-api/sessions', { method: 'POST', ...jsonBody(body) });
      expect(`${JSON.stringify(body)} → ${res.status}`).toBe(`${JSON.stringify(body)} → 400`);
    }
    expect((await kiosk.fetch('/kiosk-api/sessions', { method: 'POST' })).status).toBe(400);
    const started = Date.now();
    const res = await kiosk.fetch('/kiosk-api/sessions', { method: 'POST', ...jsonBody({ consent: true }) });
    expect(res.status).toBe(201);
    const session = (await res.json()) as KioskSessionView;
    expect(session.sessionId).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    // A kiosk session lives 15 minutes at most.
    expect(Date.parse(session.expiresAt) - started).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(session.expiresAt) - started).toBeLessThanOrEqual(15 * 60_000 + 5_000);
  });

  it('the selfie finds exactly the photos she is in, with media URLs of this session that serve them', async () => {
    const { sessionId } = await kiosk.startSession();
    const res = await kiosk.search(sessionId, selfie);
    expect(res.status).toBe(200);
    const results = (await res.json()) as KioskResults;
    expect(results.matches.map((m) => m.photoId).sort(byNumber)).toEqual(herIds);
    for (const m of results.matches) {
      expect(m.thumbUrl).toBe(`/kiosk-api/sessions/${sessionId}/photos/${m.photoId}/thumb`);
      expect(m.previewUrl).toBe(`/kiosk-api/sessions/${sessionId}/photos/${m.photoId}/preview`);
      const preview = await kiosk.fetch(m.previewUrl);
      expect(preview.status).toBe(200);
      expect((await sharp(Buffer.from(await preview.arrayBuffer())).metadata()).format).toBe('jpeg');
    }
  });

  it('photos the attendee confirms are searched with the selfie; only photos shown to this session can be confirmed', async () => {
    const { sessionId } = await kiosk.startSession();
    expect(await searchOk(kiosk, sessionId, selfie)).toEqual(herIds);
    const confirm = (photoIds: unknown) =>
      kiosk.fetch(`/kiosk-api/sessions/${sessionId}/confirm-maybe`, { method: 'POST', ...jsonBody({ photoIds }) });

    const res = await confirm([ids.herMirrored]);
    expect(res.status, await res.clone().text()).toBe(200);
    const results = (await res.json()) as KioskResults;
    // Her face confirmed: her photos still, and never the stranger's.
    expect(results.matches.map((m) => m.photoId).sort(byNumber)).toEqual(herIds);
    expect([...results.matches, ...results.maybe].map((m) => m.photoId)).not.toContain(ids.other);

    // A photo this session was never shown (someone else's) cannot be confirmed to reach their photos.
    const other = await confirm([ids.other]);
    expect(other.status).toBe(403);
    expect(await other.text()).toMatch(/Only photos from this search/);
    expect((await confirm([])).status).toBe(400);
    expect((await confirm(['1; DROP TABLE photos'])).status).toBe(400);
  });

  it("take-home gives a gallery URL on the server's public address whose token opens exactly the chosen photos", async () => {
    const { sessionId } = await kiosk.startSession();
    expect(await searchOk(kiosk, sessionId, selfie)).toEqual(herIds);

    const one = await takeHome(sessionId, { photoIds: [ids.herMirrored], notifyOptIn: false });
    expect(one.galleryUrl.slice(0, ev.server.publicUrl.length + 3)).toBe(`${ev.server.publicUrl}/g/`);
    expect(one.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(one.deliveryId).toBeNull();
    // Links last galleryLinkHours (72 by default).
    expect(Date.parse(one.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);
    expect(await galleryPhotoIds(tokenOfGalleryUrl(one.galleryUrl))).toEqual([ids.herMirrored]);

    const both = await takeHome(sessionId, { photoIds: herIds, notifyOptIn: false });
    const gallery = (await (await fetch(`${ev.url}/gallery-api/${tokenOfGalleryUrl(both.galleryUrl)}`)).json()) as GalleryView;
    expect(gallery.event).toBe(EVENT);
    expect(gallery.photos.map((p) => p.photoId).sort(byNumber)).toEqual(herIds);
    // The page the link opens is the app (served for /g/<token>).
    expect((await fetch(both.galleryUrl)).status).toBe(200);
  });

  it('asking again in the same visit updates the same gallery link and the same delivery', async () => {
    const { sessionId } = await kiosk.startSession();
    expect(await searchOk(kiosk, sessionId, selfie)).toEqual(herIds);
    const qrFirst = await takeHome(sessionId, { photoIds: [ids.herMirrored], notifyOptIn: false });
    const thenEmail = await takeHome(sessionId, {
      photoIds: herIds,
      contact: { channel: 'email', address: 'first@example.com' },
      notifyOptIn: false,
    });
    const retyped = await takeHome(sessionId, {
      photoIds: herIds,
      contact: { channel: 'email', address: 'her@example.com' },
      notifyOptIn: false,
    });
    expect(thenEmail.galleryUrl).toBe(qrFirst.galleryUrl);
    expect(retyped.galleryUrl).toBe(qrFirst.galleryUrl);
    expect(await galleryPhotoIds(tokenOfGalleryUrl(qrFirst.galleryUrl))).toEqual(herIds);
    expect(retyped.deliveryId).toBe(thenEmail.deliveryId);
    const deliveries = (await ev.operatorJson<DeliveryList>('/api/deliveries')).deliveries.filter((d) => d.id === retyped.deliveryId);
    expect(deliveries.map((d) => [d.address, d.photos])).toEqual([['her@example.com', herIds.length]]);
  });

  it('asking again after the laptop restarted mid-visit: the link she scanned before shows her new choice too', async () => {
    const { sessionId } = await kiosk.startSession();
    expect(await searchOk(kiosk, sessionId, selfie)).toEqual(herIds);
    const scanned = await takeHome(sessionId, { photoIds: [ids.herMirrored], notifyOptIn: false });
    await ev.restart();
    const again = await takeHome(sessionId, { photoIds: herIds, notifyOptIn: false });
    // Only a link's hash is kept: the first cannot be handed out again, so she gets a second one.
    expect(again.galleryUrl).not.toBe(scanned.galleryUrl);
    expect(await galleryPhotoIds(tokenOfGalleryUrl(again.galleryUrl))).toEqual(herIds);
    expect(await galleryPhotoIds(tokenOfGalleryUrl(scanned.galleryUrl))).toEqual(herIds);
  });

  it('an attendee with no photos yet may leave a contact for new ones, but not take home nothing', async () => {
    const { sessionId } = await kiosk.startSession();
    await searchOk(kiosk, sessionId, selfie);
    const nothing = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
      method: 'POST',
      ...jsonBody({ photoIds: [], notifyOptIn: true }),
    });
    expect(nothing.status).toBe(400);
    const later = await takeHome(sessionId, {
      photoIds: [],
      contact: { channel: 'email', address: 'later@example.com' },
      notifyOptIn: true,
    });
    expect(later.deliveryId).not.toBeNull();
    expect(await galleryPhotoIds(tokenOfGalleryUrl(later.galleryUrl))).toEqual([]);
  });

  it('refuses a phone number, saying photos cannot be sent by text yet, and keeps nothing of it', async () => {
    const { sessionId } = await kiosk.startSession();
    await searchOk(kiosk, sessionId, selfie);
    const before = (await ev.operatorJson<DeliveryList>('/api/deliveries')).deliveries.length;
    const res = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
      method: 'POST',
      ...jsonBody({ photoIds: herIds, contact: { channel: 'sms', address: '+44 7700 900123' }, notifyOptIn: false }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Photos cannot be sent by text message yet: give an email address instead.',
    );
    const deliveries = (await ev.operatorJson<DeliveryList>('/api/deliveries')).deliveries;
    expect(deliveries).toHaveLength(before);
    expect(JSON.stringify(deliveries)).not.toContain('7700');
  });

  it("the gallery's ZIP holds each chosen photo as the same JPEG its download link gives", async () => {
    const { sessionId } = await kiosk.startSession();
    await searchOk(kiosk, sessionId, selfie);
    const token = tokenOfGalleryUrl((await takeHome(sessionId, { photoIds: herIds, notifyOptIn: false })).galleryUrl);
    const gallery = (await (await fetch(`${ev.url}/gallery-api/${token}`)).json()) as GalleryView;

    const zipRes = await fetch(ev.url + gallery.zipUrl);
    expect(zipRes.status).toBe(200);
    expect(zipRes.headers.get('content-type')).toBe('application/zip');
    expect(zipRes.headers.get('content-disposition')).toContain(`${EVENT} photos.zip`);
    const entries = readZipEntries(Buffer.from(await zipRes.arrayBuffer()));
    expect(entries.map((e) => e.name).sort()).toEqual(['IMG_0006-mirrored.jpg', 'IMG_0006.jpg']);

    for (const p of gallery.photos) {
      const download = await fetch(ev.url + p.downloadUrl);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="IMG_0006(-mirrored)?\.jpg"/);
      const bytes = Buffer.from(await download.arrayBuffer());
      const name = p.photoId === ids.her ? 'IMG_0006.jpg' : 'IMG_0006-mirrored.jpg';
      const entry = entries.find((e) => e.name === name)!;
      expect(entry.bytes).toEqual(bytes);
      expect((await sharp(entry.bytes).metadata()).format).toBe('jpeg');
    }
  });

  it("ending a session deletes the selfie's embedding when the attendee did not opt in, and its photos close", async () => {
    const { sessionId } = await kiosk.startSession();
    await searchOk(kiosk, sessionId, selfie);
    await takeHome(sessionId, { photoIds: herIds, notifyOptIn: false });
    expect(sessionRow(sessionId)).toMatchObject({ kept: 1 });

    expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/end`, { method: 'POST' })).status).toBe(204);
    expect(sessionRow(sessionId)).toEqual({ kept: 0, follow_until: null, state: 'ended' });
    expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/photos/${ids.her}/thumb`)).status).toBe(410);
    expect((await kiosk.search(sessionId, selfie)).status).toBe(410);
  });
});

describe('"send me new photos of me"', () => {
  let followingToken: string;
  let notFollowingToken: string;
  let deliveryId: number;

  const deliveryPhotos = async (): Promise<number | undefined> =>
    (await ev.operatorJson<DeliveryList>('/api/deliveries')).deliveries.find((d) => d.id === deliveryId)?.photos;

  beforeAll(async () => {
    // An attendee who did not opt in, whose gallery must stay as it was.
    const plain = await kiosk.startSession();
    await searchOk(kiosk, plain.sessionId, selfie);
    notFollowingToken = tokenOfGalleryUrl((await takeHome(plain.sessionId, { photoIds: herIds, notifyOptIn: false })).galleryUrl);
    await kiosk.fetch(`/kiosk-api/sessions/${plain.sessionId}/end`, { method: 'POST' });
  });

  it('keeps the embedding after the session ends, for the retention period, when she opted in', async () => {
    const { sessionId } = await kiosk.startSession();
    expect(await searchOk(kiosk, sessionId, selfie)).toEqual(herIds);
    const taken = await takeHome(sessionId, {
      photoIds: herIds,
      contact: { channel: 'email', address: 'her@example.com' },
      notifyOptIn: true,
    });
    expect(taken.deliveryId).toEqual(expect.any(Number));
    deliveryId = taken.deliveryId!;
    followingToken = tokenOfGalleryUrl(taken.galleryUrl);
    const ended = Date.now();
    expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/end`, { method: 'POST' })).status).toBe(204);

    const row = sessionRow(sessionId)!;
    expect(row).toMatchObject({ kept: 1, state: 'ended' });
    expect(row.follow_until! - ended).toBeGreaterThan(OPT_IN_RETENTION_DAYS * DAY_MS - 60_000);
    expect(row.follow_until! - ended).toBeLessThan(OPT_IN_RETENTION_DAYS * DAY_MS + 60_000);
    const delivery = (await ev.operatorJson<DeliveryList>('/api/deliveries')).deliveries.find((d) => d.id === deliveryId);
    expect(delivery).toMatchObject({ channel: 'email', address: 'her@example.com', photos: 2, followsNewPhotos: true });
  });

  it('a later photo of her joins her delivery and gallery; a later photo of someone else does not', async () => {
    await dropPhoto(ev.watchDir, LATER.other, SAMPLES[2]!);
    await dropPhoto(ev.watchDir, LATER.her, await brighterHer());
    const later = await waitForPhotos(ev, [LATER.other, LATER.her]);
    const herLater = later.get(LATER.her)!.id;
    // New photos are matched as they finish; the delivery grows right after.
    await waitFor(async () => (await deliveryPhotos()) === 3, 'the delivery to grow to 3 photos', READY_DEADLINE_MS);
    await ev.engine.whenIdle(ev.eventId);

    expect(await deliveryPhotos()).toBe(3);
    expect(await galleryPhotoIds(followingToken)).toEqual([...herIds, herLater].sort(byNumber));
    // The attendee who did not opt in gets nothing new.
    expect(await galleryPhotoIds(notFollowingToken)).toEqual(herIds);
    // The new photo opens in her gallery; the other new photo does not.
    expect((await fetch(`${ev.url}/gallery-api/${followingToken}/photos/${herLater}/preview`)).status).toBe(200);
    expect((await fetch(`${ev.url}/gallery-api/${followingToken}/photos/${later.get(LATER.other)!.id}/preview`)).status).toBe(404);
  });
});

describe('a kiosk that never ends its session (crashed, unplugged)', () => {
  /** The session's lifetime runs out, as it does 15 minutes after a kiosk dies mid-visit. */
  const expire = (sessionId: string) =>
    withDatabase(ev, (db) => db.prepare('UPDATE kiosk_sessions SET expires_at = ? WHERE id = ?').run(Date.now() - 1_000, sessionId));

  it("the timed-out session deletes the selfie's embedding, unless the attendee had asked for new photos of them", async () => {
    const plain = await kiosk.startSession();
    await searchOk(kiosk, plain.sessionId, selfie);
    const optedIn = await kiosk.startSession();
    await searchOk(kiosk, optedIn.sessionId, selfie);
    await takeHome(optedIn.sessionId, { photoIds: herIds, contact: { channel: 'email', address: 'later@example.com' }, notifyOptIn: true });

    for (const { sessionId } of [plain, optedIn]) {
      expire(sessionId);
      expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/photos/${herIds[0]}/thumb`)).status).toBe(410);
    }

    expect(sessionRow(plain.sessionId)).toMatchObject({ kept: 0, follow_until: null, state: 'ended' });
    expect(sessionRow(optedIn.sessionId)).toMatchObject({ kept: 1, follow_until: expect.any(Number), state: 'ended' });
  });
});
