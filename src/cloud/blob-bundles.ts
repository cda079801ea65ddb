// Small blobs many to a request (the laptop's bundles, src/api/blob-bundle.ts): each blob is checked
// against the size and SHA-256 its entry claims, written whole into the blob store and counted in
// its event, on its own: one refused blob does not hold back the others. A bundle sent again (its
// answer was lost) stores nothing twice: a blob already in the event is answered as stored.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { decodeBundle, BundleFormatError, type BundledBlob, type BundleResponse, type CloudEventPolicy } from '../api/index.js';
import { blobKey, type BlobStore } from './blobs/index.js';
import { auditUploads, insertStoredBlobs, lockBlobs, storedBlobHashes, type CloudDatabase } from './database/index.js';
import { CloudRequestError } from './cloud-errors.js';
import type { AuthenticatedLaptop } from './laptops.js';

/**
 * Blobs up to 1 MiB go in bundles (every thumbnail; previews of up to ~2,000 px): larger ones are
 * few and long enough on the wire that their three round trips cost little. Never more than one
 * part of the store, so a blob in a bundle is one the multipart path would send in one part too.
 */
const MAX_BUNDLED_BLOB_BYTES = 1024 * 1024;
/** A bundle's blob bytes: a few seconds of a venue link, and what one request body may hold. */
export const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;
const MAX_BLOBS_PER_BUNDLE = 500;
/** Blobs written to the store at once (an S3 PUT each: a round trip to the bucket). */
const WRITES_AT_ONCE = 8;

export type BundleLimits = NonNullable<CloudEventPolicy['blobBundles']>;

export function bundleLimits(blobs: BlobStore): BundleLimits {
  return {
    maxBlobBytes: Math.min(MAX_BUNDLED_BLOB_BYTES, blobs.partSize),
    maxBundleBytes: MAX_BUNDLE_BYTES,
    maxBlobs: MAX_BLOBS_PER_BUNDLE,
  };
}

export interface BundleDeps {
  db: CloudDatabase;
  blobs: BlobStore;
}

export async function storeBundle(deps: BundleDeps, laptop: AuthenticatedLaptop, body: Buffer): Promise<BundleResponse> {
  const { event, device } = laptop;
  const limits = bundleLimits(deps.blobs);
  let blobs: { entry: BundledBlob; bytes: Buffer }[];
  try {
    blobs = decodeBundle(body);
  } catch (err) {
    if (err instanceof BundleFormatError) throw new CloudRequestError(400, 'bad-bundle', err.message);
    throw err;
  }
  if (blobs.length > limits.maxBlobs) {
    throw new CloudRequestError(
      400,
      'bundle-too-large',
      `A bundle may hold at most ${limits.maxBlobs} blobs; this one holds ${blobs.length}.`,
    );
  }
  const response: BundleResponse = { stored: [], refused: [] };
  const refuse = (sha256: string, code: string, message: string) => response.refused.push({ sha256, code, message });
  const stored = await storedBlobHashes(
    deps.db.pool,
    event.id,
    blobs.map((b) => b.entry.sha256),
  );
  const toWrite: { entry: BundledBlob; bytes: Buffer }[] = [];
  const seen = new Set<string>();
  for (const blob of blobs) {
    const { sha256, size, kind } = blob.entry;
    if (seen.has(sha256)) continue;
    seen.add(sha256);
    if (kind === 'original' && !event.uploadOriginals) {
      refuse(sha256, 'originals-not-accepted', 'This event does not accept originals: the organiser has not opted in.');
    } else if (size > limits.maxBlobBytes) {
      refuse(sha256, 'blob-too-large-for-bundle', `Blobs over ${limits.maxBlobBytes} bytes go as uploads of their own, not in a bundle.`);
    } else if (createHash('sha256').update(blob.bytes).digest('hex') !== sha256) {
      refuse(sha256, 'hash-mismatch', `These ${size} bytes do not have the SHA-256 their entry claims: read the file again and send it.`);
    } else if (stored.has(sha256)) {
      response.stored.push(sha256);
    } else {
      toWrite.push(blob);
    }
  }
  if (toWrite.length > 0) {
    // Written and counted under the blobs' locks, as a completed upload is (blob-uploads.ts). Without
    // them, another laptop's damaged upload of the same blob, completing between this write and the
    // count, would join its bytes over these and delete the key for its mismatch: the event would
    // count a blob whose bytes were gone. The locks hold a connection of the completions' own pool
    // while the store writes, so requests never queue behind a bundle.
    await deps.db.blobTransaction(async (client) => {
      const sha256s = toWrite.map((b) => b.entry.sha256);
      await lockBlobs(client, event.id, sha256s);
      // A completion that held a lock may have stored the blob meanwhile: not written again.
      const storedMeanwhile = await storedBlobHashes(client, event.id, sha256s);
      const writes = toWrite.filter((b) => !storedMeanwhile.has(b.entry.sha256));
      // Into the store first, then counted: a blob is never counted before its bytes are there.
      const writing = pLimit(WRITES_AT_ONCE);
      await Promise.all(writes.map((b) => writing(() => deps.blobs.put(blobKey(event.id, b.entry.sha256), b.bytes, b.entry.contentType))));
      // Counted and audited in two statements for the whole bundle; a blob another request counted
      // meanwhile is not audited again.
      const entries = writes.map((b) => b.entry);
      const added = await insertStoredBlobs(client, event.id, entries);
      await auditUploads(
        client,
        { cloudEventId: event.id, devicePk: device.pk },
        'blob',
        entries.filter((e) => added.has(e.sha256)).map((e) => ({ sha256: e.sha256, kind: e.kind, size: e.size, bundled: true })),
      );
    });
  }
  response.stored.push(...toWrite.map((b) => b.entry.sha256));
  return response;
}
