// Small blobs many to a request, where the endpoint offers bundles (src/api/blob-bundle.ts): which
// blobs go together (a pure plan), and sending one bundle. A bundle is all or nothing on the
// laptop's side: nothing of it is recorded until the endpoint answered, so a crash, a pause or a
// dropped connection sends it again (at most BUNDLE_BYTES), and the endpoint stores nothing twice.
import { readFileSync } from 'node:fs';
import { encodeBundle, type CloudEventPolicy } from '../api/index.js';
import type { SyncBlob, SyncRepository } from '../store/index.js';
import { SyncRequestError, type CloudClient } from './cloud-client.js';
import { cannotRead, isGone } from './media-hashes.js';

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
  now(): number;
}

/** Sends one bundle: the blobs the endpoint stored, and those that changed since they were listed (listed again next sync). */
export async function sendBundle(deps: BundleUploadDeps, blobs: readonly SyncBlob[]): Promise<{ stored: number; changed: SyncBlob[] }> {
  const { repo, client, eventId } = deps;
  const changed: SyncBlob[] = [];
  const ready: { blob: SyncBlob; bytes: Buffer }[] = [];
  for (const blob of blobs) {
    // Synchronous on purpose: bundled files are at most a MiB (thumbnails and previews of the data
    // folder, usually just written), and an asynchronous read is four trips through libuv's thread
    // pool (open, stat, read, close), which made opening files a third of a bundle's CPU on the
    // main thread in a profile of bench:sync.
    let bytes: Buffer | null;
    try {
      bytes = readFileSync(blob.path);
    } catch (err) {
      // Gone since it was listed: listed again by the next differ run if it comes back. Unreadable
      // is another matter: dropped and listed again it would fail the same way at every sync.
      if (!isGone(err)) throw cannotRead(blob.path, err);
      bytes = null;
    }
    // A file that changed since it was listed (a blurred copy made again) is not what its hash says.
    if (!bytes || bytes.length !== blob.size) changed.push(blob);
    else ready.push({ blob, bytes });
  }
  for (const blob of changed) repo.dropBlob(eventId, blob.sha256);
  if (!ready.length) return { stored: 0, changed };
  const total = ready.reduce((sum, r) => sum + r.bytes.length, 0);
  await deps.throttle(total);
  const body = encodeBundle(
    ready.map(({ blob, bytes }) => ({
      entry: { sha256: blob.sha256, size: blob.size, kind: blob.kind, contentType: blob.contentType },
      bytes,
    })),
  );
  const answer = await client.sendBundle(body, ready.length);
  const stored = new Set(answer.stored);
  const landed = ready.filter((r) => stored.has(r.blob.sha256));
  repo.blobsUploaded(
    eventId,
    landed.map((r) => r.blob.sha256),
    deps.now(),
  );
  deps.sent(landed.reduce((sum, r) => sum + r.bytes.length, 0));
  for (const refusal of answer.refused) {
    const blob = ready.find((r) => r.blob.sha256 === refusal.sha256)?.blob;
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
