// "Do not publish": an attendee's request at the kiosk, and the organiser's marks and list.
// The kiosk route answers only for the kiosk's own running session; the rest are operator routes.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { KioskOptOutResponse, OptOutList, OptOutView, RevokeOptOutResponse } from '../api/index.js';
import type { OptOutRecord } from '../core/index.js';
import { kioskOf } from './auth.js';
import { parseInput } from './http-errors.js';
import { eventOf, type ServerContext } from './server-context.js';

const sessionParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/) });
const idParam = z.object({ id: z.coerce.number().int().positive() });
/** The kiosk asks the attendee to confirm; a request without the confirmation is refused. */
const kioskOptOutBody = z.object({ confirm: z.literal(true) }).strict();
const markBody = z.object({ note: z.string().trim().max(500).nullable().optional() }).strict();
const revokeBody = z.object({ reason: z.string().trim().max(500).nullable().optional() }).strict();

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const toOptOutView = (r: OptOutRecord): OptOutView => ({
  id: r.id,
  source: r.source,
  personId: r.personId,
  personName: r.currentName ?? r.personName,
  keepsFaceDescriptor: r.faceEmbedding !== null,
  kioskSessionId: r.kioskSessionId,
  note: r.note,
  createdAt: new Date(r.createdAt).toISOString(),
  revokedAt: iso(r.revokedAt),
  revokedBy: r.revokedBy,
  revokeReason: r.revokeReason,
  photoCount: r.photoCount,
});

export function registerPublishingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { publishing } = ctx.engine;

  app.post('/kiosk-api/sessions/:id/do-not-publish', async (request): Promise<KioskOptOutResponse> => {
    const { id } = parseInput(sessionParam, request.params, 'session');
    parseInput(kioskOptOutBody, request.body ?? {}, 'confirmation');
    const done = publishing.optOutAttendee(kioskOf(request), id);
    return { optedOut: true, photoCount: done.photoCount };
  });

  app.get('/api/do-not-publish', async (request): Promise<OptOutList> => ({
    records: publishing.records(eventOf(ctx, request.query).id).map(toOptOutView),
  }));

  app.post('/api/people/:id/do-not-publish', async (request): Promise<OptOutView> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    const { note } = parseInput(markBody, request.body ?? {}, 'do-not-publish request');
    return toOptOutView(publishing.markPerson(event.id, id, note ?? null));
  });

  app.post('/api/people/:id/publish', async (request): Promise<RevokeOptOutResponse> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'person id');
    const { reason } = parseInput(revokeBody, request.body ?? {}, 'publish request');
    return { revoked: publishing.unmarkPerson(event.id, id, reason ?? null) };
  });

  app.post('/api/do-not-publish/:id/revoke', async (request): Promise<RevokeOptOutResponse> => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'opt-out id');
    const { reason } = parseInput(revokeBody, request.body ?? {}, 'revoke request');
    publishing.revoke(event.id, id, reason ?? null);
    return { revoked: 1 };
  });
}
