// The engine's local HTTP server: health, the operator API, kiosks, attendee galleries, live
// events and the React app's pages, behind the roles in auth.ts.
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { EventStatus } from '../core/index.js';
import type { LoginRequest } from '../api/index.js';
import { installAuth, isOperator, OPERATOR_COOKIE } from './auth.js';
import { HttpError, installErrorHandling, parseInput } from './http-errors.js';
import { hostAllowed, ownLanNames } from './host-allow-list.js';
import { registerExportRoutes } from './export-routes.js';
import { registerGalleryBrandingRoutes } from './gallery-branding-routes.js';
import { registerGalleryRoutes } from './gallery-routes.js';
import { registerKioskRoutes } from './kiosk-routes.js';
import { registerLiveEvents } from './live-events.js';
import { registerOperatorRoutes } from './operator-routes.js';
import { registerPeopleRoutes } from './people-routes.js';
import { registerPublishingRoutes } from './publishing-routes.js';
import { registerRendererPages } from './renderer-pages.js';
import { registerSyncRoutes } from './sync-routes.js';
import { sameSecret } from '../config/index.js';
import type { ServerContext } from './server-context.js';
import { z } from 'zod';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Selfie and search uploads, in bytes. */
  maxUploadBytes: number;
  kioskSearchesPerMinute: number;
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/**
 * Wrong operator tokens one client address may send in a window before it waits. The token is
 * 256 random bits, so this is not what stops guessing; it stops a device hammering the login
 * without locking out the operator: only failures count (the old limit counted every login, right
 * or wrong, and then refused the right token too), per client address (a device elsewhere on the
 * venue network cannot lock out the console), and for a minute at most.
 */
const FAILED_LOGINS = { max: 10, timeWindow: 60_000 };

export async function buildHttpServer(ctx: ServerContext, options: HttpServerOptions): Promise<FastifyInstance> {
  // Kiosks and consoles hold keep-alive connections; a stop must not wait for them to go idle.
  const app = Fastify({ logger: false, bodyLimit: 1 << 20, forceCloseConnections: true, trustProxy: false });
  installErrorHandling(app, (err, url) => ctx.engine.log.error({ err, url }, `Request ${url} failed: ${(err as Error).message}`));
  await app.register(fastifyCookie);
  // Only routes that ask for it are limited (selfie searches per kiosk, pairing attempts).
  await app.register(fastifyRateLimit, { global: false });
  // A POST with a JSON content type and no body (a script calling an action route) is an empty
  // request, not a syntax error.
  // Everything else goes through Fastify's own parser (it refuses __proto__ and constructor tricks).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (!text.trim()) return done(null, undefined);
    parseJson(request, text, done);
  });
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: options.maxUploadBytes }, (_request, body, done) =>
    done(null, body),
  );
  app.addHook('onSend', async (_request, reply) => {
    // Gallery tokens live in URLs: never hand them to another site as a referrer.
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
  });
  // Before any route answers, /health and pairing included: DNS rebinding (host-allow-list.ts).
  const lanNames = ctx.lan ? ownLanNames : null;
  app.addHook('onRequest', async (request) => {
    // request.host: the Host header, or HTTP/2's :authority (a browser over h2 sends no Host).
    if (!hostAllowed(request.host, lanNames)) {
      const host = JSON.stringify(request.host.slice(0, 100));
      throw new HttpError(
        403,
        'forbidden',
        `This Shutterfind server answers only to its own addresses, not to the name ${host}: open it at localhost or 127.0.0.1${ctx.lan ? ", or this laptop's network address or name" : ''}.`,
      );
    }
  });
  installAuth(app, { operatorToken: ctx.operatorToken, identifyKiosk: (token) => ctx.engine.kiosk.devices.identify(token) });

  app.get('/health', async () => {
    const status: EventStatus | undefined = ctx.engine.status(ctx.eventName);
    return {
      ok: true,
      version: ctx.version,
      event: ctx.eventName,
      workerThreads: ctx.engine.threads,
      photos: status?.photos ?? null,
      queue: status?.queue ?? null,
      sources: status?.sources.map((s) => ({ state: s.state })) ?? [],
      storage: status?.storage ? { freeBytes: status.storage.freeBytes, low: status.storage.low } : null,
    };
  });

  const failedLogins = app.createRateLimit(FAILED_LOGINS);
  app.post('/api/login', async (request, reply) => {
    const failures = await failedLogins(request, { increment: false });
    if (!failures.isAllowed && failures.remaining === 0) {
      reply.header('retry-after', failures.ttlInSeconds);
      throw new HttpError(
        429,
        'rate-limited',
        `Too many wrong operator tokens from this device: wait ${failures.ttlInSeconds} s, then paste the token \`shutterfind serve\` printed.`,
      );
    }
    const { token } = parseInput(z.object({ token: z.string().min(1).max(200) }), request.body, 'login') satisfies LoginRequest;
    if (!sameSecret(token, ctx.operatorToken)) {
      await failedLogins(request);
      throw new HttpError(401, 'unauthorized', 'That is not the operator token: copy it from the terminal where `shutterfind serve` runs.');
    }
    reply.setCookie(OPERATOR_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', maxAge: 30 * 24 * 3600 });
    return { ok: true };
  });
  app.get('/api/whoami', async (request) => ({ operator: isOperator(request, ctx.operatorToken) }));

  registerOperatorRoutes(app, ctx);
  registerPeopleRoutes(app, ctx);
  registerKioskRoutes(app, ctx, { max: options.kioskSearchesPerMinute });
  registerGalleryRoutes(app, ctx);
  registerPublishingRoutes(app, ctx);
  const live = registerLiveEvents(app, ctx);
  registerExportRoutes(app, ctx, live);
  registerGalleryBrandingRoutes(app, ctx);
  registerSyncRoutes(app, ctx);
  await registerRendererPages(app, ctx.rendererDir);

  return app;
}
