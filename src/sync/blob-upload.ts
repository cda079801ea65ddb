// One blob to the endpoint as a resumable multipart upload: each finished part is recorded in
// SQLite as it finishes, so after a crash, a sleep or a lost link the upload goes on from the
// first part not recorded, with fresh part addresses.
import { open, stat } from 'node:fs/promises';
import type { SyncBlob, SyncRepository } from '../store/index.js';
import { SyncRequestError, type CloudClient } from './cloud-client.js';
import type { PartUrl } from '../api/index.js';
import { stopIfAsked } from './sync-stop.js';
import { cannotRead, isGone } from './media-hashes.js';

export interface BlobUploadDeps {
  repo: SyncRepository;
  client: CloudClient;
  eventId: number;
  /** Resolves when `bytes` may go under the event's bandwidth cap. */
  throttle(bytes: number): Promise<void>;
  /** Bytes of a part that reached the store. */
  sent(bytes: number): void;
  /** Called after each part reaches the store (tests stop a sync mid-upload here). */
  partSent?(blob: SyncBlob, partNumber: number): void;
  /** True when the sync should stop (paused, closing): checked before each part. */
  stopped?(): boolean;
  now(): number;
}

/** Part addresses asked for at once (the endpoint signs them; they expire). */
const PART_URLS_PER_ASK = 100;

export type BlobUploadResult = 'uploaded' | 'changed';

/**
 * Start again: the endpoint forgot the upload (404: expired, aborted), or the completion left out
 * parts this laptop had no record of (400 missing-parts: its records of the upload are not whole).
 */
const mustStartAgain = (err: unknown): boolean =>
  err instanceof SyncRequestError && (err.status === 404 || (err.status === 400 && err.code === 'missing-parts'));
/** A part address that expired or was refused: ask for a new one. */
const isAddressRefused = (err: unknown): boolean => err instanceof SyncRequestError && err.status === 403;

export async function uploadBlob(deps: BlobUploadDeps, listed: SyncBlob): Promise<BlobUploadResult> {
  const { repo, client, eventId } = deps;
  // A file that changed since it was listed (a blurred copy made again) is not what its hash says.
  const info = await stat(listed.path).catch((err: unknown) => {
    if (isGone(err)) return null;
    throw cannotRead(listed.path, err);
  });
  if (!info || info.size !== listed.size) {
    repo.dropBlob(eventId, listed.sha256);
    return 'changed';
  }
  let blob = listed;
  for (let attempt = 0; ; attempt++) {
    try {
      await uploadParts(deps, blob);
      const done = repo.partsDone(eventId, blob.sha256, blob.uploadId!);
      await client.completeUpload(blob.uploadId!, done);
      repo.blobUploaded(eventId, blob.sha256, deps.now());
      return 'uploaded';
    } catch (err) {
      if (attempt < 2 && mustStartAgain(err) && blob.uploadId) {
        // A new upload (the endpoint hands back the same one while it is open), from the first part.
        repo.forgetUpload(eventId, blob.sha256);
        blob = { ...blob, uploadId: null, partSize: null, partCount: null };
        continue;
      }
      if (err instanceof SyncRequestError && err.status === 422) {
        // The bytes did not match the hash (the file changed mid-upload): list the file again.
        repo.forgetUpload(eventId, blob.sha256);
        repo.dropBlob(eventId, blob.sha256);
        return 'changed';
      }
      throw err;
    }
  }
}

async function uploadParts(deps: BlobUploadDeps, blob: SyncBlob): Promise<void> {
  const { repo, client, eventId } = deps;
  let addresses = new Map<number, PartUrl>();
  if (!blob.uploadId || !blob.partSize || !blob.partCount) {
    const started = await client.startUpload({ sha256: blob.sha256, size: blob.size, kind: blob.kind, contentType: blob.contentType });
    repo.uploadStarted(eventId, blob.sha256, started);
    Object.assign(blob, { uploadId: started.uploadId, partSize: started.partSize, partCount: started.partCount });
    // An upload the endpoint reused (this blob started before, elsewhere or before a reset) keeps no parts here: all are sent.
    addresses = new Map(started.parts.map((p) => [p.partNumber, p]));
  }
  const uploadId = blob.uploadId!;
  const partSize = blob.partSize!;
  const partCount = blob.partCount!;
  const recorded = new Set(repo.partsDone(eventId, blob.sha256, uploadId).map((p) => p.partNumber));
  const todo = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !recorded.has(n));
  if (!todo.length) return;
  const file = await open(blob.path, 'r');
  try {
    const addressOf = async (partNumber: number, fresh = false): Promise<PartUrl> => {
      if (!fresh && addresses.has(partNumber)) return addresses.get(partNumber)!;
      const next = todo.filter((n) => n >= partNumber).slice(0, PART_URLS_PER_ASK);
      for (const p of await client.partUrls(uploadId, next)) addresses.set(p.partNumber, p);
      const found = addresses.get(partNumber);
      if (!found)
        throw new SyncRequestError(
          `The endpoint gave no address for part ${partNumber} of upload ${uploadId.slice(0, 16)}`,
          'busy',
          null,
          null,
          null,
        );
      return found;
    };
    for (const partNumber of todo) {
      stopIfAsked(deps.stopped);
      const offset = (partNumber - 1) * partSize;
      const length = Math.min(partSize, blob.size - offset);
      const bytes = Buffer.alloc(length);
      const { bytesRead } = await file.read(bytes, 0, length, offset);
      if (bytesRead !== length) throw new Error(`${blob.path} is shorter than when it was listed: it changed during the upload`);
      await deps.throttle(length);
      // The wait under a cap can be long: the run may have been stopped meanwhile.
      stopIfAsked(deps.stopped);
      let etag: string;
      try {
        etag = await client.putPart(await addressOf(partNumber), bytes);
      } catch (err) {
        if (!isAddressRefused(err)) throw err;
        etag = await client.putPart(await addressOf(partNumber, true), bytes);
      }
      repo.partDone(eventId, blob.sha256, uploadId, partNumber, etag);
      deps.sent(length);
      deps.partSent?.(blob, partNumber);
    }
  } finally {
    await file.close();
  }
}
