// The React app's pages: /console, /kiosk and /g/<token> are all the same index.html; the app
// picks its surface from the path. Assets are content-hashed by Vite, so they cache for good.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../config/index.js';

export function builtRendererDir(): string | null {
  const dir = join(packageRoot(), 'dist', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

export async function registerRendererPages(app: FastifyInstance, rendererDir: string | null): Promise<void> {
  const page = (reply: FastifyReply) => {
    if (!rendererDir) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The Shutterfind screens are not built on this laptop. Run `npm run build` (npm install does it) and restart.');
    }
    return reply.header('cache-control', 'no-store').sendFile('index.html', rendererDir);
  };
  if (rendererDir) {
    await app.register(fastifyStatic, {
      root: join(rendererDir, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
    });
  }
  app.get('/', (_request, reply) => reply.redirect('/console'));
  app.get('/console', (_request, reply) => page(reply));
  app.get('/kiosk', (_request, reply) => page(reply));
  app.get('/g/:token', (_request, reply) => page(reply));
}
