// The cloud endpoint's Fastify app: the laptops' sync routes, the organiser's routes, the part
// route of a directory blob store, the attendees' gallery, and one error mapping: every refusal is `{ code, message }`
// with a sentence that says what to do.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { BUNDLE_CONTENT_TYPE, MAX_BATCH_BYTES } from '../api/index.js';
import { registerDirectoryPartRoutes, type BlobStore } from './blobs/index.js';
import { CloudRequestError, tooManyWrongGuesses } from './cloud-errors.js';
import { registerCloudGalleryRoutes } from './gallery/index.js';
import type { CloudDatabase } from './database/index.js';
import { registerOrganiserPage } from './organiser-page/index.js';
import { registerOrganiserRoutes } from './organiser-routes.js';
import { BATCH_TOO_LARGE, BUNDLE_TOO_LARGE, registerSyncRoutes } from './sync-routes.js';
import { allowGuessCounting, countWrongGuesses, GUESS_LIMITS, type GuessKind, type GuessLimit } from './wrong-guesses.js';

export interface CloudAppDeps {
  db: CloudDatabase;
  blobs: BlobStore;
  /** Where laptops and attendees reach this endpoint (take-home links are `${publicBaseUrl}/g/<token>`). */
  publicBaseUrl: string;
  onDeliveries?: () => void;
  /** Where unexpected failures are told (the request is answered 500 either way). */
  onError?: (err: Error, where: string) => void;
  /**
   * Structured log of the requests (debug: one line per request with its status and time; info:
   * each applied batch). `cloud serve` gives its own; none in tests.
   */
  logger?: FastifyBaseLogger;
  /**
   * Behind one reverse proxy (`cloud serve --trust-proxy`): the client's address is the one the
   * proxy put last in X-Forwarded-For. Off, the header is ignored (anyone could write it).
   */
  trustProxy?: boolean;
  /** Wrong guesses per address before a lock-out (GUESS_LIMITS by default). */
  guessLimits?: Partial<Record<GuessKind, GuessLimit>>;
}

/** How long a laptop waits before trying again when the database is away (a restart takes seconds). */
const DATABASE_RETRY_AFTER_S = 30;

/** PostgreSQL restarting or gone: connection refused or reset, or the server shutting down (SQLSTATE classes 57P and 08). */
function isDatabaseUnreachable(error: Error & { code?: string }): boolean {
  const code = error.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) ||
    /^(57P0[1-3]|08\d\d\d)$/.test(code) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
  );
}

export async function buildCloudApp(deps: CloudAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: MAX_BATCH_BYTES,
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Fastify's own two lines per request are too many at info; one line at debug below. (Through
    // a LogController: the top-level disableRequestLogging option is deprecated and warns.)
    logController: new LogController({ disableRequestLogging: true }),
    // Trust the socket's peer (the proxy) and nothing further: request.ip is the address it saw.
    trustProxy: deps.trustProxy ? (_address: string, hop: number) => hop < 1 : false,
  });
  // Only the secrets' routes are limited, and only by their wrong guesses (wrong-guesses.ts).
  await allowGuessCounting(app);
  const limits = { ...GUESS_LIMITS, ...deps.guessLimits };
  const wrongJoinCodes = countWrongGuesses(app, limits.joinCode, (wait) =>
    tooManyWrongGuesses(`Too many wrong join codes from this address: wait ${wait}, then type the code the organiser gave you.`),
  );
  const wrongOrganiserTokens = countWrongGuesses(app, limits.organiserToken, (wait) =>
    tooManyWrongGuesses(
      `Too many wrong organiser tokens from this address: wait ${wait}, then use the token printed when the event was created.`,
    ),
  );
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.setErrorHandler((error: FastifyError | CloudRequestError, request, reply) => {
    if (error instanceof CloudRequestError) {
      return reply.status(error.status).send({ ...error.extra, code: error.code, message: error.message });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send({
          code: 'too-large',
          message: request.headers['content-type']?.startsWith(BUNDLE_CONTENT_TYPE) ? BUNDLE_TOO_LARGE : BATCH_TOO_LARGE,
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send({ code: 'unsupported-media-type', message: 'Send the body as application/json.' });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply
          .status(400)
          .send({ code: 'bad-request', message: 'The body is empty but says it is JSON: send a JSON object, or no Content-Type.' });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own refusals (a body that is not JSON, a bad header): still a clear sentence.
      return reply
        .status(error.statusCode)
        .send({ code: 'bad-request', message: `The request is not valid: ${error.message}. Fix it and send it again.` });
    }
    deps.onError?.(error, `${request.method} ${request.url}`);
    if (isDatabaseUnreachable(error)) {
      // The laptop backs off and comes back: nothing of the request was applied (its transaction never committed).
      return reply
        .status(503)
        .header('retry-after', String(DATABASE_RETRY_AFTER_S))
        .send({ code: 'unavailable', message: 'The endpoint cannot reach its database right now: try again in a minute.' });
    }
    return reply
      .status(500)
      .send({ code: 'internal', message: 'The endpoint failed on this request (it is logged there): try again later.' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ code: 'not-found', message: `No such address on this endpoint: ${request.method} ${request.url.split('?')[0]}.` }),
  );

  app.get('/healthz', async () => {
    await deps.db.pool.query('SELECT 1');
    return { ok: true };
  });
  await registerDirectoryPartRoutes(app, deps.blobs);
  await registerSyncRoutes(app, { ...deps, wrongJoinCodes });
  await registerOrganiserRoutes(app, { ...deps, wrongOrganiserTokens });
  await registerOrganiserPage(app, { ...deps, wrongOrganiserTokens });
  // Attendees' take-home links (/g/:token and /gallery-api/:token/…), the kiosk's token unchanged.
  await registerCloudGalleryRoutes(app, { db: deps.db, blobs: deps.blobs, onError: deps.onError, galleryLinkLimit: limits.galleryLink });
  return app;
}
