// A cloud event as two laptops leave it after a wedding, for the organiser's page tests and its
// screenshot: photos (some on both laptops) with real thumbnails sent through the blob protocol,
// one thumbnail still missing, people with faces on both laptops (a suggested link between them),
// someone who asked not to be published, and emails: sent ones and one to a mistyped address.
import { createHash } from 'node:crypto';
import type { StartUploadResponse, SyncOperation } from '../../../src/api/index.js';
import type { CreatedCloudEvent, OrganiserSummary } from '../../../src/cloud/index.js';
import { encodeDescriptor } from '../../../src/cloud/merge/index.js';
import { waitFor } from '../../support/temp-dir.js';
import { call, hlc, postBatch, type CloudHarness } from './cloud-harness.js';

export const ALPHA = { deviceId: 'laptop-alpha-01', name: 'Alpha (main shooter)' };
export const BRAVO = { deviceId: 'laptop-bravo-02', name: 'Bravo (second shooter)' };
/** The attendee's mistyped address: the test SMTP server refuses it, so its delivery fails. */
export const MISTYPED_ADDRESS = 'maria.lopez@gmial.con';
export const GOOD_ADDRESSES = ['james.okafor@example.org', 'lea.martin@example.org'];

export interface FilledEvent {
  event: CreatedCloudEvent;
  tokens: { alpha: string; bravo: string };
  /** File names of the photos each laptop sent (shared ones on both). */
  fileNames: string[];
  /** The photo whose thumbnail the laptop named but has not sent yet. */
  thumbless: string;
}

const T0 = Date.parse('2026-06-20T14:00:00.000Z');
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Look-alike descriptors for one face seen twice (`direction` the same), far ones otherwise. */
const descriptor = (direction: number, wobble = 0) =>
  encodeDescriptor(Array.from({ length: 128 }, (_, i) => Math.sin(i * (direction + 1)) + (i === 0 ? wobble : 0))).toString('base64');

/** `offsetMs` orders two laptops' clocks: Bravo's edits come half a second after Alpha's of the same step. */
function operationLog(deviceId: string, offsetMs = 0) {
  let seq = 0;
  const ops: SyncOperation[] = [];
  return {
    ops,
    add(op: Record<string, unknown> & { kind: SyncOperation['kind'] }): void {
      seq += 1;
      ops.push({ ...op, seq, hlc: hlc(T0 + seq * 1000 + offsetMs, deviceId) } as SyncOperation);
    },
  };
}

/** As the laptop's uploader does it: start, PUT each part at its signed address, complete. */
async function uploadBlob(base: string, token: string, bytes: Buffer, kind: 'thumb' | 'preview', contentType: string): Promise<void> {
  const started = await call(base, 'POST', '/sync/v1/blobs/uploads', {
    token,
    body: { sha256: sha256(bytes), size: bytes.length, kind, contentType },
  });
  if (started.status !== 200) throw new Error(`upload start failed: ${started.status} ${JSON.stringify(started.body)}`);
  const upload = started.body as StartUploadResponse;
  const parts = [];
  for (const part of upload.parts) {
    const slice = bytes.subarray((part.partNumber - 1) * upload.partSize, part.partNumber * upload.partSize);
    const put = await fetch(part.url, { method: 'PUT', headers: part.headers, body: slice });
    if (put.status !== 200) throw new Error(`part ${part.partNumber} failed: ${put.status} ${await put.text()}`);
    parts.push({ partNumber: part.partNumber, etag: put.headers.get('etag')! });
  }
  const done = await call(base, 'POST', `/sync/v1/blobs/uploads/${upload.uploadId}/complete`, { token, body: { parts } });
  if (done.status !== 200) throw new Error(`upload completion failed: ${done.status} ${JSON.stringify(done.body)}`);
}

