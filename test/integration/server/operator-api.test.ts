// The operator console's API on a real engine: organising people, watched folders, per-event
// settings, retrying a failed photo, and the live feed of photos as they land.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ErrorList,
  EventSettings,
  KioskIdentity,
  PeopleList,
  PersonFaces,
  PersonView,
  RetryResult,
  SourceList,
  SourceView,
} from '../../../src/api/index.js';
import { watchLiveEvents, type LiveEventOf } from '../../support/live-events.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import {
  byNumber,
  dropPhoto,
  jsonBody,
  listPhotos,
  pairKiosk,
  READY_DEADLINE_MS,
  SAMPLES,
  startServedEvent,
  waitForPhotos,
  type ServedEvent,
} from './served-event.js';

let ev: ServedEvent;
let spare: string;

beforeAll(async () => {
  ev = await startServedEvent();
  spare = await makeTempDir('shutterfind-spare-');
  // Two photos of different groups: every face is its own person (no one is in both).
  await dropPhoto(ev.watchDir, 'IMG_0001.jpg', SAMPLES[0]!);
  await dropPhoto(ev.watchDir, 'IMG_0003.jpg', SAMPLES[2]!);
  await waitForPhotos(ev, ['IMG_0001.jpg', 'IMG_0003.jpg']);
});

afterAll(async () => {
  await ev?.close();
  if (spare) await removeDir(spare);
});

const send = (method: string, path: string, body?: unknown): Promise<Response> =>
  ev.operator(path, body === undefined ? { method } : { method, ...jsonBody(body) });

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('people', () => {
  const people = async (): Promise<PeopleList['people']> => (await ev.operatorJson<PeopleList>('/api/people')).people;
  const facesOf = async (id: number): Promise<number[]> =>
    (await ev.operatorJson<PersonFaces>(`/api/people/${id}/faces`)).faces.map((f) => f.faceId).sort(byNumber);

  it('renames a person, and an empty name clears it', async () => {
    const [first] = await people();
    const renamed = await send('PATCH', `/api/people/${first!.id}`, { name: '  Aunt May ' });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as PersonView).name).toBe('Aunt May');
    expect((await people()).find((p) => p.id === first!.id)?.name).toBe('Aunt May');
    expect(((await (await send('PATCH', `/api/people/${first!.id}`, { name: '' })).json()) as PersonView).name).toBeNull();
    expect((await send('PATCH', '/api/people/999999', { name: 'Nobody' })).status).toBe(404);
    expect((await send('PATCH', `/api/people/${first!.id}`, { name: 'x'.repeat(121) })).status).toBe(400);
  });

  it("merges people into one: the faces move, the kept person's name stays, the merged ones are gone", async () => {
    const [into, from1, from2] = await people();
    await send('PATCH', `/api/people/${into!.id}`, { name: 'Grandpa Joe' });
    await send('PATCH', `/api/people/${from1!.id}`, { name: 'Not Joe' });
    const expectedFaces = [...(await facesOf(into!.id)), ...(await facesOf(from1!.id)), ...(await facesOf(from2!.id))].sort(byNumber);
    const before = (await people()).length;

    const res = await send('POST', '/api/people/merge', { into: into!.id, from: [from1!.id, from2!.id] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: into!.id, name: 'Grandpa Joe', faces: expectedFaces.length });
    expect(await facesOf(into!.id)).toEqual(expectedFaces);
    const after = await people();
    expect(after).toHaveLength(before - 2);
    expect(after.map((p) => p.id)).not.toContain(from1!.id);
    expect((await ev.operator(`/api/people/${from1!.id}/faces`)).status).toBe(404);
  });

  it('refuses merges that make no sense with 400', async () => {
    const [a] = await people();
    expect((await send('POST', '/api/people/merge', { into: a!.id, from: [a!.id] })).status).toBe(400);
    expect((await send('POST', '/api/people/merge', { into: a!.id, from: [999999] })).status).toBe(400);
    expect((await send('POST', '/api/people/merge', { into: a!.id, from: [] })).status).toBe(400);
  });

  it('splits chosen faces off into a new person and keeps the rest (and the name) with the old one; splitting off every face is 400', async () => {
    const joe = (await people()).find((p) => p.name === 'Grandpa Joe')!;
    const faces = await facesOf(joe.id);
    expect(faces.length).toBeGreaterThanOrEqual(3);
    const moving = [faces[0]!];

    const res = await send('POST', `/api/people/${joe.id}/split`, { faceIds: moving });
    expect(res.status).toBe(201);
    const created = (await res.json()) as PersonView;
    expect(created.id).not.toBe(joe.id);
    expect(created).toMatchObject({ name: null, faces: 1 });
    expect(await facesOf(created.id)).toEqual(moving);
    expect(await facesOf(joe.id)).toEqual(faces.slice(1));
    expect((await people()).find((p) => p.id === joe.id)?.name).toBe('Grandpa Joe');

    const all = await send('POST', `/api/people/${joe.id}/split`, { faceIds: faces.slice(1) });
    expect(`${all.status} ${await errorCode(all)}`).toBe('400 bad-request');
    expect(await facesOf(joe.id)).toEqual(faces.slice(1));
    // A face of someone else cannot be split off this person.
    expect((await send('POST', `/api/people/${joe.id}/split`, { faceIds: moving })).status).toBe(400);
  });
});

