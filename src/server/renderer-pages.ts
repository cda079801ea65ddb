// The React app's pages: /console, /kiosk and /g/<token> are all the same index.html; the app
// picks its surface from the path. Pages are never cached, content-hashed assets are cached for good.
// The policy, cache rules and build folder live in src/config: the cloud endpoint serves the same page.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { pageHeaders, rendererAssetsOptions } from '../config/index.js';

export async function registerRendererPages(app: FastifyInstance, rendererDir: string | null): Promise<void> {
  const page = (reply: FastifyReply, which: 'app' | 'gallery') => {
    if (!rendererDir) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The Shutterfind screens are not built on this laptop. Run `npm run build` (npm install does it) and restart.');
    }
    return reply.headers(pageHeaders(which)).sendFile('index.html', rendererDir);
  };
  if (rendererDir) await app.register(fastifyStatic, rendererAssetsOptions(rendererDir));
  app.get('/', (_request, reply) => reply.redirect('/console'));
  app.get('/console', (_request, reply) => page(reply, 'app'));
  app.get('/kiosk', (_request, reply) => page(reply, 'app'));
  app.get('/g/:token', (_request, reply) => page(reply, 'gallery'));
}
