// "Do not publish" through the real engine and API: the organiser marks a guest, an attendee opts
// out at the kiosk, and from then on their faces are blurred in what attendees see (gallery
// images and ZIP, kiosk thumbnails and previews), photos that land later with that face too;
// another attendee's selfie never brings up a photo found through an opted-out face.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  GalleryView,
  KioskOptOutResponse,
  KioskResults,
  OptOutList,
  OptOutView,
  PhotoCard,
  TakeHomeResponse,
} from '../../../src/api/index.js';
import { engineRepositories } from '../../../src/core/index.js';
import { blurRegion } from '../../../src/export/face-blur.js';
import type { StoredFace } from '../../../src/store/index.js';
import { composeSelfieFrame } from '../../fixtures/fake-camera.js';
import { readZipEntries } from '../../e2e/support/zip-entries.js';
import { differenceOutside, faceDetail, type Box } from '../../support/blur-measure.js';
import { waitFor } from '../../support/temp-dir.js';
import {
  brighterHer,
  byNumber,
  dropPhoto,
  HER_PHOTO,
  jsonBody,
  pairKiosk,
  READY_DEADLINE_MS,
  SAMPLES,
  selfieOf,
  startServedEvent,
  tokenOfGalleryUrl,
  waitForPhotos,
  type Kiosk,
  type ServedEvent,
} from './served-event.js';

const NAMES = { group: 'IMG_0001.jpg', her: 'IMG_0006.jpg' };
const LATER = { her: 'IMG_0106-brighter.jpg', group: 'IMG_0101-mirrored.jpg' };

let ev: ServedEvent;
let photos: Map<string, PhotoCard>;
let kiosk: Kiosk;
let herGalleryToken: string;
/** A guest beside her in IMG_0006, whom the organiser marks. */
let guest: StoredFace;
/** The rightmost person of IMG_0001, who opts out at the kiosk. */
let attendee: StoredFace;

const facesOf = (photoId: number): StoredFace[] => engineRepositories(ev.engine).faces.facesOfPhoto(photoId);
const scaledBox = (box: readonly number[], k: number): Box => ({ x: box[0]! * k, y: box[1]! * k, w: box[2]! * k, h: box[3]! * k });
const selfieOfFace = (path: string, f: StoredFace) =>
  composeSelfieFrame(path, { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] }).then((s) => s.jpeg);

