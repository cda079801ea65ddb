// The organiser's page of a cloud event at /organiser/<eventId>: a sign-in with the organiser token
// (kept in an HttpOnly cookie scoped to the event's path), the page itself, the thumbnails, and
// one POST form per decision, each answered with a redirect back to the page.
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { blobKey, type BlobStore } from '../blobs/index.js';
import { addJoinCode, authenticateOrganiser, changeEventSettings, decideLink, organiserSummary } from '../cloud-events.js';
import { CloudRequestError } from '../cloud-errors.js';
import { peekImageType } from '../gallery/index.js';
import {
  readdressDelivery,
  revokeDevice,
  storedBlobHashes,
  thumbnailOfPhoto,
  type CloudDatabase,
  type CloudEventRow,
} from '../database/index.js';
import { organiserPageStyle } from './organiser-page-style.js';
import {
  ORGANISER_STYLESHEET_PATH,
  lifetime,
  photoPageOf,
  renderOrganiserPage,
  renderProblem,
  renderSignIn,
  type Notice,
} from './organiser-page-view.js';
import {
  ORGANISER_COOKIE,
  NOTICE_COOKIE,
  cookieOptions,
  decodeNotice,
  encodeNotice,
  isForeignOrigin,
  organiserPagePath,
} from './organiser-session.js';
import type { WrongGuesses } from '../wrong-guesses.js';

export interface OrganiserPageDeps {
  db: CloudDatabase;
  blobs: BlobStore;
  /** The endpoint's public address: its origin is the only one forms may come from. */
  publicBaseUrl: string;
  onDeliveries?: (() => void) | undefined;
  onError?: ((err: Error, where: string) => void) | undefined;
  now?: (() => Date) | undefined;
  /** Wrong organiser tokens per address, shared with the organiser API: typed in the form or held in a cookie. */
  wrongOrganiserTokens: WrongGuesses;
}

/** Only what `self` serves: one stylesheet, the thumbnails, and forms posting back here. No script at all. */
export const ORGANISER_PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const WRONG_TOKEN = "That is not this event's organiser token.";
const SIGN_IN_AGAIN = 'Your sign-in is not valid for this event (signed out, or the token changed): enter the organiser token again.';

// Cloud event ids are base64url (cloud-secrets.ts); anything else can be no event, and never goes into a cookie path.
const eventParams = z.object({ eventId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const pageQuery = z.object({ photos: z.coerce.number().int().positive().max(100_000).catch(1).default(1) }).passthrough();
const positiveId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const formBody = z.record(z.string(), z.string()).catch({});
const signInBody = z.object({ token: z.string().trim().max(256) }).catch({ token: '' });
const settingBody = z.object({ setting: z.enum(['uploadOriginals', 'cloudFaceSearch']), value: z.enum(['on', 'off']) });
const addressBody = z.object({ address: z.string().trim().email().max(320) });

/** A request this scope answers with a page rather than JSON. */
class PageRefusal extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly back: string | null,
  ) {
    super(message);
  }
}

