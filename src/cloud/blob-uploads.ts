// Blobs by content hash: which the event lacks, and resumable multipart uploads into the blob
// store. A finished upload is checked against the size and SHA-256 it claimed before the event
// counts the blob as stored; an upload still open for the same blob is continued, not restarted.
import type { z } from 'zod';
import type { completeUploadRequest, startUploadRequest, StartUploadResponse } from '../api/index.js';
import { blobKey, BlobStoreError, type BlobStore, type SignedPart } from './blobs/index.js';
import {
  auditUpload,
  forgetUpload,
  insertUpload,
  lockBlob,
  openUploadOf,
  recordStoredBlob,
  storedBlobHashes,
  uploadOfEvent,
  type BlobUploadRow,
  type CloudDatabase,
  type Queryable,
} from './database/index.js';
import { CloudRequestError } from './cloud-errors.js';
import type { AuthenticatedLaptop } from './laptops.js';

/** How long signed part addresses stay valid: long enough for a slow venue link, short enough to be worth little if leaked. */
export const PART_URL_LIFETIME_MS = 60 * 60 * 1000;
/** Part addresses handed out with the start of an upload; more come from /part-urls. */
const FIRST_PARTS = 100;
/** Originals of cameras top out well under this; anything larger is a mistake or an attack. */
export const MAX_BLOB_BYTES = 4 * 1024 ** 3;

export interface BlobDeps {
  db: CloudDatabase;
  blobs: BlobStore;
  now?: () => number;
}

export async function missingBlobs(deps: BlobDeps, laptop: AuthenticatedLaptop, sha256s: readonly string[]): Promise<string[]> {
  const stored = await storedBlobHashes(deps.db.pool, laptop.event.id, sha256s);
  return [...new Set(sha256s)].filter((sha) => !stored.has(sha));
}

export async function startBlobUpload(
  deps: BlobDeps,
  laptop: AuthenticatedLaptop,
  request: z.infer<typeof startUploadRequest>,
  retried = false,
): Promise<StartUploadResponse> {
  const { event, device } = laptop;
  if (request.kind === 'original' && !event.uploadOriginals) {
    throw new CloudRequestError(
      403,
      'originals-not-accepted',
      'This event does not accept originals: the organiser has not opted in. Send thumbnails and previews only.',
    );
  }
  if (request.size > MAX_BLOB_BYTES) {
    throw new CloudRequestError(413, 'blob-too-large', `A blob may be at most ${MAX_BLOB_BYTES} bytes; this one is ${request.size}.`);
  }
  const key = blobKey(event.id, request.sha256);
  const uploadId = await deps.db.transaction(async (client) => {
    // A blob stored meanwhile (another laptop, between this laptop's question and this start) is
    // not refused: the upload opens as usual and its completion answers at once, so a laptop needs
    // no special case for the race.
    await lockBlob(client, event.id, request.sha256);
    const open = await openUploadOf(client, event.id, request.sha256, request.size, device.pk);
    if (open) return open.uploadId;
    const started = await deps.blobs.startUpload(key, request.contentType);
    await insertUpload(client, {
      uploadId: started,
      cloudEventId: event.id,
      sha256: request.sha256,
      kind: request.kind,
      size: request.size,
      contentType: request.contentType,
      devicePk: device.pk,
    });
    return started;
  });
  const partCount = Math.max(1, Math.ceil(request.size / deps.blobs.partSize));
  const expiresAt = (deps.now?.() ?? Date.now()) + PART_URL_LIFETIME_MS;
  const numbers = Array.from({ length: Math.min(partCount, FIRST_PARTS) }, (_, i) => i + 1);
  let parts: SignedPart[];
  try {
    parts = await deps.blobs.signParts(key, uploadId, numbers, expiresAt);
  } catch (err) {
    // The store no longer has the upload this laptop had open (aborted by hand, a bucket's
    // clean-up rule): forget it and open a new one, as a first start would.
    if (!(err instanceof BlobStoreError && err.code === 'no-such-upload') || retried) throw err;
    await forgetUpload(deps.db.pool, uploadId);
    return startBlobUpload(deps, laptop, request, true);
  }
  return { uploadId, partSize: deps.blobs.partSize, partCount, parts: parts.map(toPartUrl), expiresAt: new Date(expiresAt).toISOString() };
}

export async function signUploadParts(
  deps: BlobDeps,
  laptop: AuthenticatedLaptop,
  uploadId: string,
  partNumbers: readonly number[],
): Promise<{ parts: SignedPart[]; expiresAt: string }> {
  const upload = await openUploadOfLaptop(deps, laptop, uploadId);
  const partCount = Math.max(1, Math.ceil(upload.size / deps.blobs.partSize));
  const beyond = partNumbers.find((n) => n > partCount);
  if (beyond !== undefined) {
    throw new CloudRequestError(400, 'bad-part-number', `Part ${beyond} is beyond this upload's ${partCount} part(s).`);
  }
  const expiresAt = (deps.now?.() ?? Date.now()) + PART_URL_LIFETIME_MS;
  const parts = await deps.blobs.signParts(blobKey(upload.cloudEventId, upload.sha256), uploadId, partNumbers, expiresAt);
  return { parts: parts.map(toPartUrl), expiresAt: new Date(expiresAt).toISOString() };
}

