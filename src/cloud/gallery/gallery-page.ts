// The attendee's gallery page in the cloud: the same built React page the laptop serves for
// /g/<token> (it reads /gallery-api/<token> and draws the photos), sent under the laptop's
// security and cache rules, which both take from src/config so the two never drift apart.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { pageHeaders, rendererAssetsOptions } from '../../config/index.js';

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