describe('watched folders', () => {
  const sources = async (): Promise<SourceView[]> => (await ev.operatorJson<SourceList>('/api/sources')).sources;

  it('refuses a folder that does not exist, a relative path, and a file with 400', async () => {
    for (const path of [join(spare, 'not-there'), 'photos/EOS', './hot', join(SAMPLES[0]!)]) {
      const res = await send('POST', '/api/sources', { path });
      expect(`${path} → ${res.status} ${await errorCode(res)}`).toBe(`${path} → 400 bad-request`);
    }
    expect((await sources()).map((s) => s.path)).toEqual([ev.watchDir]);
  });

  it('refuses a folder that is already watched with 409', async () => {
    for (const path of [ev.watchDir, `${ev.watchDir}/`, join(ev.watchDir, '..', 'hot')]) {
      const res = await send('POST', '/api/sources', { path });
      expect(`${path} → ${res.status} ${await errorCode(res)}`).toBe(`${path} → 409 conflict`);
    }
  });

  it('adds a folder, lists it as watching, and removes it', async () => {
    const folder = join(spare, 'EOS R5');
    await mkdir(folder);
    const res = await send('POST', '/api/sources', { path: folder });
    expect(res.status).toBe(201);
    const added = (await res.json()) as SourceView;
    expect(added).toMatchObject({ path: folder, state: 'watching', photos: 0, error: null });
    expect((await sources()).map((s) => [s.path, s.state])).toEqual([
      [ev.watchDir, 'watching'],
      [folder, 'watching'],
    ]);

    expect((await send('DELETE', `/api/sources/${added.id}`)).status).toBe(204);
    expect((await sources()).map((s) => s.path)).toEqual([ev.watchDir]);
    expect((await send('DELETE', `/api/sources/${added.id}`)).status).toBe(404);
  });
});

