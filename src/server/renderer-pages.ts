// The React app's pages: /console, /kiosk and /g/<token> are all the same index.html; the app
// picks its surface from the path. Pages are never cached, content-hashed assets are cached for good.
import { existsSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../config/index.js';

export function builtRendererDir(): string | null {
  const dir = join(packageRoot(), 'dist', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

/**
 * What the pages may load: only this server's own scripts, styles and connections; images also
 * from data: (the favicon) and blob: (a selfie chosen in the console's search). No inline script
 * or style, no eval, no WebAssembly (the kiosk's face detector runs on WebGL or plain JS; a
 * library's WebAssembly probe falls back by itself), no frames, no plugins, no foreign forms.
 * React's `style` props go through the CSSOM, which style-src does not govern.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
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

/**
 * A page is never cached: after an upgrade a kiosk tablet that kept the old page would ask for
 * assets the new build deleted, and show a blank screen mid-event. A gallery page's address holds
 * the attendee's token, so it is also private: no shared cache may keep it.
 */
export const PAGE_CACHE = { app: 'no-store', gallery: 'private, no-store' } as const;

/** Vite names its output `name-<8-character hash>.ext`: such a name never changes meaning. */
const CONTENT_HASHED = /-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/;

/**
 * An asset's cache-control from its file name: content-hashed build output for a year; anything
 * copied under a fixed name (the kiosk's face models) is revalidated, so an upgrade that changes
 * it reaches tablets at once (a 304 costs one round trip).
 */
export function assetCacheControl(fileName: string): string {
  return CONTENT_HASHED.test(fileName) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

export async function registerRendererPages(app: FastifyInstance, rendererDir: string | null): Promise<void> {
  const page = (reply: FastifyReply, cache: string) => {
    if (!rendererDir) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The Shutterfind screens are not built on this laptop. Run `npm run build` (npm install does it) and restart.');
    }
    return reply
      .header('cache-control', cache)
      .header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY)
      .sendFile('index.html', rendererDir);
  };
  if (rendererDir) {
    const assetsDir = join(rendererDir, 'assets');
    await app.register(fastifyStatic, {
      root: assetsDir,
      prefix: '/assets/',
      index: false,
      // The plugin's own cache-control (one for every file) also landed on the pages sent with
      // sendFile, over their no-store: each asset gets its own below, and pages keep theirs.
      cacheControl: false,
      setHeaders: (reply, path) => {
        if (path.startsWith(assetsDir + sep)) reply.header('cache-control', assetCacheControl(basename(path)));
      },
    });
  }
  app.get('/', (_request, reply) => reply.redirect('/console'));
  app.get('/console', (_request, reply) => page(reply, PAGE_CACHE.app));
  app.get('/kiosk', (_request, reply) => page(reply, PAGE_CACHE.app));
  app.get('/g/:token', (_request, reply) => page(reply, PAGE_CACHE.gallery));
}
