// The attendee's gallery page in the cloud: the same built React page the laptop serves for
// /g/<token> (it reads /gallery-api/<token> and draws the photos), with the laptop's security
// and cache rules. They are repeated here because src/cloud may not import src/server; a unit
// test holds the two copies equal.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { packageRoot } from '../../config/index.js';

/** Same as PAGE_CONTENT_SECURITY_POLICY in src/server/renderer-pages.ts. */
export const GALLERY_PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The address holds the attendee's token: never kept by a shared cache (PAGE_CACHE.gallery on the laptop). */
export const GALLERY_PAGE_CACHE = 'private, no-store';

/** Vite names its output `name-<8-character hash>.ext`: such a name never changes meaning. */
const CONTENT_HASHED = /-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/;

export function galleryAssetCacheControl(fileName: string): string {
  return CONTENT_HASHED.test(fileName) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** The built renderer shipped with this package, or null when it was not built. */
export function builtGalleryPageDir(): string | null {
  const dir = join(packageRoot(), 'dist', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

/** GET /g/:token and the page's /assets/…, in a scope of their own (the static plugin decorates the reply). */
export async function registerGalleryPage(app: FastifyInstance, rendererDir: string | null): Promise<void> {
  await app.register(async (scope) => {
    if (rendererDir) {
      const assetsDir = join(rendererDir, 'assets');
      await scope.register(fastifyStatic, {
        root: assetsDir,
        prefix: '/assets/',
        index: false,
        cacheControl: false,
        setHeaders: (reply, path) => {
          if (path.startsWith(assetsDir + sep)) reply.header('cache-control', galleryAssetCacheControl(basename(path)));
        },
      });
    }
    scope.get('/g/:token', (_request, reply: FastifyReply) => {
      if (!rendererDir) {
        return reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The gallery page is not built on this endpoint. Run `npm run build` in the Shutterfind folder and restart the endpoint.');
      }
      return reply
        .header('cache-control', GALLERY_PAGE_CACHE)
        .header('content-security-policy', GALLERY_PAGE_CONTENT_SECURITY_POLICY)
        .sendFile('index.html', rendererDir);
    });
  });
}