async function bytesOf(res: Response): Promise<Buffer> {
  if (res.status !== 200) throw new Error(`${res.url} answered ${res.status}: ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

async function optOutList(): Promise<OptOutView[]> {
  return (await ev.operatorJson<OptOutList>('/api/do-not-publish')).records;
}

/** The face's box blurred in `copy` against `shared` (same size), and the rest of the picture kept. */
async function expectBlurredOnly(shared: Buffer, copy: Buffer, face: readonly number[], photoWidth: number): Promise<void> {
  const { width = 0, height = 0 } = await sharp(shared).metadata();
  expect(await sharp(copy).metadata()).toMatchObject({ width, height, format: 'jpeg' });
  const box = scaledBox(face, width / photoWidth);
  expect(await faceDetail(copy, box)).toBeLessThan((await faceDetail(shared, box)) * 0.15);
  const region = blurRegion(box, 1, { width, height })!;
  expect((await differenceOutside(shared, copy, region)).mean).toBeLessThan(1);
}

beforeAll(async () => {
  ev = await startServedEvent();
  await dropPhoto(ev.watchDir, NAMES.group, SAMPLES[0]!);
  await dropPhoto(ev.watchDir, NAMES.her, HER_PHOTO);
  photos = await waitForPhotos(ev, Object.values(NAMES));
  kiosk = await pairKiosk(ev, 'Entrance kiosk');
  // She takes her photo home before anyone opts out.
  const { sessionId } = await kiosk.startSession();
  const found = (await (await kiosk.search(sessionId, await selfieOf(photos.get(NAMES.her)!, HER_PHOTO))).json()) as KioskResults;
  expect(found.matches.map((m) => m.photoId)).toEqual([photos.get(NAMES.her)!.id]);
  const res = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
    method: 'POST',
    ...jsonBody({ photoIds: [photos.get(NAMES.her)!.id], notifyOptIn: false }),
  });
  herGalleryToken = tokenOfGalleryUrl(((await res.json()) as TakeHomeResponse).galleryUrl);
  guest = facesOf(photos.get(NAMES.her)!.id).sort((a, b) => a.box[0] - b.box[0])[0]!;
  attendee = facesOf(photos.get(NAMES.group)!.id).sort((a, b) => b.box[0] - a.box[0])[0]!;
  expect(guest.personId).not.toBeNull();
});

afterAll(async () => {
  await ev?.close();
});

describe('the organiser marks a guest "do not publish"', () => {
  it('lists the mark with its source, time and the photos it hides', async () => {
    const before = Date.now();
    const marked = await ev.operatorJson<OptOutView>(`/api/people/${guest.personId}/do-not-publish`, {
      method: 'POST',
      ...jsonBody({ note: 'Asked at the door' }),
    });
    expect(marked).toMatchObject({
      source: 'organiser',
      personId: guest.personId,
      note: 'Asked at the door',
      revokedAt: null,
      photoCount: 1,
    });
    expect(Date.parse(marked.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await optOutList()).toEqual([marked]);
  });

  it('hides exactly that guest’s face, in the stored face’s own pixel box', () => {
    const hidden = ev.engine.publishing.hiddenFaces(ev.eventId);
    expect([...hidden.keys()]).toEqual([photos.get(NAMES.her)!.id]);
    expect(hidden.get(photos.get(NAMES.her)!.id)).toEqual([{ faceId: guest.id, box: guest.box }]);
    expect(ev.engine.publishing.hiddenFaces(ev.eventId, [photos.get(NAMES.group)!.id]).size).toBe(0);
  });

  it('blurs the guest in her gallery’s ZIP and leaves the rest of the photo as it was', async () => {
    const her = photos.get(NAMES.her)!;
    const zip = readZipEntries(await bytesOf(await fetch(`${ev.url}/gallery-api/${herGalleryToken}/zip`)));
    expect(zip.map((e) => e.name)).toEqual(['IMG_0006.jpg']);
    const shared = await readFile(join(ev.dataDir, engineRepositories(ev.engine).photos.getPhoto(her.id)!.previewPath!));
    await expectBlurredOnly(shared, zip[0]!.bytes, guest.box, her.width!);
    // Her own face, beside the guest, is as sharp as before.
    const herFace = facesOf(her.id).sort((a, b) => b.box[0] - a.box[0])[0]!;
    const k = (await sharp(shared).metadata()).width! / her.width!;
    expect(await faceDetail(zip[0]!.bytes, scaledBox(herFace.box, k))).toBeCloseTo(await faceDetail(shared, scaledBox(herFace.box, k)), 0);
  });

  it('blurs the guest in the gallery’s preview, download and thumbnail, and never touches the shared preview', async () => {
    const her = photos.get(NAMES.her)!;
    const stored = engineRepositories(ev.engine).photos.getPhoto(her.id)!;
    const sharedBefore = await readFile(join(ev.dataDir, stored.previewPath!));
    const view = (await (await fetch(`${ev.url}/gallery-api/${herGalleryToken}`)).json()) as GalleryView;
    const p = view.photos[0]!;
    for (const url of [p.previewUrl, p.downloadUrl]) {
      await expectBlurredOnly(sharedBefore, await bytesOf(await fetch(ev.url + url)), guest.box, her.width!);
    }
    const thumb = await bytesOf(await fetch(ev.url + p.thumbUrl));
    const sharedThumb = await readFile(join(ev.dataDir, stored.thumbnailPath!));
    const k = (await sharp(sharedThumb).metadata()).width! / her.width!;
    expect(await faceDetail(thumb, scaledBox(guest.box, k))).toBeLessThan((await faceDetail(sharedThumb, scaledBox(guest.box, k))) * 0.3);
    expect((await readFile(join(ev.dataDir, stored.previewPath!))).equals(sharedBefore)).toBe(true);
  });

  it('blurs a photo of the guest that lands later, with no job to run', async () => {
    await dropPhoto(ev.watchDir, LATER.her, await brighterHer());
    const later = (await waitForPhotos(ev, [LATER.her])).get(LATER.her)!;
    const laterGuest = await waitFor(
      async () => facesOf(later.id).find((f) => f.personId === guest.personId),
      'the later photo’s guest face to join the guest',
      READY_DEADLINE_MS,
      100,
    );
    expect(ev.engine.publishing.hiddenFaces(ev.eventId, [later.id]).get(later.id)).toEqual([
      { faceId: laterGuest.id, box: laterGuest.box },
    ]);
    const stored = engineRepositories(ev.engine).photos.getPhoto(later.id)!;
    const blurred = await readFile(join(ev.dataDir, (await ev.engine.publishing.attendeeMedia(stored, 'preview'))!));
    await expectBlurredOnly(await readFile(join(ev.dataDir, stored.previewPath!)), blurred, laterGuest.box, later.width!);
  });

  it('publishes the guest again when the organiser unmarks them, keeping the revoked mark in the list', async () => {
    const res = await ev.operatorJson<{ revoked: number }>(`/api/people/${guest.personId}/publish`, {
      method: 'POST',
      ...jsonBody({ reason: 'Changed their mind' }),
    });
    expect(res).toEqual({ revoked: 1 });
    expect(ev.engine.publishing.hiddenFaces(ev.eventId).size).toBe(0);
    const [record] = await optOutList();
    expect(record).toMatchObject({ personId: guest.personId, revokedBy: 'organiser', revokeReason: 'Changed their mind', photoCount: 0 });
    expect(record!.revokedAt).not.toBeNull();
    const her = photos.get(NAMES.her)!;
    const shared = await readFile(join(ev.dataDir, engineRepositories(ev.engine).photos.getPhoto(her.id)!.previewPath!));
    const zip = readZipEntries(await bytesOf(await fetch(`${ev.url}/gallery-api/${herGalleryToken}/zip`)));
    expect(zip[0]!.bytes.equals(shared)).toBe(true);
  });
});

describe('an attendee opts out at the kiosk', () => {
  let sessionId: string;
  let selfie: Buffer;

  beforeAll(async () => {
    selfie = await selfieOfFace(SAMPLES[0]!, attendee);
    sessionId = (await kiosk.startSession()).sessionId;
  });

  it('needs a selfie first, and a confirmation', async () => {
    const early = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/do-not-publish`, { method: 'POST', ...jsonBody({ confirm: true }) });
    expect(early.status).toBe(400);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/selfie first/);
    const found = (await (await kiosk.search(sessionId, selfie)).json()) as KioskResults;
    expect(found.matches.map((m) => m.photoId)).toContain(photos.get(NAMES.group)!.id);
    for (const body of [{}, { confirm: false }, { confirm: true, extra: 1 }]) {
      const res = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/do-not-publish`, { method: 'POST', ...jsonBody(body) });
      expect(`${JSON.stringify(body)} → ${res.status}`).toBe(`${JSON.stringify(body)} → 400`);
    }
  });

  it('is refused to another kiosk, which cannot see this session', async () => {
    const other = await pairKiosk(ev, 'Bar kiosk');
    const res = await other.fetch(`/kiosk-api/sessions/${sessionId}/do-not-publish`, { method: 'POST', ...jsonBody({ confirm: true }) });
    expect(res.status).toBe(404);
  });

  it('records the attendee’s person and their face, and hides them at once', async () => {
    const res = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/do-not-publish`, { method: 'POST', ...jsonBody({ confirm: true }) });
    expect(res.status).toBe(200);
    expect((await res.json()) as KioskOptOutResponse).toEqual({ optedOut: true, photoCount: 1 });
    const records = (await optOutList()).filter((r) => r.source === 'kiosk');
    expect(records.map((r) => ({ personId: r.personId, keepsFaceDescriptor: r.keepsFaceDescriptor, session: r.kioskSessionId }))).toEqual([
      { personId: attendee.personId, keepsFaceDescriptor: false, session: sessionId },
      { personId: null, keepsFaceDescriptor: true, session: sessionId },
    ]);
    expect(ev.engine.publishing.hiddenFaces(ev.eventId).get(photos.get(NAMES.group)!.id)).toEqual([
      { faceId: attendee.id, box: attendee.box },
    ]);
    // Asking twice records nothing more.
    await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/do-not-publish`, { method: 'POST', ...jsonBody({ confirm: true }) });
    expect((await optOutList()).filter((r) => r.source === 'kiosk')).toHaveLength(2);
  });

  it('never shows the opted-out attendee’s photos to someone else searching with their face', async () => {
    const { sessionId: someoneElse } = await kiosk.startSession();
    const found = (await (await kiosk.search(someoneElse, selfie)).json()) as KioskResults;
    expect([...found.matches, ...found.maybe].map((m) => m.photoId)).toEqual([]);
    const res = await kiosk.fetch(`/kiosk-api/sessions/${someoneElse}/photos/${photos.get(NAMES.group)!.id}/preview`);
    expect(res.status).toBe(404);
  });

  it('blurs them in the kiosk images other attendees see of a photo they are both in', async () => {
    const group = photos.get(NAMES.group)!;
    // The middle person of the same photo searches for her photos.
    const middle = facesOf(group.id).sort((a, b) => a.box[0] - b.box[0])[1]!;
    const { sessionId: hers } = await kiosk.startSession();
    const found = (await (await kiosk.search(hers, await selfieOfFace(SAMPLES[0]!, middle))).json()) as KioskResults;
    const match = found.matches.find((m) => m.photoId === group.id);
    expect(match).toBeDefined();
    const shown = await bytesOf(await kiosk.fetch(match!.previewUrl));
    const shared = await readFile(join(ev.dataDir, engineRepositories(ev.engine).photos.getPhoto(group.id)!.previewPath!));
    await expectBlurredOnly(shared, shown, attendee.box, group.width!);
  });

  it('blurs their face in a photo that lands later, found by the face they showed the kiosk', async () => {
    await dropPhoto(ev.watchDir, LATER.group, await sharp(SAMPLES[0]!).flop().jpeg({ quality: 90 }).toBuffer());
    const later = (await waitForPhotos(ev, [LATER.group])).get(LATER.group)!;
    const hidden = ev.engine.publishing.hiddenFaces(ev.eventId, [later.id]).get(later.id) ?? [];
    // Mirrored, the rightmost person stands leftmost.
    const leftmost = facesOf(later.id).sort((a, b) => a.box[0] - b.box[0])[0]!;
    expect(hidden.map((f) => f.faceId)).toEqual([leftmost.id]);
    expect((await optOutList()).find((r) => r.keepsFaceDescriptor)!.photoCount).toBe(2);
  });
});

describe('the organiser’s routes', () => {
  it('need the operator token', async () => {
    expect((await fetch(`${ev.url}/api/do-not-publish`)).status).toBe(401);
    expect((await fetch(`${ev.url}/api/people/1/do-not-publish`, { method: 'POST' })).status).toBe(401);
  });

  it('say which person was not found', async () => {
    const res = await ev.operator('/api/people/999999/do-not-publish', { method: 'POST', ...jsonBody({}) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Person 999999 not found/);
  });

  it('revoke a kiosk attendee’s face record by its id', async () => {
    const face = (await optOutList()).find((r) => r.keepsFaceDescriptor && r.revokedAt === null)!;
    const res = await ev.operatorJson<{ revoked: number }>(`/api/do-not-publish/${face.id}/revoke`, {
      method: 'POST',
      ...jsonBody({ reason: 'Attendee came back and asked to be published' }),
    });
    expect(res).toEqual({ revoked: 1 });
    expect((await ev.operator(`/api/do-not-publish/${face.id}/revoke`, { method: 'POST', ...jsonBody({}) })).status).toBe(404);
    expect((await optOutList()).map((r) => r.id).sort(byNumber)).toHaveLength(3);
  });
});

describe('a mark follows the person’s faces', () => {
  it('keeps a guest unpublished when the organiser merges them into another person', async () => {
    const her = photos.get(NAMES.her)!;
    const herFace = facesOf(her.id).sort((a, b) => b.box[0] - a.box[0])[0]!;
    await ev.operatorJson(`/api/people/${guest.personId}/do-not-publish`, { method: 'POST', ...jsonBody({}) });
    await ev.operatorJson('/api/people/merge', { method: 'POST', ...jsonBody({ into: herFace.personId, from: [guest.personId] }) });
    const hidden = ev.engine.publishing.hiddenFaces(ev.eventId, [her.id]).get(her.id) ?? [];
    expect(hidden.map((f) => f.faceId)).toContain(guest.id);
    const carried = (await optOutList()).find((r) => r.personId === herFace.personId && r.revokedAt === null);
    expect(carried?.note).toBe(`Carried over: faces of opted-out person ${guest.personId} were moved to this person`);
  });
});
