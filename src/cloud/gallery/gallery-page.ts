// The attendee's gallery page in the cloud: the same built React page the laptop serves for
// /g/<token> (it reads /gallery-api/<token> and draws the photos), sent under the laptop's
// security and cache rules, which both take from src/config so the two never drift apart.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { builtRendererDir, PAGE_CACHE, PAGE_CONTENT_SECURITY_POLICY, pageHeaders, rendererAssetsOptions } from '../../config/index.js';

// The cloud's names for the shared rules (what this folder's index and routes import).

/** The laptop's policy for the same bundle: a directive it needs is needed here too. */
export const GALLERY_PAGE_CONTENT_SECURITY_POLICY = PAGE_CONTENT_SECURITY_POLICY;

/** The address holds the attendee's token: never kept by a shared cache. */
export const GALLERY_PAGE_CACHE = PAGE_CACHE.gallery;

/** The built renderer shipped with this package, or null when it was not built. */
export const builtGalleryPageDir = builtRendererDir;

/** GET /g/:token and the page's /assets/…, in a scope of their own (the static plugin decorates the reply). */
export async function registerGalleryPage(app: FastifyInstance, rendererDir: string | null): Promise<void> {
  await app.register(async (scope) => {
    if (rendererDir) await scope.register(fastifyStatic, rendererAssetsOptions(rendererDir));
    scope.get('/g/:token', (_request, reply: FastifyReply) => {
      if (!rendererDir) {
        return reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The gallery page is not built on this endpoint. Run `npm run build` in the Shutterfind folder and restart the endpoint.');
      }
      return reply.headers(pageHeaders('gallery')).sendFile('index.html', rendererDir);
    });
  });
}
