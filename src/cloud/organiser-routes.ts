// The organiser's routes under /cloud-api/events/:id, behind the event's organiser token: the
// summary of every laptop's work, join codes, revoking a laptop, the event's settings, a new
// address for a failed email, and decisions on suggested person links.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { addJoinCode, authenticateOrganiser, changeEventSettings, decideLink, organiserSummary } from './cloud-events.js';
import { CloudRequestError, notFound } from './cloud-errors.js';
import { readdressDelivery, revokeDevice, type CloudDatabase, type CloudEventRow } from './database/index.js';
import { parseRequest } from './request-parsing.js';
import type { WrongGuesses } from './wrong-guesses.js';

export const ORGANISER_API_PREFIX = '/cloud-api/events';

const eventParams = z.object({ id: z.string().min(1).max(64) });
const deviceParams = eventParams.extend({ pk: z.coerce.number().int().positive() });
const linkParams = eventParams.extend({ linkId: z.coerce.number().int().positive(), decision: z.enum(['confirm', 'reject']) });
const deliveryParams = eventParams.extend({ deliveryId: z.coerce.number().int().positive() });
const addressBody = z.object({ address: z.string().email().max(320) }).strict();
const settingsBody = z.object({ uploadOriginals: z.boolean().optional(), cloudFaceSearch: z.boolean().optional() }).strict();

export async function registerOrganiserRoutes(
  app: FastifyInstance,
  deps: { db: CloudDatabase; onDeliveries?: () => void; wrongOrganiserTokens: WrongGuesses },
): Promise<void> {
  const { db } = deps;
  await app.register(async (scope) => {
    const events = new WeakMap<FastifyRequest, CloudEventRow>();
    scope.addHook('onRequest', async (request, reply) => {
      const { id } = parseRequest(eventParams, request.params, 'address');
      await deps.wrongOrganiserTokens.refuseIfLockedOut(request, reply);
      try {
        events.set(request, await authenticateOrganiser(db, request.headers.authorization, id));
      } catch (err) {
        // A wrong token is a guess; another event's right token (404) is not.
        if (err instanceof CloudRequestError && err.status === 401) await deps.wrongOrganiserTokens.count(request);
        throw err;
      }
    });
    const eventOf = (request: FastifyRequest): CloudEventRow => events.get(request)!;

    scope.get(`${ORGANISER_API_PREFIX}/:id`, async (request) => organiserSummary(db, eventOf(request)));

    scope.post(`${ORGANISER_API_PREFIX}/:id/join-codes`, async (request) => {
      const { joinCode, expiresAt } = await addJoinCode(db, eventOf(request).id);
      return { joinCode, expiresAt: expiresAt.toISOString() };
    });

    scope.post(`${ORGANISER_API_PREFIX}/:id/devices/:pk/revoke`, async (request) => {
      const { pk } = parseRequest(deviceParams, request.params, 'address');
      if (!(await revokeDevice(db.pool, eventOf(request).id, { pk }))) throw notFound(`This event has no laptop ${pk}.`);
      return { revoked: true };
    });

    scope.patch(`${ORGANISER_API_PREFIX}/:id/settings`, async (request) => {
      const settings = parseRequest(settingsBody, request.body ?? {}, 'settings');
      const event = await changeEventSettings(db, eventOf(request).id, settings);
      return { uploadOriginals: event.uploadOriginals, cloudFaceSearch: event.cloudFaceSearch };
    });

    // A failed email (a mistyped address) sent again to the address the attendee gives the organiser.
    scope.patch(`${ORGANISER_API_PREFIX}/:id/deliveries/:deliveryId`, async (request) => {
      const { deliveryId } = parseRequest(deliveryParams, request.params, 'address');
      const { address } = parseRequest(addressBody, request.body ?? {}, 'delivery');
      if (!(await readdressDelivery(db.pool, eventOf(request).id, deliveryId, address))) {
        throw notFound(`This event has no delivery ${deliveryId} waiting or failed (a sent one cannot be changed).`);
      }
      deps.onDeliveries?.();
      return { id: deliveryId, state: 'waiting' };
    });

    scope.post(`${ORGANISER_API_PREFIX}/:id/person-links/:linkId/:decision`, async (request) => {
      const { linkId, decision } = parseRequest(linkParams, request.params, 'address');
      const state = decision === 'confirm' ? 'confirmed' : 'rejected';
      await decideLink(db, eventOf(request).id, linkId, state);
      return { id: linkId, state };
    });
  });
}
