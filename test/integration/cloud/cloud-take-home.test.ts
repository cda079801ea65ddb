// What sync delivers to attendees, end to end through the endpoint: the kiosk's take-home link
// opens in the cloud with the same token once its photos' blobs have arrived, and an attendee who
// asked for an email receives one (real SMTP) whose link opens the same photos; the address is
// deleted and the laptop reads the delivery as sent.
import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryView, StartUploadResponse, SyncOperation } from '../../../src/api/index.js';
import { hashSecret } from '../../../src/config/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import { waitFor } from '../../support/temp-dir.js';
import { call, hlc, postBatch, sha, startCloudHarness, type CloudHarness } from './cloud-harness.js';

let postgres: TestPostgres;
let inbox: SmtpInbox;
let cloud: CloudHarness;

beforeAll(async () => {
  postgres = await startPostgres();
  inbox = await startSmtpInbox();
  cloud = await startCloudHarness(postgres, { instances: 2, smtpUrl: inbox.url });
});
afterAll(async () => {
  await cloud?.close();
  await inbox?.close();
  await postgres?.stop();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const image = (width: number, format: 'webp' | 'jpeg') =>
  sharp({ create: { width, height: Math.round(width * 0.75), channels: 3, background: { r: 200, g: 120, b: 40 } } })
    [format]()
    .toBuffer();

async function upload(base: string, token: string, bytes: Buffer, kind: 'thumb' | 'preview', contentType: string): Promise<void> {
  const started = await call(base, 'POST', '/sync/v1/blobs/uploads', {
    token,
    body: { sha256: sha256(bytes), size: bytes.length, kind, contentType },
  });
  const up = started.body as StartUploadResponse;
  const parts = [];
  for (const part of up.parts) {
    const res = await fetch(part.url, {
      method: 'PUT',
      headers: { ...part.headers, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(res.status).toBe(200);
    parts.push({ partNumber: part.partNumber, etag: res.headers.get('etag')! });
  }
  const done = await call(base, 'POST', `/sync/v1/blobs/uploads/${up.uploadId}/complete`, { token, body: { parts } });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
}

describe('take-home links and emails from the cloud', () => {
  it("open the kiosk's link with its own token once the blobs arrived, and email the attendee once with a link that opens", async () => {
    const event = await cloud.createEvent({ name: 'Harbour Gala' });
    const laptop = await cloud.enrol(event.joinCode, 'laptop-kiosk-01');
    const kioskToken = randomBytes(32).toString('base64url');
    const thumb = await image(400, 'webp');
    const preview = await image(1600, 'jpeg');
    const stamp = (n: number) => hlc(1_750_000_000_000 + n, 'laptop-kiosk-01');
    const ops: SyncOperation[] = [
      {
        seq: 1,
        hlc: stamp(1),
        kind: 'photo.put',
        sha256: sha('IMG_0042'),
        fileName: 'IMG_0042.JPG',
        capturedAt: '2026-06-01T19:30:00.000Z',
        width: 6000,
        height: 4500,
        thumb: { sha256: sha256(thumb), size: thumb.length },
        preview: { sha256: sha256(preview), size: preview.length },
        original: null,
      },
      {
        seq: 2,
        hlc: stamp(2),
        kind: 'gallery.put',
        tokenHash: hashSecret(kioskToken),
        photoSha256s: [sha('IMG_0042')],
        createdAt: '2026-06-01T19:45:00.000Z',
        expiresAt: '2099-01-01T00:00:00.000Z',
        watermark: null,
      },
      {
        seq: 3,
        hlc: stamp(3),
        kind: 'delivery.put',
        deliveryId: 1,
        channel: 'email',
        address: 'ana@example.org',
        galleryTokenHash: hashSecret(kioskToken),
        photoSha256s: [sha('IMG_0042')],
        createdAt: '2026-06-01T19:45:00.000Z',
      },
    ];
    const [a, b] = cloud.urls as [string, string];
    // Metadata first: the link opens at once, without the photo its blobs have not brought yet.
    expect((await postBatch(a, laptop, 'kiosk-batch-1', ops)).status).toBe(200);
    const early = await call(b, 'GET', `/gallery-api/${kioskToken}`);
    expect(early.status).toBe(200);
    expect((early.body as GalleryView).photos).toEqual([]);

    await upload(b, laptop, thumb, 'thumb', 'image/webp');
    await upload(a, laptop, preview, 'preview', 'image/jpeg');
    const view = (await call(b, 'GET', `/gallery-api/${kioskToken}`)).body as GalleryView;
    expect(view.event).toBe('Harbour Gala');
    expect(view.photos).toHaveLength(1);
    const thumbRes = await fetch(new URL(view.photos[0]!.thumbUrl, a));
    expect(thumbRes.status).toBe(200);
    expect(Buffer.from(await thumbRes.arrayBuffer()).equals(thumb)).toBe(true);

    const email = await waitFor(() => inbox.messages.find((m) => m.to.includes('ana@example.org')), 'the attendee’s email', 60_000);
    const link = /https?:\/\/127\.0\.0\.1:\d+\/g\/([A-Za-z0-9_-]{43})/.exec(email.text);
    expect(link, email.text).not.toBeNull();
    expect(link![1]).not.toBe(kioskToken);
    const emailed = (await call(a, 'GET', `/gallery-api/${link![1]}`)).body as GalleryView;
    expect(emailed.photos.map((p) => p.photoId)).toEqual(view.photos.map((p) => p.photoId));

    const states = await waitFor(async () => {
      const res = await call(b, 'GET', '/sync/v1/deliveries', { token: laptop });
      const body = res.body as { deliveries: { state: string }[] };
      return body.deliveries[0]?.state === 'sent' ? body : false;
    }, 'the delivery to read as sent');
    expect(states.deliveries).toHaveLength(1);
    const { rows } = await cloud.db.pool.query('SELECT address FROM deliveries WHERE cloud_event_id = $1', [event.cloudEventId]);
    expect(rows).toEqual([{ address: null }]);
    expect(inbox.messages.filter((m) => m.to.includes('ana@example.org'))).toHaveLength(1);
  });

  it('let the organiser give a failed email a corrected address, and send it there once', async () => {
    const event = await cloud.createEvent({ name: 'Harbour Gala' });
    const laptop = await cloud.enrol(event.joinCode, 'laptop-kiosk-02');
    inbox.refuseRecipients({ address: 'ana@exmaple.org', code: 550, message: 'No such mailbox' });
    const res = await postBatch(cloud.urls[0]!, laptop, 'typo-1', [
      {
        seq: 1,
        hlc: hlc(1_750_000_000_001, 'laptop-kiosk-02'),
        kind: 'delivery.put',
        deliveryId: 1,
        channel: 'email',
        address: 'ana@exmaple.org',
        galleryTokenHash: null,
        photoSha256s: [],
        createdAt: '2026-06-01T19:45:00.000Z',
      },
    ]);
    expect(res.status).toBe(200);
    const summary = () => call(cloud.urls[1]!, 'GET', `/cloud-api/events/${event.cloudEventId}`, { token: event.organiserToken });
    const failed = await waitFor(async () => {
      const body = (await summary()).body as { deliveries: { id: number; state: string; error: string | null }[] };
      return body.deliveries[0]?.state === 'failed' ? body.deliveries[0] : false;
    }, 'the email to the mistyped address to fail');
    expect(failed.error).toMatch(/550|No such mailbox/);

    const fixed = await call(cloud.urls[1]!, 'PATCH', `/cloud-api/events/${event.cloudEventId}/deliveries/${failed.id}`, {
      token: event.organiserToken,
      body: { address: 'ana@example.org' },
    });
    expect(fixed.body).toEqual({ id: failed.id, state: 'waiting' });
    await waitFor(
      () => inbox.messages.filter((m) => m.to.includes('ana@example.org') && m.messageId.includes(`delivery-${failed.id}@`)).length === 1,
      'the email at the corrected address',
    );
    const sent = await waitFor(async () => {
      const body = (await summary()).body as { deliveries: { state: string }[] };
      return body.deliveries[0]?.state === 'sent' ? body : false;
    }, 'the delivery to read as sent');
    expect(JSON.stringify(sent)).not.toContain('ana@');
    const again = await call(cloud.urls[0]!, 'PATCH', `/cloud-api/events/${event.cloudEventId}/deliveries/${failed.id}`, {
      token: event.organiserToken,
      body: { address: 'someone@example.org' },
    });
    expect(again.status).toBe(404);
  });
});
