// Attendees' take-home links served by the cloud endpoint after the event: a real PostgreSQL with
// the cloud schema, photos' bytes in the directory blob store (sent as real multipart uploads),
// and real HTTP on loopback. The kiosk's token works unchanged, since the cloud keeps its hash.
import Fastify, { type FastifyInstance } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryView } from '../../../src/api/index.js';
import { DirectoryBlobStore, blobKey, registerDirectoryPartRoutes } from '../../../src/cloud/blobs/index.js';
import {
  enrolDevice,
  insertCloudEvent,
  insertUpload,
  migrateCloudDatabase,
  openCloudDatabase,
  putGalleryLink,
  putPhoto,
  recordStoredBlob,
  type CloudDatabase,
} from '../../../src/cloud/database/index.js';
import { insertEmailGalleryLink } from '../../../src/cloud/email/delivery-queue.js';
import { registerCloudGalleryRoutes } from '../../../src/cloud/gallery/index.js';
import { watermarkJpeg } from '../../../src/export/index.js';
import { PAGE_CONTENT_SECURITY_POLICY } from '../../../src/config/index.js';
import { hashSecret } from '../../../src/config/index.js';
import { readZipEntries } from '../../e2e/support/zip-entries.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import { freePort } from './cloud-harness.js';

const DEVICE_ID = 'laptop-one-1234';
const HOUR = 3600_000;

let postgres: TestPostgres;
let db: CloudDatabase;
let app: FastifyInstance;
let blobs: DirectoryBlobStore;
let dir: string;
let base: string;
let seq = 0;

interface SyncedPhoto {
  sha256: string;
  fileName: string;
  thumb: Buffer;
  preview: Buffer;
}

beforeAll(async () => {
  postgres = await startPostgres();
  db = openCloudDatabase(await postgres.createDatabase());
  await migrateCloudDatabase(db);
  dir = await makeTempDir('shutterfind-cloud-gallery-');
  const rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Shutterfind</title><div id="root"></div>');
  await writeFile(join(rendererDir, 'assets', 'gallery-AbCd1234.js'), 'export {};');

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  blobs = new DirectoryBlobStore({
    dir: join(dir, 'blobs'),
    publicBaseUrl: base,
    signingSecret: randomBytes(32).toString('hex'),
    partSize: 16 * 1024,
  });
  app = Fastify({ logger: false });
  await registerDirectoryPartRoutes(app, blobs);
  await registerCloudGalleryRoutes(app, { db, blobs, rendererDir });
  await app.listen({ host: '127.0.0.1', port });
});

afterAll(async () => {
  await app?.close();
  await db?.close();
  await postgres?.stop();
  if (dir) await removeDir(dir);
});

// ---- what a laptop's sync leaves in the cloud ----------------------------------------------

async function newEvent(name: string): Promise<{ cloudEventId: string; devicePk: number }> {
  const cloudEventId = randomBytes(12).toString('base64url');
  await insertCloudEvent(db.pool, {
    id: cloudEventId,
    name,
    uploadOriginals: false,
    cloudFaceSearch: false,
    organiserTokenHash: hashSecret(randomBytes(32).toString('hex')),
  });
  const device = await enrolDevice(db.pool, {
    cloudEventId,
    deviceId: DEVICE_ID,
    name: 'Laptop one',
    tokenHash: hashSecret(randomBytes(32).toString('hex')),
  });
  return { cloudEventId, devicePk: device.pk };
}