async function send(base: string, token: string, deviceId: string, ops: SyncOperation[]): Promise<void> {
  const res = await postBatch(base, token, `${deviceId}-1-${ops.length}`, ops);
  if (res.status !== 200) throw new Error(`batch of ${deviceId} refused: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function organiserSummaryOf(cloud: CloudHarness, event: CreatedCloudEvent): Promise<OrganiserSummary> {
  const res = await call(cloud.urls[0]!, 'GET', `/cloud-api/events/${event.cloudEventId}`, { token: event.organiserToken });
  if (res.status !== 200) throw new Error(`summary failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as OrganiserSummary;
}

/**
 * Fills a new event through the endpoint's own protocol. `thumbs` are the JPEG thumbnails to use
 * in turn (real photos scaled down for the screenshot, plain colours for the tests). The harness
 * must send email through an SMTP server that refuses MISTYPED_ADDRESS; this waits until every
 * email is sent or failed.
 */
export async function fillOrganiserEvent(
  cloud: CloudHarness,
  thumbs: readonly Buffer[],
  name = 'Smith & Okafor wedding',
): Promise<FilledEvent> {
  const base = cloud.urls[0]!;
  const event = await cloud.createEvent({ name, cloudFaceSearch: true });
  const tokens = {
    alpha: await cloud.enrol(event.joinCode, ALPHA.deviceId, ALPHA.name),
    bravo: await cloud.enrol(event.joinCode, BRAVO.deviceId, BRAVO.name),
  };
  const alpha = operationLog(ALPHA.deviceId);
  const bravo = operationLog(BRAVO.deviceId, 500);

  // Ceremony on both cards (the second shooter copied them), then each laptop's own.
  const plan: { fileName: string; on: ('alpha' | 'bravo')[] }[] = [
    ...['IMG_4101.JPG', 'IMG_4102.JPG', 'IMG_4103.JPG'].map((fileName) => ({ fileName, on: ['alpha', 'bravo'] as ('alpha' | 'bravo')[] })),
    ...['IMG_4120.JPG', 'IMG_4121.JPG', 'IMG_4122.JPG', 'IMG_4123.JPG'].map((fileName) => ({
      fileName,
      on: ['alpha'] as ('alpha' | 'bravo')[],
    })),
    ...['DSC_0871.JPG', 'DSC_0872.JPG', 'DSC_0873.JPG', 'DSC_0874.JPG'].map((fileName) => ({
      fileName,
      on: ['bravo'] as ('alpha' | 'bravo')[],
    })),
  ];
  const thumbless = plan.at(-1)!.fileName;
  const photoSha = (fileName: string) => sha256(`camera file ${fileName}`);
  // The missing thumbnail is one no other photo shares (its bytes never travel).
  const thumbOf = plan.map((p, i) => (p.fileName === thumbless ? Buffer.from(`thumbnail of ${thumbless}`) : thumbs[i % thumbs.length]!));
  plan.forEach((photo, i) => {
    const thumb = thumbOf[i]!;
    for (const laptop of photo.on) {
      (laptop === 'alpha' ? alpha : bravo).add({
        kind: 'photo.put',
        sha256: photoSha(photo.fileName),
        fileName: photo.fileName,
        capturedAt: new Date(T0 + i * 7 * 60_000).toISOString(),
        width: 6000,
        height: 4000,
        thumb: { sha256: sha256(thumb), size: thumb.length },
        preview: null,
        original: null,
      });
    }
  });

  // The bride on both laptops (look-alike faces: a suggested link), the best man on Alpha, and a
  // guest on Bravo who asked not to be published.
  alpha.add({ kind: 'person.put', personId: 1, name: 'Grace Smith', doNotPublish: false });
  alpha.add({ kind: 'person.put', personId: 2, name: 'Daniel Okafor', doNotPublish: false });
  bravo.add({ kind: 'person.put', personId: 7, name: 'Grace', doNotPublish: false });
  bravo.add({ kind: 'person.put', personId: 8, name: null, doNotPublish: true });
  let faceId = 0;
  const face = (log: typeof alpha, fileName: string, personId: number, direction: number, wobble: number) =>
    log.add({
      kind: 'face.put',
      faceId: ++faceId,
      photoSha256: photoSha(fileName),
      box: [0.3, 0.2, 0.2, 0.3],
      personId,
      descriptor: descriptor(direction, wobble),
    });
  for (const [i, fileName] of ['IMG_4101.JPG', 'IMG_4102.JPG', 'IMG_4120.JPG'].entries()) face(alpha, fileName, 1, 1, i * 0.01);
  for (const fileName of ['IMG_4121.JPG', 'IMG_4122.JPG']) face(alpha, fileName, 2, 5, 0);
  for (const [i, fileName] of ['IMG_4103.JPG', 'DSC_0871.JPG'].entries()) face(bravo, fileName, 7, 1, -i * 0.01);
  face(bravo, 'DSC_0872.JPG', 8, 9, 0);

  const email = (log: typeof alpha, deliveryId: number, address: string, photos: string[], at: number) =>
    log.add({
      kind: 'delivery.put',
      deliveryId,
      channel: 'email',
      address,
      galleryTokenHash: null,
      photoSha256s: photos.map(photoSha),
      createdAt: new Date(T0 + at * 60_000).toISOString(),
    });
  email(alpha, 1, GOOD_ADDRESSES[0]!, ['IMG_4101.JPG', 'IMG_4121.JPG', 'IMG_4122.JPG'], 95);
  email(bravo, 1, GOOD_ADDRESSES[1]!, ['IMG_4103.JPG', 'DSC_0871.JPG'], 101);
  email(bravo, 2, MISTYPED_ADDRESS, ['IMG_4102.JPG', 'DSC_0873.JPG', 'DSC_0874.JPG', 'IMG_4123.JPG'], 112);

  await send(base, tokens.alpha, ALPHA.deviceId, alpha.ops);
  await send(base, tokens.bravo, BRAVO.deviceId, bravo.ops);
  const uploaded = new Set<string>();
  for (const [i, photo] of plan.entries()) {
    const thumb = thumbOf[i]!;
    if (photo.fileName === thumbless || uploaded.has(sha256(thumb))) continue;
    uploaded.add(sha256(thumb));
    await uploadBlob(base, photo.on[0] === 'alpha' ? tokens.alpha : tokens.bravo, thumb, 'thumb', 'image/jpeg');
  }
  await waitFor(
    async () => (await organiserSummaryOf(cloud, event)).deliveries.every((d) => d.state === 'sent' || d.state === 'failed'),
    'every email sent or failed',
  );
  return { event, tokens, fileNames: plan.map((p) => p.fileName), thumbless };
}