/**
 * Joins the parts, then checks the blob is what was claimed; a mismatch is deleted and the upload
 * forgotten, so the laptop's next start opens a fresh one. Completing twice answers the same.
 *
 * Every upload of a blob joins into the same key, so completions of one blob take turns under
 * the blob's lock. Without it, a laptop whose bytes changed mid-upload could join them over a
 * copy another laptop had just stored and verified, then delete the key for the mismatch: the
 * event would count a blob whose bytes were gone. The lock holds a database connection while
 * the store joins and hashes the blob; only completions and bundles (blob-bundles.ts) of the same
 * blob wait for it, and the connection is one of the blob pool's own (`blobTransaction`), so
 * requests never queue behind it.
 */
export async function completeBlobUpload(
  deps: BlobDeps,
  laptop: AuthenticatedLaptop,
  uploadId: string,
  request: z.infer<typeof completeUploadRequest>,
): Promise<{ sha256: string; size: number }> {
  const upload = await uploadOfEvent(deps.db.pool, laptop.event.id, uploadId);
  if (!upload) throw unknownUpload();
  const done = { sha256: upload.sha256, size: upload.size };
  if (upload.completedAt) return done;
  const key = blobKey(upload.cloudEventId, upload.sha256);
  // Another upload of the same blob (another laptop's) finished first: this one is not needed,
  // whatever parts it lists. Asked again under the lock below, for a completion meanwhile.
  const storedAlready = async (q: Queryable): Promise<boolean> => {
    if ((await storedBlobHashes(q, upload.cloudEventId, [upload.sha256])).size === 0) return false;
    await deps.blobs.abortUpload(key, uploadId).catch(() => undefined);
    await recordStoredBlob(q, upload);
    return true;
  };
  if (await storedAlready(deps.db.pool)) return done;
  const parts = [...request.parts].sort((a, b) => a.partNumber - b.partNumber);
  // Joined short, the blob would fail its hash and be deleted: refused first, with the upload kept
  // open for the parts left out (a laptop that lost track of its parts starts the upload again).
  const partCount = Math.max(1, Math.ceil(upload.size / deps.blobs.partSize));
  const listed = new Set(parts.map((p) => p.partNumber));
  const left = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !listed.has(n));
  if (listed.size !== parts.length) {
    throw new CloudRequestError(
      400,
      'missing-parts',
      `The completion lists a part twice: list each of the upload's ${partCount} part(s) once.`,
    );
  }
  if (left.length > 0) {
    throw new CloudRequestError(
      400,
      'missing-parts',
      `This upload has ${partCount} part(s) and the completion leaves out ${describeParts(left)}: send them and complete again, or start the upload again.`,
    );
  }
  // Decided under the lock; a refusal is thrown after the commit, so that forgetting the upload holds.
  const refusal = await deps.db.blobTransaction(async (client): Promise<CloudRequestError | null> => {
    await lockBlob(client, upload.cloudEventId, upload.sha256);
    if (await storedAlready(client)) return null;
    try {
      await deps.blobs.completeUpload(key, uploadId, parts);
    } catch (err) {
      if (err instanceof BlobStoreError && err.code === 'no-such-upload') {
        await forgetUpload(client, uploadId);
        return new CloudRequestError(404, 'no-such-upload', 'This upload is no longer open (finished or aborted): start the upload again.');
      }
      if (err instanceof BlobStoreError) throw new CloudRequestError(422, err.code, `The upload could not be completed: ${err.message}`);
      throw err;
    }
    const [stat, sha256] = await Promise.all([deps.blobs.stat(key), deps.blobs.sha256(key)]);
    if (!stat || stat.size !== upload.size || sha256 !== upload.sha256) {
      await deps.blobs.delete(key);
      await forgetUpload(client, uploadId);
      return new CloudRequestError(
        422,
        'hash-mismatch',
        `The upload did not match its hash (expected ${upload.size} bytes with SHA-256 ${upload.sha256}): send it again.`,
      );
    }
    if (await recordStoredBlob(client, upload)) {
      await auditUpload(client, { cloudEventId: upload.cloudEventId, devicePk: laptop.device.pk }, 'blob', {
        sha256: upload.sha256,
        kind: upload.kind,
        size: upload.size,
      });
    }
    return null;
  });
  if (refusal) throw refusal;
  return done;
}

async function openUploadOfLaptop(deps: BlobDeps, laptop: AuthenticatedLaptop, uploadId: string): Promise<BlobUploadRow> {
  const upload = await uploadOfEvent(deps.db.pool, laptop.event.id, uploadId);
  if (!upload) throw unknownUpload();
  if (upload.completedAt) throw new CloudRequestError(409, 'upload-finished', 'This upload is already complete: nothing more to send.');
  return upload;
}

/** "part 2", "parts 2, 5, 7", "parts 2, 5, 7 … (40 in all)". */
function describeParts(numbers: readonly number[]): string {
  if (numbers.length === 1) return `part ${numbers[0]}`;
  const shown = numbers.slice(0, 5).join(', ');
  return numbers.length > 5 ? `parts ${shown} … (${numbers.length} in all)` : `parts ${shown}`;
}

const unknownUpload = () => new CloudRequestError(404, 'no-such-upload', 'No such upload for this event: start the upload again.');

const toPartUrl = (p: SignedPart) => ({ partNumber: p.partNumber, url: p.url, headers: p.headers });
