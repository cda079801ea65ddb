// SHA-256 and size of the files a photo sends (thumbnail, preview, original), read as a stream
// and hashed once per (path, size, mtime): the differ runs every few seconds in `serve`, and
// 4,000 media files must not be read again each time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { SyncRepository } from '../store/index.js';

export interface HashedFile {
  sha256: string;
  size: number;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The file's hash and size, from the cache when unchanged; null when the file is not there. */
export async function hashedFile(repo: SyncRepository, path: string): Promise<HashedFile | null> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return null;
  }
  if (!info.isFile()) return null;
  const cached = repo.cachedHash(path, info.size, info.mtimeMs);
  if (cached) return { sha256: cached, size: info.size };
  const sha256 = await sha256OfFile(path);
  repo.saveHash(path, info.size, info.mtimeMs, sha256);
  return { sha256, size: info.size };
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