describe('event settings', () => {
  const DEFAULTS: EventSettings = {
    watermark: { enabled: false, text: '' },
    galleryLinkHours: 72,
    optInRetentionDays: 30,
    kioskIdleSeconds: 60,
    welcomeTitle: 'Find your photos',
    gallery: { accent: '', background: '' },
  };

  it('starts from the defaults', async () => {
    expect(await ev.operatorJson<EventSettings>('/api/settings')).toEqual(DEFAULTS);
  });

  it.each([
    ['a gallery link of 0 hours', { galleryLinkHours: 0 }],
    ['a gallery link of 1.5 hours', { galleryLinkHours: 1.5 }],
    ['a gallery link longer than 90 days', { galleryLinkHours: 24 * 90 + 1 }],
    ['a number as text', { kioskIdleSeconds: '60' }],
    ['a kiosk idle time of 5 s', { kioskIdleSeconds: 5 }],
    ['a retention of 91 days', { optInRetentionDays: 91 }],
    ['an empty welcome title', { welcomeTitle: '   ' }],
    ['a watermark text of 81 characters', { watermark: { text: 'x'.repeat(81) } }],
    ['a gallery colour that would break out of the style block', { gallery: { accent: 'red; } body { display: none' } }],
    ['a setting that does not exist', { galleryLinkDays: 3 }],
    ['not an object', [1, 2]],
  ])('refuses %s with 400 and keeps the saved settings', async (_what, patch) => {
    const res = await send('PATCH', '/api/settings', patch);
    expect(`${res.status} ${await errorCode(res)}`).toBe('400 bad-request');
    expect(await ev.operatorJson<EventSettings>('/api/settings')).toEqual(DEFAULTS);
  });

  it('saves a valid partial change, keeps what it does not name, and the kiosk shows it', async () => {
    const res = await send('PATCH', '/api/settings', {
      galleryLinkHours: 24,
      welcomeTitle: 'Smile!',
      watermark: { enabled: true, text: '© Studio Lumen' },
    });
    expect(res.status).toBe(200);
    const expected = { ...DEFAULTS, galleryLinkHours: 24, welcomeTitle: 'Smile!', watermark: { enabled: true, text: '© Studio Lumen' } };
    expect(await res.json()).toEqual(expected);
    expect(await ev.operatorJson<EventSettings>('/api/settings')).toEqual(expected);

    // Half a watermark change leaves the other half alone.
    const off = (await (await send('PATCH', '/api/settings', { watermark: { enabled: false } })).json()) as EventSettings;
    expect(off.watermark).toEqual({ enabled: false, text: '© Studio Lumen' });

    const kiosk = await pairKiosk(ev, 'Settings kiosk');
    const me = (await (await kiosk.fetch('/kiosk-api/me')).json()) as KioskIdentity;
    expect(me.settings.welcomeTitle).toBe('Smile!');
  });
});

/** A JPEG whose Huffman table is broken: libjpeg refuses it outright (not just a warning). */
async function corruptJpeg(sample: string): Promise<Buffer> {
  const jpeg = Buffer.from(await readFile(sample));
  let p = 2;
  while (p + 4 <= jpeg.length && jpeg[p] === 0xff && jpeg[p + 1] !== 0xc4) p += 2 + jpeg.readUInt16BE(p + 2);
  if (jpeg[p + 1] !== 0xc4) throw new Error(`${sample} has no Huffman table to break`);
  // Code counts for lengths 1..16 summing far past 256 codes: "Bogus Huffman table definition".
  jpeg.fill(0xff, p + 5, p + 5 + 16);
  return jpeg;
}

