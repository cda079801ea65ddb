// Small blobs many to a request, where the endpoint offers bundles (src/api/blob-bundle.ts): which
// blobs go together (a pure plan), and sending one bundle. A bundle is all or nothing on the
// laptop's side: nothing of it is recorded until the endpoint answered, so a crash, a pause or a
// dropped connection sends it again (at most BUNDLE_BYTES), and the endpoint stores nothing twice.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { bundleHead, type CloudEventPolicy } from '../api/index.js';
import type { SyncBlob, SyncRepository } from '../store/index.js';
import { SyncRequestError, type CloudClient } from './cloud-client.js';
import { cannotRead, isGone } from './media-hashes.js';
import { stopIfAsked } from './sync-stop.js';

/**
 * Blob bytes per bundle: 1 MiB is ~35 thumbnails or ~4 previews, a fifth of a second at
 * 50 Mbit/s and four seconds at 2 Mbit/s, so four bundles in flight fill a link with 100 ms round
 * trips while a dropped connection costs little to send again.
 */
export const BUNDLE_BYTES = 1024 * 1024;

export type UploadItem = { bundle: SyncBlob[] } | { single: SyncBlob };
export type BundleOffer = NonNullable<CloudEventPolicy['blobBundles']>;

/**
 * The blobs of one group (already in the order they should go) as uploads: small ones gathered into
 * bundles, in order; large ones, and any whose multipart upload is already under way (it resumes
 * from its recorded parts), alone. Without an offer (an endpoint older than bundles), all alone.
 */
export function planUploads(blobs: readonly SyncBlob[], offer: BundleOffer | undefined): UploadItem[] {
  const items: UploadItem[] = [];
  if (!offer) return blobs.map((single) => ({ single }));
  const maxBytes = Math.min(BUNDLE_BYTES, offer.maxBundleBytes);
  let open: { bundle: SyncBlob[] } | null = null;
  let openBytes = 0;
  for (const blob of blobs) {
    if (blob.uploadId || blob.size > offer.maxBlobBytes || blob.size > maxBytes) {
      items.push({ single: blob });
      continue;
    }
    if (!open || openBytes + blob.size > maxBytes || open.bundle.length >= offer.maxBlobs) {
      open = { bundle: [] };
      openBytes = 0;
      items.push(open);
    }
    open.bundle.push(blob);
    openBytes += blob.size;
  }
  return items;
}

export interface BundleUploadDeps {
  repo: SyncRepository;
  client: CloudClient;
  eventId: number;
  throttle(bytes: number): Promise<void>;
  sent(bytes: number): void;
  /** True when the run should stop (paused, closing, another upload failed): checked after the wait under the cap. */
  stopped?(): boolean;
  now(): number;
}

/**
 * Bundle bodies kept for the next bundle. A body was a buffer per file and then one more joining
 * them (2 MiB of new memory a bundle, 70 MB in a 6-second ingest at 50 Mbit/s); the garbage
 * collector it called for took 70 ms of the main thread per such ingest, more than the reading
 * (profile of bench:sync, split cores). Now the files are read straight into a body from here.
 */
const POOLED_BODY_BYTES = BUNDLE_BYTES + 256 * 1024;
const POOLED_BODIES = 8;
const freeBodies: Buffer[] = [];
const takeBody = (bytes: number): Buffer =>
  bytes <= POOLED_BODY_BYTES ? (freeBodies.pop() ?? Buffer.allocUnsafeSlow(POOLED_BODY_BYTES)) : Buffer.allocUnsafe(bytes);
/** Only after the endpoint answered: it has read the whole body by then, so nothing still sends from it. */
const giveBackBody = (body: Buffer): void => {
  if (body.length === POOLED_BODY_BYTES && freeBodies.length < POOLED_BODIES) freeBodies.push(body);
};