const hlc = () => `${String(Date.now()).padStart(15, '0')}-${String(++seq).padStart(6, '0')}-${DEVICE_ID}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function makePhoto(fileName: string, hue: number): Promise<SyncedPhoto> {
  const image = sharp({ create: { width: 96, height: 64, channels: 3, background: { r: hue, g: 255 - hue, b: 128 } } });
  return {
    sha256: sha256(randomBytes(64)),
    fileName,
    thumb: await image.clone().resize(48).webp().toBuffer(),
    // Larger than a part, so it travels as a real multipart upload.
    preview: Buffer.concat([await image.clone().jpeg().toBuffer(), randomBytes(40 * 1024)]),
  };
}

async function sendPhoto(to: { cloudEventId: string; devicePk: number }, photo: SyncedPhoto): Promise<void> {
  await db.transaction((client) =>
    putPhoto(client, to, {
      kind: 'photo.put',
      seq: ++seq,
      hlc: hlc(),
      sha256: photo.sha256,
      fileName: photo.fileName,
      capturedAt: '2026-06-20T18:30:00.000Z',
      width: 96,
      height: 64,
      thumb: { sha256: sha256(photo.thumb), size: photo.thumb.length },
      preview: { sha256: sha256(photo.preview), size: photo.preview.length },
      original: null,
    }),
  );
}

/** As the laptop's uploader and the endpoint do it: a multipart upload, then the blob recorded as stored. */
async function sendBlob(to: { cloudEventId: string; devicePk: number }, bytes: Buffer, kind: 'thumb' | 'preview'): Promise<void> {
  const hash = sha256(bytes);
  const key = blobKey(to.cloudEventId, hash);
  const uploadId = await blobs.startUpload(key, kind === 'thumb' ? 'image/webp' : 'image/jpeg');
  const partCount = Math.ceil(bytes.length / blobs.partSize);
  const addresses = await blobs.signParts(
    key,
    uploadId,
    Array.from({ length: partCount }, (_, i) => i + 1),
    Date.now() + HOUR,
  );
  const parts = [];
  for (const address of addresses) {
    const at = (address.partNumber - 1) * blobs.partSize;
    const answer = await fetch(address.url, { method: 'PUT', headers: address.headers, body: bytes.subarray(at, at + blobs.partSize) });
    expect(answer.status).toBe(200);
    parts.push({ partNumber: address.partNumber, etag: answer.headers.get('etag')! });
  }
  await blobs.completeUpload(key, uploadId, parts);
  const upload = {
    uploadId,
    cloudEventId: to.cloudEventId,
    sha256: hash,
    kind,
    size: bytes.length,
    contentType: 'image/jpeg',
    devicePk: to.devicePk,
  };
  await insertUpload(db.pool, upload);
  await recordStoredBlob(db.pool, { ...upload, completedAt: null });
}

async function sendLink(
  to: { cloudEventId: string; devicePk: number },
  photos: SyncedPhoto[],
  expiresAt: Date,
  watermark: string | null = null,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.transaction((client) =>
    putGalleryLink(client, to, {
      kind: 'gallery.put',
      seq: ++seq,
      hlc: hlc(),
      tokenHash: hashSecret(token),
      photoSha256s: photos.map((p) => p.sha256),
      createdAt: new Date(expiresAt.getTime() - 72 * HOUR).toISOString(),
      expiresAt: expiresAt.toISOString(),
      watermark,
    }),
  );
  return token;
}

async function get(path: string): Promise<Response> {
  return fetch(`${base}${path}`);
}

async function viewOf(token: string): Promise<GalleryView> {
  const answer = await get(`/gallery-api/${token}`);
  expect(answer.status).toBe(200);
  return (await answer.json()) as GalleryView;
}

// ---- the attendee's side -------------------------------------------------------------------

describe('take-home links in the cloud', () => {
  let event: { cloudEventId: string; devicePk: number };
  let mine: SyncedPhoto[];
  let someoneElses: SyncedPhoto;
  let token: string;

  beforeAll(async () => {
    event = await newEvent('Summer Gala');
    mine = [await makePhoto('IMG_0001.CR3', 10), await makePhoto('IMG_0002.JPG', 200)];
    someoneElses = await makePhoto('IMG_0003.JPG', 90);
    for (const photo of [...mine, someoneElses]) {
      await sendPhoto(event, photo);
      await sendBlob(event, photo.thumb, 'thumb');
      await sendBlob(event, photo.preview, 'preview');
    }
    token = await sendLink(event, mine, new Date(Date.now() + 72 * HOUR));
    await sendLink(event, [someoneElses], new Date(Date.now() + 72 * HOUR));
  });

  it("open with the kiosk's own token and show the attendee's photos, in the link's order", async () => {
    const view = await viewOf(token);
    expect(view.event).toBe('Summer Gala');
    expect(view.photos).toHaveLength(2);
    expect(view.zipUrl).toBe(`/gallery-api/${token}/zip`);
    expect(view.photos.map((p) => [p.width, p.height])).toEqual([
      [96, 64],
      [96, 64],
    ]);
    expect(view.photos[0]!.previewUrl).toMatch(new RegExp(`^/gallery-api/${token}/photos/\\d+/preview$`));
  });

  it('serve the gallery page with the laptop’s security and cache rules', async () => {
    const page = await get(`/g/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toBe(PAGE_CONTENT_SECURITY_POLICY);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const asset = await get('/assets/gallery-AbCd1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('stream each photo’s thumbnail, preview and download from the blob store', async () => {
    const view = await viewOf(token);
    const [first] = view.photos;
    const thumb = await get(first!.thumbUrl);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.compare(Buffer.from(await thumb.arrayBuffer()), mine[0]!.thumb)).toBe(0);
    const preview = await get(first!.previewUrl);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    expect(preview.headers.get('cache-control')).toBe('no-store');
    expect(preview.headers.get('referrer-policy')).toBe('no-referrer');
    expect(Buffer.compare(Buffer.from(await preview.arrayBuffer()), mine[0]!.preview)).toBe(0);
    const download = await get(first!.downloadUrl);
    expect(download.headers.get('content-disposition')).toContain('filename="IMG_0001.jpg"');
    expect(Buffer.compare(Buffer.from(await download.arrayBuffer()), mine[0]!.preview)).toBe(0);
  });

  it('let a link see only its own photos', async () => {
    const theirs = (await viewOf(await sendLink(event, [someoneElses], new Date(Date.now() + HOUR)))).photos[0]!.photoId;
    for (const kind of ['thumb', 'preview', 'download']) {
      const answer = await get(`/gallery-api/${token}/photos/${theirs}/${kind}`);
      expect(answer.status).toBe(404);
    }
    const other = await newEvent('Another wedding');
    const elsewhere = await makePhoto('IMG_9000.JPG', 30);
    await sendPhoto(other, elsewhere);
    await sendBlob(other, elsewhere.preview, 'preview');
    const elsewhereId = (await viewOf(await sendLink(other, [elsewhere], new Date(Date.now() + HOUR)))).photos[0]!.photoId;
    expect((await get(`/gallery-api/${token}/photos/${elsewhereId}/preview`)).status).toBe(404);
  });

  it('answer 404 to an unknown link (which may not have synced yet) and 410 to an expired one, in words the attendee understands', async () => {
    // One character changed (never to itself: a token ending in A would otherwise be opened, 1 run in 64).
    const oneOff = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const unknown of [randomBytes(32).toString('base64url'), 'not-a-token', oneOff]) {
      const answer = await get(`/gallery-api/${unknown}`);
      expect(answer.status).toBe(404);
      // An unknown link and one minted at an offline venue that has not synced yet look the same here.
      expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(
        /not here \(yet\).*laptop is next online: try again later/,
      );
    }
    const expired = await sendLink(event, mine, new Date(Date.now() - 1000));
    const answer = await get(`/gallery-api/${expired}`);
    expect(answer.status).toBe(410);
    expect(await answer.json()).toMatchObject({ error: { code: 'expired' } });
    expect((await get(`/gallery-api/${expired}/zip`)).status).toBe(410);
    expect((await get(`/gallery-api/${expired}/photos/1/preview`)).status).toBe(410);
  });

  it('leave out a photo whose preview has not arrived yet, and show it once it has', async () => {
    const late = await makePhoto('IMG_0004.JPG', 150);
    await sendPhoto(event, late);
    await sendBlob(event, late.thumb, 'thumb');
    const link = await sendLink(event, [mine[0]!, late], new Date(Date.now() + HOUR));
    expect((await viewOf(link)).photos).toHaveLength(1);

    await sendBlob(event, late.preview, 'preview');
    const view = await viewOf(link);
    expect(view.photos).toHaveLength(2);
    const preview = await get(view.photos[1]!.previewUrl);
    expect(Buffer.compare(Buffer.from(await preview.arrayBuffer()), late.preview)).toBe(0);
  });

  it('hand over all the photos as one ZIP', async () => {
    const answer = await get(`/gallery-api/${token}/zip`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/zip');
    expect(answer.headers.get('content-disposition')).toContain('Summer Gala photos.zip');
    const entries = readZipEntries(Buffer.from(await answer.arrayBuffer()));
    expect(entries.map((e) => e.name)).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg']);
    expect(entries.map((e) => sha256(e.bytes))).toEqual(mine.map((p) => sha256(p.preview)));
  });

  it("draw the laptop's watermark on previews, downloads, the ZIP and a preview standing in for a thumbnail, never on a real thumbnail", async () => {
    const text = '© Studio Lumen';
    const thumbless = await makePhoto('IMG_0004.JPG', 173); // a colour no other photo here has: its thumbnail is its own
    await sendPhoto(event, thumbless);
    await sendBlob(event, thumbless.preview, 'preview'); // its thumbnail never arrived
    const marked = await sendLink(event, [mine[0]!, thumbless], new Date(Date.now() + HOUR), text);
    const [withThumb, withoutThumb] = (await viewOf(marked)).photos;
    const bytes = async (path: string): Promise<Buffer> => Buffer.from(await (await get(path)).arrayBuffer());

    const preview = await bytes(withThumb!.previewUrl);
    // What the laptop's gallery sends for the same preview and text, and visibly marked.
    expect(Buffer.compare(preview, await watermarkJpeg(mine[0]!.preview, text))).toBe(0);
    expect(await markedCorner(mine[0]!.preview, preview)).toBeGreaterThan(10);
    expect(Buffer.compare(await bytes(withThumb!.downloadUrl), preview)).toBe(0);
    expect(Buffer.compare(await bytes(withThumb!.thumbUrl), mine[0]!.thumb)).toBe(0);
    expect(Buffer.compare(await bytes(withoutThumb!.thumbUrl), await watermarkJpeg(thumbless.preview, text))).toBe(0);
    const zip = readZipEntries(Buffer.from(await (await get(`/gallery-api/${marked}/zip`)).arrayBuffer()));
    expect(Buffer.compare(zip[0]!.bytes, preview)).toBe(0);

    // An email's link that follows the kiosk link is marked like it.
    const emailToken = randomBytes(32).toString('base64url');
    await insertEmailGalleryLink(db.pool, {
      tokenHash: hashSecret(emailToken),
      delivery: {
        id: 1,
        cloudEventId: event.cloudEventId,
        eventName: 'Summer Gala',
        address: 'ana@example.com',
        galleryTokenHash: hashSecret(marked),
        photoSha256s: [],
        photoCount: 2,
        attempts: 1,
        failedTries: 0,
      },
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + HOUR),
    });
    const [viaEmail] = (await viewOf(emailToken)).photos;
    expect(Buffer.compare(await bytes(viaEmail!.previewUrl), preview)).toBe(0);
    // A link sent without a watermark stays unmarked.
    expect(Buffer.compare(await bytes((await viewOf(token)).photos[0]!.previewUrl), mine[0]!.preview)).toBe(0);
  });
});

/** How much the bottom-right corner (where the watermark goes) changed, as a mean per channel value. */
async function markedCorner(before: Buffer, after: Buffer): Promise<number> {
  const corner = async (image: Buffer) => sharp(image).extract({ left: 48, top: 40, width: 48, height: 24 }).removeAlpha().raw().toBuffer();
  const [a, b] = await Promise.all([corner(before), corner(after)]);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
