// Errors the API answers with: a status, a machine-readable code the UI branches on, and a
// sentence for the person reading it. Everything else becomes a logged 500.
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  isDatabaseDamage,
  KioskError,
  NotEnrolledError,
  PeopleEditError,
  SelfieError,
  StageOffError,
  SyncPausedError,
  SyncRequestError,
  type KioskProblem,
} from '../core/index.js';
import type { ApiError, ErrorCode } from '../api/index.js';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not-found', `${what} not found.`);

/** Parses untrusted input with a zod schema; a mismatch is a 400 that says which field is wrong. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new HttpError(400, 'bad-request', `Invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * A rate-limited route's 429 in its own words, for @fastify/rate-limit's errorResponseBuilder
 * (which says how long to wait, e.g. "1 minute"): a kiosk told "too many searches" after a
 * wrong pairing code would not know what to do.
 */
export const tooManyRequests =
  (sentence: (wait: string) => string) =>
  (_request: unknown, context: { after: string }): HttpError =>
    new HttpError(429, 'rate-limited', sentence(context.after));

/** The one place a use case's refusal becomes an HTTP status. */
const KIOSK_STATUS: Record<KioskProblem, number> = {
  'not-found': 404,
  expired: 410,
  forbidden: 403,
  'bad-request': 400,
};

/** A domain error as the HTTP error it answers with; anything else is left as it is. */
export function asHttpError(err: unknown): unknown {
  if (err instanceof KioskError) return new HttpError(KIOSK_STATUS[err.problem], err.problem, err.message);
  if (err instanceof SelfieError) return new HttpError(422, err.problem, err.message);
  if (err instanceof StageOffError) return new HttpError(409, 'conflict', err.message);
  if (err instanceof PeopleEditError)
    return err.problem === 'not-found' ? new HttpError(404, 'not-found', err.message) : new HttpError(400, 'bad-request', err.message);
  if (err instanceof NotEnrolledError || err instanceof SyncPausedError) return new HttpError(409, 'conflict', err.message);
  // The cloud endpoint did not answer, or could not now: a gateway's failure, not the request's.
  if (err instanceof SyncRequestError)
    return err.kind === 'offline' || err.kind === 'busy'
      ? new HttpError(502, 'cloud-unreachable', err.message)
      : new HttpError(400, 'bad-request', err.message);
  return err;
}

const body = (code: ErrorCode, message: string): ApiError => ({ error: { code, message } });

export function installErrorHandling(app: FastifyInstance, onUnexpected: (err: unknown, url: string) => void): void {
  app.setErrorHandler((thrown: FastifyError | HttpError, request, reply) => {
    const err = asHttpError(thrown) as FastifyError | HttpError;
    if (err instanceof HttpError) return reply.status(err.status).send(body(err.code, err.message));
    const status = err.statusCode ?? 500;
    if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(body('too-large', 'The upload is too large.'));
    }
    if (status === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send(body('unsupported-media', 'Send a JPEG, PNG or WebP image.'));
    }
    if (status === 429)
      return reply.status(429).send(body('rate-limited', 'Too many requests in a short time: wait a moment and try again.'));
    if (status >= 400 && status < 500) return reply.status(status).send(body('bad-request', err.message));
    onUnexpected(err, request.url);
    // Every screen shows the server's sentence: this one tells the operator what to do (no paths).
    if (isDatabaseDamage(err)) {
      return reply
        .status(503)
        .send(
          body(
            'database-damaged',
            'The event database on the Shutterfind laptop is damaged. Original photos are safe: stop Shutterfind and run `shutterfind repair`.',
          ),
        );
    }
    return reply
      .status(500)
      .send(body('internal', 'Something went wrong on the Shutterfind laptop; the operator can see the details in its log.'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('not-found', `Nothing at ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