/** Sends one bundle: the blobs the endpoint stored, and those that changed since they were listed (listed again next sync). */
export async function sendBundle(deps: BundleUploadDeps, blobs: readonly SyncBlob[]): Promise<{ stored: number; changed: SyncBlob[] }> {
  const { repo, client, eventId } = deps;
  const changed: SyncBlob[] = [];
  // Synchronous on purpose: bundled files are at most a MiB (thumbnails and previews of the data
  // folder, usually just written), and an asynchronous read is four trips through libuv's thread
  // pool (open, stat, read, close), which made opening files a third of a bundle's CPU on the
  // main thread in a profile of bench:sync.
  const opened: { blob: SyncBlob; fd: number }[] = [];
  let body: Buffer;
  let length: number;
  const ready: SyncBlob[] = [];
  try {
    for (const blob of blobs) {
      const fd = openListed(blob);
      if (fd === null) {
        // Gone since it was listed: listed again by the next differ run if it comes back.
        changed.push(blob);
        continue;
      }
      opened.push({ blob, fd });
      // A file that changed since it was listed (a blurred copy made again) is not what its hash says.
      if (fileSize(blob, fd) !== blob.size) changed.push(blob);
      else ready.push(blob);
    }
    for (const blob of changed) repo.dropBlob(eventId, blob.sha256);
    if (!ready.length) return { stored: 0, changed };
    const head = bundleHead(ready.map((b) => ({ sha256: b.sha256, size: b.size, kind: b.kind, contentType: b.contentType })));
    length = head.length + ready.reduce((sum, b) => sum + b.size, 0);
    body = takeBody(length);
    head.copy(body, 0);
    let at = head.length;
    for (const { blob, fd } of opened) {
      if (!ready.includes(blob)) continue;
      readInto(blob, fd, body, at);
      at += blob.size;
    }
  } finally {
    for (const f of opened) closeSync(f.fd);
  }
  // The cap counts the files' bytes, as a multipart upload's parts do.
  await deps.throttle(ready.reduce((sum, b) => sum + b.size, 0));
  try {
    stopIfAsked(deps.stopped);
  } catch (err) {
    giveBackBody(body); // nothing was sent from it
    throw err;
  }
  const answer = await client.sendBundle(body.subarray(0, length), ready.length);
  giveBackBody(body);
  const stored = new Set(answer.stored);
  const landed = ready.filter((b) => stored.has(b.sha256));
  repo.blobsUploaded(
    eventId,
    landed.map((b) => b.sha256),
    deps.now(),
  );
  deps.sent(landed.reduce((sum, b) => sum + b.size, 0));
  for (const refusal of answer.refused) {
    const blob = ready.find((b) => b.sha256 === refusal.sha256);
    if (!blob) continue;
    if (refusal.code === 'hash-mismatch') {
      // The bytes read were not the listed ones (the file changed between listing and reading).
      repo.dropBlob(eventId, blob.sha256);
      changed.push(blob);
      continue;
    }
    throw new SyncRequestError(
      `Sending ${blob.kind} ${blob.sha256.slice(0, 12)}: the endpoint refused it: ${refusal.message}`,
      'refused',
      200,
      refusal.code,
      null,
    );
  }
  return { stored: landed.length, changed };
}

/** The listed file opened for reading; null when it is gone. Unreadable is another matter: dropped and listed again it would fail the same way at every sync. */
function openListed(blob: SyncBlob): number | null {
  try {
    return openSync(blob.path, 'r');
  } catch (err) {
    if (isGone(err)) return null;
    throw cannotRead(blob.path, err);
  }
}

function fileSize(blob: SyncBlob, fd: number): number {
  try {
    return fstatSync(fd).size;
  } catch (err) {
    throw cannotRead(blob.path, err);
  }
}

/**
 * The file's bytes into `body` at `at`. A file cut shorter since its size was read leaves the
 * rest of its place as it was: the endpoint refuses that blob by its hash and the differ lists it
 * again; the bundle's other blobs keep their places.
 */
function readInto(blob: SyncBlob, fd: number, body: Buffer, at: number): void {
  const end = at + blob.size;
  try {
    while (at < end) {
      const read = readSync(fd, body, at, end - at, null);
      if (read === 0) return;
      at += read;
    }
  } catch (err) {
    throw cannotRead(blob.path, err);
  }
}
