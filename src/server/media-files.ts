// Sends media files from the data dir. Paths come from the store (content-hash names), never
// from the request, and are checked to stay inside the data dir all the same.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { FastifyReply } from 'fastify';
import { HttpError } from './http-errors.js';

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.png': 'image/png' };

/** An attachment header that survives quotes and non-ASCII file names. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function mediaPath(dataDir: string, relative: string): string {
  const root = resolve(dataDir);
  const full = resolve(root, relative);
  if (!full.startsWith(root + sep)) throw new HttpError(404, 'not-found', 'File not found.');
  return full;
}

export async function sendMedia(
  reply: FastifyReply,
  dataDir: string,
  relative: string | null,
  options: { downloadName?: string | undefined; cache?: 'private' | 'no-store' } = {},
): Promise<FastifyReply> {
  if (!relative) throw new HttpError(404, 'not-found', 'This photo has no preview yet.');
  const full = mediaPath(dataDir, relative);
  let size: number;
  try {
    size = (await stat(full)).size;
  } catch {
    throw new HttpError(
      404,
      'not-found',
      'The preview file is missing from the data folder; retry the photo from the console to make it again.',
    );
  }
  const ext = full.slice(full.lastIndexOf('.')).toLowerCase();
  reply.header('content-type', TYPES[ext] ?? 'application/octet-stream');
  reply.header('content-length', size);
  // Content-addressed files never change, but they are private: no shared caches.
  reply.header('cache-control', options.cache === 'no-store' ? 'no-store' : 'private, max-age=86400');
  if (options.downloadName) reply.header('content-disposition', contentDisposition(options.downloadName));
  return reply.send(createReadStream(full));
}
