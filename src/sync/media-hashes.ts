// SHA-256 and size of the files a photo sends (thumbnail, preview, original), hashed once per
// (path, size, mtime): the differ runs a few seconds after each change in `serve`, and 4,000 media
// files must not be read again each time. A differ run opens one cache: the known hashes of a
// chunk of photos' files read in one query, the new ones saved every few hundred photos.
import { createHash } from 'node:crypto';
import { createReadStream, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { MediaFileHash, MediaHash, SyncRepository } from '../store/index.js';

export interface HashedFile {
  sha256: string;
  size: number;
}

/**
 * Files up to this size are read whole, larger ones (originals) streamed. A thumbnail or preview
 * through a read stream cost an open, reads and a close as separate turns of the event loop:
 * three times the hashing itself in the first differ run (bench:sync, 4,000 files).
 */
const READ_WHOLE_BYTES = 16 * 1024 * 1024;

export async function sha256OfFile(path: string, size = Number.POSITIVE_INFINITY): Promise<string> {
  const hash = createHash('sha256');
  if (size <= READ_WHOLE_BYTES) return hash.update(await readFile(path)).digest('hex');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A file that is no longer there (removed, or its folder gone): nothing to send, not a fault. */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A media file that is there but cannot be read (no permission, a failing disk): sync stops and names it. */
export function cannotRead(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return new Error(
    `Could not read ${path} to send it to the cloud (${code ?? (err as Error).message}): check the data folder's permissions and disk, then sync again.`,
    { cause: err },
  );
}

export interface MediaHashCache {
  /** Reads the known hashes of these files in one query (a file not looked up is looked up alone). */
  lookUp(paths: readonly string[]): void;
  /** The file's hash and size, from the cache when unchanged; null when the file is not there. */
  hashedFile(path: string): Promise<HashedFile | null>;
  /** Saves the hashes made since the cache was opened or last saved (in one transaction). */
  save(): void;
}

export function openMediaHashCache(repo: SyncRepository): MediaHashCache {
  const known = new Map<string, MediaHash>();
  const looked = new Set<string>();
  const made: MediaFileHash[] = [];
  const lookUp = (paths: readonly string[]) => {
    const fresh = paths.filter((p) => !looked.has(p));
    if (!fresh.length) return;
    for (const [path, hash] of repo.cachedHashes(fresh)) known.set(path, hash);
    for (const p of fresh) looked.add(p);
  };
  return {
    lookUp,
    async hashedFile(path) {
      lookUp([path]);
      let info: Stats;
      try {
        // Synchronous on purpose: a differ run looks at every thumbnail and preview of the event
        // (4,000 files at 2,000 photos) each time photos arrive, and an asynchronous stat costs a
        // round trip through libuv's thread pool. 4,000 of them took 155 CPU-ms one at a time
        // against 16 ms for statSync on this machine, and were about a fifth of a differ run in a
        // profile of bench:sync. These are the data folder's own files, just written: their
        // metadata is in the kernel's cache, so the event loop waits microseconds.
        info = statSync(path);
      } catch (err) {
        // Gone (a photo removed meanwhile, a preview not written yet): nothing to send. Anything
        // else (no permission, a failing disk) must not pass for "no file": the photo would go up
        // without it and never be sent again.
        if (isGone(err)) return null;
        throw cannotRead(path, err);
      }
      if (!info.isFile()) return null;
      const mtimeMs = Math.round(info.mtimeMs);
      const cached = known.get(path);
      if (cached && cached.size === info.size && cached.mtimeMs === mtimeMs) return { sha256: cached.sha256, size: info.size };
      const sha256 = await sha256OfFile(path, info.size);
      const entry = { path, size: info.size, mtimeMs, sha256 };
      known.set(path, entry);
      made.push(entry);
      return { sha256, size: info.size };
    },
    save() {
      repo.saveHashes(made.splice(0));
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.png': 'image/png',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

export const contentTypeOf = (path: string): string => CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
