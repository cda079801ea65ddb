// Where the built React app lies and how long a browser may keep its files: the same rules on the
// laptop server and on the cloud endpoint, which both serve it.
import { existsSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { PAGE_CONTENT_SECURITY_POLICY } from './content-security-policy.js';
import { packageRoot } from './package-root.js';

/** The built renderer shipped with this package (dist/renderer), or null when it was not built. */
export function builtRendererDir(): string | null {
  const dir = join(packageRoot(), 'dist', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

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

/** The headers the app's index.html goes out with: the console's and kiosk's page (`app`) or an attendee's gallery. */
export function pageHeaders(page: keyof typeof PAGE_CACHE): Record<string, string> {
  return { 'cache-control': PAGE_CACHE[page], 'content-security-policy': PAGE_CONTENT_SECURITY_POLICY };
}

/**
 * How the built app's /assets/… are served (@fastify/static options; src/config knows no Fastify,
 * so the reply is only what sets a header). The plugin's own cache-control (one for every file)
 * also landed on the pages sent with sendFile, over their no-store: each asset gets its own here,
 * and pages keep theirs.
 */
export function rendererAssetsOptions(rendererDir: string) {
  const root = join(rendererDir, 'assets');
  return {
    root,
    prefix: '/assets/',
    index: false,
    cacheControl: false,
    setHeaders: (reply: { header(name: string, value: string): unknown }, path: string): void => {
      if (path.startsWith(root + sep)) reply.header('cache-control', assetCacheControl(basename(path)));
    },
  } as const;
}
