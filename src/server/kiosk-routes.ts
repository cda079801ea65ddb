// The kiosk's API: pairing, then one attendee session at a time. A kiosk sees only the
// photos its own session matched.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import QRCode from 'qrcode';
import type { KioskIdentity, KioskResults, TakeHomeResponse } from '../api/index.js';
import { KIOSK_COOKIE, kioskOf } from './auth.js';
import { HttpError, parseInput, tooManyRequests } from './http-errors.js';
import { sendMedia } from './media-files.js';
import type { ServerContext } from './server-context.js';

const sessionParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/) });
const photoParam = sessionParam.extend({ photoId: z.coerce.number().int().positive(), kind: z.enum(['thumb', 'preview', 'face']) });
const pairBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'a 6-digit code'),
  name: z.string().trim().min(1).max(60),
});
/** At most a results screen's worth (MAX_MATCHES): "Maybe you?" photos grow a little with each tap. */
const confirmMaybeBody = z.object({ photoIds: z.array(z.number().int().positive()).min(1).max(200) });

const takeHomeBody = z
  .object({
    photoIds: z.array(z.number().int().positive()).max(500),
    contact: z
      .discriminatedUnion('channel', [
        z.object({ channel: z.literal('email'), address: z.email().max(254) }),
        z.object({
          channel: z.literal('sms'),
          address: z
            .string()
            .trim()
            .regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number'),
        }),
      ])
      .optional(),
    notifyOptIn: z.boolean(),
  })
  .strict();

const ONE_YEAR_S = 365 * 24 * 3600;

export function registerKioskRoutes(app: FastifyInstance, ctx: ServerContext, rateLimit: { max: number }): void {
  const { catalogue } = ctx.engine;
  const { devices, sessions } = ctx.engine.kiosk;

  const pairingLimit = {
    max: 10,
    timeWindow: '1 minute',
    errorResponseBuilder: tooManyRequests(
      (wait) => `Too many pairing attempts from this screen: wait ${wait}, then type the code the operator's console shows.`,
    ),
  };
  app.post('/kiosk-api/pair', { config: { rateLimit: pairingLimit } }, async (request, reply) => {
    const body = parseInput(pairBody, request.body, 'pairing');
    const paired = devices.pair(body.code, body.name);
    if (!paired)
      throw new HttpError(
        401,
        'unauthorized',
        "That code is wrong, used, expired or replaced by a newer one: type the code the operator's console shows now.",
      );
    const { kioskId, token } = paired;
    // HttpOnly: page scripts never see the device secret; Strict: no other site can use it.
    reply.setCookie(KIOSK_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', maxAge: ONE_YEAR_S });
    return { kioskId };
  });

  app.get('/kiosk-api/me', async (request): Promise<KioskIdentity> => {
    const kiosk = kioskOf(request);
    const event = catalogue.events.byId(kiosk.eventId)!;
    const settings = sessions.settingsOf(kiosk.eventId);
    return {
      kioskId: kiosk.id,
      name: kiosk.name,
      event: event.name,
      settings: { kioskIdleSeconds: settings.kioskIdleSeconds, welcomeTitle: settings.welcomeTitle },
      retention: {
        selfie: 'Your selfie is used only to find your photos. It is deleted as soon as you finish here.',
        optIn: `If you ask for new photos of you, we keep your face's description (not the picture) for ${settings.optInRetentionDays} days to find them, then delete it.`,
      },
    };
  });

  app.post('/kiosk-api/sessions', async (request, reply) => {
    parseInput(z.object({ consent: z.literal(true, 'consent is required before a selfie is taken') }), request.body, 'consent');
    reply.status(201);
    return sessions.start(kioskOf(request));
  });

  // Selfie searches per kiosk (the face engine runs on each).
  const searchLimit = {
    max: rateLimit.max,
    timeWindow: '1 minute',
    keyGenerator: (request: { kiosk: { id: number } | null; ip: string }) => (request.kiosk ? `kiosk:${request.kiosk.id}` : request.ip),
    errorResponseBuilder: tooManyRequests((wait) => `Too many searches from this kiosk: wait ${wait} and try again.`),
  };
  // "Maybe you?" taps, counted apart: an attendee may tap in two dozen photos in a minute, each a
  // look-up in the event's index (no face engine), and must not use up the next attendee's selfie.
  const tapLimit = {
    ...searchLimit,
    max: rateLimit.max * 10,
    keyGenerator: (request: { kiosk: { id: number } | null; ip: string }) => `taps:${searchLimit.keyGenerator(request)}`,
  };

  app.post('/kiosk-api/sessions/:id/selfie', { config: { rateLimit: searchLimit } }, async (request) => {
    const { id } = parseInput(sessionParam, request.params, 'session');
    const image = request.body;
    if (!Buffer.isBuffer(image))
      throw new HttpError(415, 'unsupported-media', 'Send the selfie as the request body (image/jpeg, image/png or image/webp).');
    return sessions.search(kioskOf(request), id, image);
  });

  // "Maybe you?" photos tapped in: the same search with their faces added (no image, no face
  // engine: a look-up in the event's index).
  app.post('/kiosk-api/sessions/:id/confirm-maybe', { config: { rateLimit: tapLimit } }, async (request): Promise<KioskResults> => {
    const { id } = parseInput(sessionParam, request.params, 'session');
    const { photoIds } = parseInput(confirmMaybeBody, request.body, 'confirmed photos');
    return sessions.confirmMaybe(kioskOf(request), id, photoIds);
  });

  app.get('/kiosk-api/sessions/:id/photos/:photoId/:kind', async (request, reply) => {
    const { id, photoId, kind } = parseInput(photoParam, request.params, 'photo address');
    if (kind === 'face')
      return sendMedia(reply, ctx.engine.layout.root, sessions.sessionFace(kioskOf(request), id, photoId), { cache: 'no-store' });
    const photo = sessions.sessionPhoto(kioskOf(request), id, photoId);
    // Faces of people who asked not to be published come blurred (engine.publishing).
    return sendMedia(reply, ctx.engine.layout.root, await ctx.engine.publishing.attendeeMedia(photo, kind), { cache: 'no-store' });
  });

  app.post('/kiosk-api/sessions/:id/take-home', async (request): Promise<TakeHomeResponse> => {
    const { id } = parseInput(sessionParam, request.params, 'session');
    const body = parseInput(takeHomeBody, request.body, 'take-home request');
    // Nothing sends text messages yet (the cloud endpoint sends email only): a number saved here
    // would wait for ever, kept with nothing ever sent. The kiosk offers email only.
    if (body.contact?.channel === 'sms') {
      throw new HttpError(400, 'bad-request', 'Photos cannot be sent by text message yet: give an email address instead.');
    }
    const taken = sessions.takeHome(kioskOf(request), id, body);
    // The address phones use (the LAN address when LAN is on), as a link and as a QR to scan.
    // Once the event is enrolled with a cloud endpoint the link points there: it keeps working after the event.
    const galleryUrl =
      ctx.engine.sync.publicGalleryUrl(kioskOf(request).eventId, taken.galleryToken) ?? `${ctx.publicUrl()}/g/${taken.galleryToken}`;
    const qrSvg = await QRCode.toString(galleryUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { galleryUrl, qrSvg, expiresAt: taken.expiresAt, deliveryId: taken.deliveryId };
  });

  app.post('/kiosk-api/sessions/:id/end', async (request, reply) => {
    const { id } = parseInput(sessionParam, request.params, 'session');
    sessions.end(kioskOf(request), id);
    return reply.status(204).send();
  });
}