export async function registerOrganiserPage(app: FastifyInstance, deps: OrganiserPageDeps): Promise<void> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const publicOrigin = new URL(deps.publicBaseUrl).origin;
  const secure = publicOrigin.startsWith('https:');

  app.get(ORGANISER_STYLESHEET_PATH, async (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(organiserPageStyle),
  );

  await app.register(async (scope) => {
    await scope.register(fastifyCookie);
    // Forms post urlencoded bodies; only here (the sync API takes JSON only).
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', ORGANISER_PAGE_CONTENT_SECURITY_POLICY);
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
      // Not no-referrer: Chromium then sends `Origin: null` with the forms, which the origin check must refuse.
      reply.header('referrer-policy', 'same-origin');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
    });

    // Besides the SameSite cookie: a form another site makes the browser post is refused outright.
    scope.addHook('onRequest', async (request) => {
      if (request.method === 'POST' && isForeignOrigin(request.headers.origin, publicOrigin)) {
        throw new PageRefusal(
          403,
          'Refused',
          `This form was sent from another site (${request.headers.origin}), so nothing was changed. Use the organiser's page at ${publicOrigin}.`,
          null,
        );
      }
    });

    scope.setErrorHandler((error, request, reply) => {
      if (error instanceof PageRefusal) return sendPage(reply.status(error.status), renderProblem(error.title, error.message, error.back));
      const back = eventIdOf(request);
      const path = back ? organiserPagePath(back) : null;
      if (error instanceof CloudRequestError) return sendPage(reply.status(error.status), renderProblem('Not done', error.message, path));
      const statusCode = (error as { statusCode?: number }).statusCode;
      if (statusCode && statusCode >= 400 && statusCode < 500) {
        return sendPage(
          reply.status(statusCode),
          renderProblem('Not understood', 'This request could not be read: go back to the page and try again.', path),
        );
      }
      deps.onError?.(error instanceof Error ? error : new Error(String(error)), `${request.method} ${request.url.split('?')[0]}`);
      return sendPage(
        reply.status(500),
        renderProblem(
          'Something went wrong',
          'The page could not be read just now (the endpoint logged why): try again in a minute.',
          path,
        ),
      );
    });

    /** The event this browser is signed in to, or null: no cookie, or one that is not this event's token. */
    async function signedInEvent(request: FastifyRequest, reply: FastifyReply, eventId: string): Promise<CloudEventRow | null> {
      const token = request.cookies[ORGANISER_COOKIE];
      if (!token) return null;
      return checkOrganiserToken(request, reply, token, eventId);
    }

    /** The event this token opens, or null; a wrong token counts against the address, and a locked-out one is refused (429). */
    async function checkOrganiserToken(
      request: FastifyRequest,
      reply: FastifyReply,
      token: string,
      eventId: string,
    ): Promise<CloudEventRow | null> {
      await deps.wrongOrganiserTokens.refuseIfLockedOut(request, reply);
      try {
        return await authenticateOrganiser(db, `Bearer ${token}`, eventId);
      } catch (err) {
        if (!(err instanceof CloudRequestError)) throw err;
        // A wrong token is a guess; another event's right token (404) is not.
        if (err.status === 401) await deps.wrongOrganiserTokens.count(request);
        return null;
      }
    }

    /** For everything but the sign-in: the signed-in event, or the sign-in form (401) is sent. */
    async function requireOrganiser(request: FastifyRequest, reply: FastifyReply): Promise<CloudEventRow | null> {
      const eventId = parseEventId(request);
      const event = await signedInEvent(request, reply, eventId);
      if (event) return event;
      await sendPage(reply.status(401), renderSignIn(organiserPagePath(eventId), request.cookies[ORGANISER_COOKIE] ? SIGN_IN_AGAIN : null));
      return null;
    }

    function backToPage(reply: FastifyReply, eventId: string, notice: Notice): FastifyReply {
      const path = organiserPagePath(eventId);
      reply.setCookie(NOTICE_COOKIE, encodeNotice(notice), { ...cookieOptions(path, secure), maxAge: 60 });
      return reply.redirect(path, 303);
    }

    scope.get('/organiser/:eventId', async (request, reply) => {
      const eventId = parseEventId(request);
      const token = request.cookies[ORGANISER_COOKIE];
      const event = await signedInEvent(request, reply, eventId);
      if (!event) {
        // No cookie: simply the form. A cookie that does not open this event: the form, and why.
        return sendPage(reply.status(token ? 401 : 200), renderSignIn(organiserPagePath(eventId), token ? SIGN_IN_AGAIN : null));
      }
      const { photos: photoPage } = pageQuery.parse(request.query ?? {});
      const summary = await organiserSummary(db, event);
      const onPage = photoPageOf(summary.photos, photoPage).shown;
      const storedThumbs = await storedBlobHashes(
        db.pool,
        event.id,
        onPage.flatMap((p) => (p.thumbSha256 ? [p.thumbSha256] : [])),
      );
      const notice = decodeNotice(request.cookies[NOTICE_COOKIE]);
      if (notice) reply.clearCookie(NOTICE_COOKIE, cookieOptions(organiserPagePath(eventId), secure));
      return sendPage(
        reply,
        renderOrganiserPage({ summary, basePath: organiserPagePath(eventId), storedThumbs, photoPage, notice, now: now() }),
      );
    });

    scope.post('/organiser/:eventId/sign-in', async (request, reply) => {
      const eventId = parseEventId(request);
      const { token } = signInBody.parse(request.body);
      const path = organiserPagePath(eventId);
      if (!(await checkOrganiserToken(request, reply, token, eventId))) return sendPage(reply.status(401), renderSignIn(path, WRONG_TOKEN));
      reply.setCookie(ORGANISER_COOKIE, token, { ...cookieOptions(path, secure), maxAge: 7 * 24 * 3600 });
      return reply.redirect(path, 303);
    });

    scope.post('/organiser/:eventId/sign-out', async (request, reply) => {
      const path = organiserPagePath(parseEventId(request));
      reply.clearCookie(ORGANISER_COOKIE, cookieOptions(path, secure));
      return reply.redirect(path, 303);
    });

    scope.get('/organiser/:eventId/photos/:photoId/thumb', async (request, reply) => {
      const event = await requireOrganiser(request, reply);
      if (!event) return reply;
      const photoId = positiveId.safeParse((request.params as { photoId?: unknown }).photoId);
      const thumb = photoId.success ? await thumbnailOfPhoto(db.pool, event.id, photoId.data) : null;
      const stream = thumb?.thumbSha256 && thumb.stored ? await deps.blobs.read(blobKey(event.id, thumb.thumbSha256)) : null;
      if (!stream)
        throw new PageRefusal(
          404,
          'No thumbnail',
          'This photo has no thumbnail in the cloud yet: it appears once its laptop has sent it.',
          null,
        );
      const { type, stream: bytes } = await peekImageType(stream);
      // A few minutes in the organiser's own browser: a page of 240 thumbnails is not fetched again on every form.
      return reply.header('content-type', type.contentType).header('cache-control', 'private, max-age=300').send(bytes);
    });

    scope.post('/organiser/:eventId/join-codes', async (request, reply) => {
      const event = await requireOrganiser(request, reply);
      if (!event) return reply;
      const { joinCode, expiresAt } = await addJoinCode(db, event.id, now());
      const validFor = lifetime(expiresAt.getTime() - now().getTime());
      return backToPage(reply, event.id, { kind: 'join-code', text: `New join code, valid for ${validFor}:`, joinCode });
    });

    scope.post('/organiser/:eventId/laptops/:pk/revoke', async (request, reply) => {
      const event = await requireOrganiser(request, reply);
      if (!event) return reply;
      const pk = positiveId.safeParse((request.params as { pk?: unknown }).pk);
      if (!pk.success || !(await revokeDevice(db.pool, event.id, { pk: pk.data }))) {
        return backToPage(reply, event.id, { kind: 'error', text: 'This event has no such laptop: nothing was revoked.' });
      }
      return backToPage(reply, event.id, {
        kind: 'done',
        text: 'Laptop revoked: its token no longer sends or reads anything of this event.',
      });
    });

    scope.post('/organiser/:eventId/settings', async (request, reply) => {
      const event = await requireOrganiser(request, reply);
      if (!event) return reply;
      const parsed = settingBody.safeParse(formBody.parse(request.body));
      if (!parsed.success) return backToPage(reply, event.id, { kind: 'error', text: 'That setting is not known: nothing was changed.' });
      const { setting, value } = parsed.data;
      await changeEventSettings(db, event.id, { [setting]: value === 'on' });
      const label = setting === 'uploadOriginals' ? 'Upload originals' : 'Cloud face search';
      return backToPage(reply, event.id, { kind: 'done', text: `${label} is ${value}. Laptops follow it at their next sync.` });
    });

    scope.post('/organiser/:eventId/person-links/:linkId/:decision', async (request, reply) => {
      const event = await requireOrganiser(request, reply);
      if (!event) return reply;
      const params = z.object({ linkId: positiveId, decision: z.enum(['confirm', 'reject']) }).safeParse(request.params);
      if (!params.success) return backToPage(reply, event.id, { kind: 'error', text: 'This event has no such suggested link.' });
      const { linkId, decision } = params.data;
      try {
        await decideLink(db, event.id, linkId, decision === 'confirm' ? 'confirmed' : 'rejected');
      } catch (err) {
        if (!(err instanceof CloudRequestError)) throw err;
        return backToPage(reply, event.id, { kind: 'error', text: err.message });
      }
      const text = decision === 'confirm' ? 'Linked: they are one person now.' : 'Not linked: they stay two people.';
      return backToPage(reply, event.id, { kind: 'done', text });
    });

    scope.post('/organiser/:eventId/deliveries/:deliveryId/address', async (request, reply) => {
      const event = await requireOrganiser(request, reply);
      if (!event) return reply;
      const deliveryId = positiveId.safeParse((request.params as { deliveryId?: unknown }).deliveryId);
      const body = addressBody.safeParse(formBody.parse(request.body));
      if (!body.success) {
        return backToPage(reply, event.id, {
          kind: 'error',
          text: 'That is not an email address: nothing was changed. Type it as name@example.org.',
        });
      }
      if (!deliveryId.success || !(await readdressDelivery(db.pool, event.id, deliveryId.data, body.data.address))) {
        return backToPage(reply, event.id, {
          kind: 'error',
          text: 'This email cannot be changed (it was sent already, or it is not this event’s).',
        });
      }
      deps.onDeliveries?.();
      return backToPage(reply, event.id, { kind: 'done', text: 'Address corrected: the email goes out again in a moment.' });
    });
  });
}

function parseEventId(request: FastifyRequest): string {
  const parsed = eventParams.safeParse(request.params);
  if (!parsed.success)
    throw new PageRefusal(
      404,
      'No such event',
      'No cloud event has this address: check the link printed by `shutterfind cloud create-event`.',
      null,
    );
  return parsed.data.eventId;
}

function eventIdOf(request: FastifyRequest): string | null {
  const parsed = eventParams.safeParse(request.params);
  return parsed.success ? parsed.data.eventId : null;
}

function sendPage(reply: FastifyReply, body: string): FastifyReply {
  return reply.header('content-type', 'text/html; charset=utf-8').send(body);
}
