// Uploads a laptop started and never finished (it vanished mid-upload, or gave up on the file)
// keep their parts in the directory blob store for ever unless someone sweeps them: `cloud serve`
// does at start and then hourly. An upload is abandoned when nothing was written to it for
// ABANDONED_UPLOAD_AGE_MS; its folder and its open database row go, and a laptop that comes back
// to it is answered 404 "start the upload again" (src/sync/blob-upload.ts then starts that file
// from its first part). S3 needs none of this: a bucket lifecycle rule
// (AbortIncompleteMultipartUpload) does the same there.
import { DirectoryBlobStore, type BlobStore, type OpenDirectoryUpload } from './blobs/index.js';
import { forgetOpenUploads, type CloudDatabase } from './database/index.js';

/** Two days: a laptop asleep over a weekend night resumes; one gone for good stops costing disk. */
export const ABANDONED_UPLOAD_AGE_MS = 48 * 60 * 60 * 1000;
export const UPLOAD_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** The uploads nothing was written to for `maxAgeMs` or more before `now`. */
export function abandonedUploads(
  uploads: readonly OpenDirectoryUpload[],
  now: Date,
  maxAgeMs: number = ABANDONED_UPLOAD_AGE_MS,
): OpenDirectoryUpload[] {
  return uploads.filter((u) => now.getTime() - u.lastWrittenAt.getTime() >= maxAgeMs);
}

export interface UploadSweep {
  /** Upload ids removed from the store. */
  removed: string[];
  /** Open database rows of those uploads forgotten. */
  forgotten: number;
}

/** Removes the store's abandoned uploads and forgets their rows; nothing to do for a store that is not a directory. */
export async function sweepAbandonedUploads(
  deps: { db: CloudDatabase; blobs: BlobStore },
  now: Date = new Date(),
  maxAgeMs: number = ABANDONED_UPLOAD_AGE_MS,
): Promise<UploadSweep> {
  if (!(deps.blobs instanceof DirectoryBlobStore)) return { removed: [], forgotten: 0 };
  const store = deps.blobs;
  const abandoned = abandonedUploads(await store.listOpenUploads(), now, maxAgeMs);
  // The rows first: a laptop resuming in between is then sent to a new upload, not to a folder about to go.
  const forgotten = await forgetOpenUploads(
    deps.db.pool,
    abandoned.map((u) => u.uploadId),
  );
  for (const upload of abandoned) await store.discardUpload(upload.uploadId);
  return { removed: abandoned.map((u) => u.uploadId), forgotten };
}

export interface UploadSweeper {
  stop(): Promise<void>;
}

/** Sweeps now and then every `intervalMs`; a failed sweep is told to `onError` and tried at the next. */
export function startUploadSweeper(
  deps: { db: CloudDatabase; blobs: BlobStore },
  options: { intervalMs?: number; onError?: (err: Error) => void; onSweep?: (sweep: UploadSweep) => void } = {},
): UploadSweeper {
  let running: Promise<void> | null = null;
  const sweep = () => {
    if (running) return;
    running = sweepAbandonedUploads(deps)
      .then((done) => options.onSweep?.(done))
      .catch((err: unknown) => options.onError?.(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        running = null;
      });
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs ?? UPLOAD_SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