describe('failed photos', () => {
  it('a corrupt photo shows in the errors with its reason, and can be retried', async () => {
    await dropPhoto(ev.watchDir, 'IMG_0004.jpg', await corruptJpeg(SAMPLES[3]!));
    const failed = (await waitForPhotos(ev, ['IMG_0004.jpg'], 'failed')).get('IMG_0004.jpg')!;
    expect(failed.error).toMatch(/huffman|corrupt|decode|invalid/i);

    const errors = await ev.operatorJson<ErrorList>('/api/errors');
    expect(errors.errors).toEqual([
      expect.objectContaining({
        photoId: failed.id,
        fileName: 'IMG_0004.jpg',
        path: join(ev.watchDir, 'IMG_0004.jpg'),
        error: failed.error,
      }),
    ]);

    const retried = await send('POST', `/api/photos/${failed.id}/retry`);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as RetryResult).requeued).toBe(1);
    // The file is still broken: it is tried again (a new failure time) and fails with the same reason.
    const firstAt = errors.errors[0]!.at;
    const again = await waitFor(
      async () => (await ev.operatorJson<ErrorList>('/api/errors')).errors.find((e) => e.photoId === failed.id && e.at !== firstAt),
      'the retried photo to fail again',
      READY_DEADLINE_MS,
    );
    expect(again.error).toBe(failed.error);
  });

  it('a photo fixed on disk after failing is ready after a retry-all', async () => {
    // Broken differently from IMG_0004 (another source photo), or it would be a duplicate of it.
    await dropPhoto(ev.watchDir, 'IMG_0002.jpg', await corruptJpeg(SAMPLES[1]!));
    const failed = (await waitForPhotos(ev, ['IMG_0002.jpg'], 'failed')).get('IMG_0002.jpg')!;
    // The photographer copies the file again from the card (written whole, under the same name).
    await dropPhoto(ev.watchDir, 'IMG_0002.jpg', SAMPLES[1]!);
    const retried = await send('POST', '/api/photos/retry-failed');
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as RetryResult).requeued).toBeGreaterThanOrEqual(1);
    const fixed = (await waitForPhotos(ev, ['IMG_0002.jpg'])).get('IMG_0002.jpg')!;
    expect(fixed).toMatchObject({ id: failed.id, error: null });
    expect(fixed.faces.length).toBeGreaterThan(0);
    expect((await ev.operatorJson<ErrorList>('/api/errors')).errors.map((e) => e.fileName)).not.toContain('IMG_0002.jpg');
  });

  it('retrying a photo that has not failed is 409, and an unknown photo 404', async () => {
    const ready = (await listPhotos(ev)).find((p) => p.status === 'ready')!;
    const res = await send('POST', `/api/photos/${ready.id}/retry`);
    expect(`${res.status} ${await errorCode(res)}`).toBe('409 conflict');
    expect((await send('POST', '/api/photos/999999/retry')).status).toBe(404);
  });
});

describe('live feed', () => {
  it('/api/live sends a photo event for a photo dropped into the watched folder', async () => {
    const isIt = (e: LiveEventOf<'photo'>) => e.photo.fileName === 'IMG_0005.jpg';
    const live = await watchLiveEvents(
      async (signal) => {
        const res = await ev.operator('/api/live', { signal });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        return res;
      },
      'photo',
      (e) => isIt(e) && e.photo.status === 'ready',
    );
    const deadline = setTimeout(live.stop, READY_DEADLINE_MS);
    try {
      // The stream is open: now drop the photo.
      await dropPhoto(ev.watchDir, 'IMG_0005.jpg', SAMPLES[4]!);
      await live.awaited;
    } finally {
      clearTimeout(deadline);
      live.stop();
    }
    const seen = live.seen.filter(isIt);
    const photoEvents = seen;
    // First when it lands, last when it is ready with its faces and thumbnail.
    expect(photoEvents[0]!.photo.status).toMatch(/pending|processing|ready/);
    const last = photoEvents.at(-1)!.photo;
    expect(last).toMatchObject({
      status: 'ready',
      path: join(ev.watchDir, 'IMG_0005.jpg'),
      thumbUrl: `/api/media/photos/${last.id}/thumb`,
    });
    expect(last.faces.length).toBeGreaterThan(0);
  });

  it('/api/live tells the console when the event was re-clustered, so its people page reloads', async () => {
    const live = await watchLiveEvents(
      (signal) => ev.operator('/api/live', { signal }),
      'people-regrouped',
      () => true,
    );
    const deadline = setTimeout(live.stop, READY_DEADLINE_MS);
    try {
      const res = await send('POST', '/api/people/recluster');
      expect(res.status).toBe(200);
      const summary = (await res.json()) as { persons: number };
      expect(await live.awaited).toEqual({ type: 'people-regrouped', persons: summary.persons });
      expect((await ev.operatorJson<PeopleList>('/api/people')).people).toHaveLength(summary.persons);
    } finally {
      clearTimeout(deadline);
      live.stop();
    }
  });
});
