// The event's sync to the cloud, for the console's Sync section and for `shutterfind sync` when a
// console owns the data dir (one writer): where it stands, enrolment with a join code, pause and
// bandwidth cap, and "sync now". Progress reaches consoles as live `sync` events.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SyncView } from '../api/index.js';
import { SyncRequestError, type Event } from '../core/index.js';
import { HttpError, parseInput } from './http-errors.js';
import { eventOf, type ServerContext } from './server-context.js';

/** Above this a "cap" caps nothing: 10 Gbit/s is faster than any laptop's upload. */
const LARGEST_CAP_BYTES_PER_SECOND = 1_250_000_000;

const eventIdField = z.number().int().positive();

const httpAddress = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    message: 'Expected the endpoint as an http:// or https:// address',
  });

const enrolBody = z
  .object({
    eventId: eventIdField,
    endpoint: httpAddress,
    joinCode: z.string().trim().min(1).max(200),
    deviceName: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const settingsBody = z
  .object({
    eventId: eventIdField,
    paused: z.boolean().optional(),
    bandwidthCapBytesPerSecond: z.number().int().positive().max(LARGEST_CAP_BYTES_PER_SECOND).nullable().optional(),
  })
  .strict()
  .refine((b) => b.paused !== undefined || b.bandwidthCapBytesPerSecond !== undefined, {
    message: 'Give `paused`, `bandwidthCapBytesPerSecond` or both',
  });

function eventById(ctx: ServerContext, id: number): Event {
  const event = ctx.engine.catalogue.events.byId(id);
  if (!event) throw new HttpError(404, 'not-found', `No event with id ${id} on this laptop.`);
  return event;
}

export function registerSyncRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { sync } = ctx.engine;

  app.get('/api/sync', async (request): Promise<SyncView> => sync.view(eventOf(ctx, request.query).id));

  app.post('/api/sync/enrol', async (request): Promise<SyncView> => {
    const body = parseInput(enrolBody, request.body, 'enrolment');
    const event = eventById(ctx, body.eventId);
    try {
      return await sync.enroll(event.id, {
        endpoint: body.endpoint,
        joinCode: body.joinCode,
        ...(body.deviceName === undefined ? {} : { deviceName: body.deviceName }),
      });
    } catch (err) {
      // The endpoint never answered (or answered that it cannot now): the address or the venue's
      // connection is what the photographer can check. A refusal keeps the endpoint's own words.
      if (err instanceof SyncRequestError && (err.kind === 'offline' || err.kind === 'busy')) {
        const why = err.kind === 'busy' && err.status !== null ? ` (it answered ${err.status})` : '';
        throw new HttpError(
          502,
          'cloud-unreachable',
          `Cannot reach the cloud endpoint at ${body.endpoint}${why}: check the address and the connection`,
        );
      }
      throw err;
    }
  });

  app.put('/api/sync/settings', async (request): Promise<SyncView> => {
    const body = parseInput(settingsBody, request.body, 'sync settings');
    const event = eventById(ctx, body.eventId);
    if (body.bandwidthCapBytesPerSecond !== undefined) sync.setBandwidthCap(event.id, body.bandwidthCapBytesPerSecond);
    if (body.paused !== undefined) sync.setPaused(event.id, body.paused);
    return sync.view(event.id);
  });

  // Answers as soon as the run has started: a console, or `shutterfind sync` asking the console that
  // owns the data dir, follows it through live `sync` events or GET /api/sync.
  app.post('/api/sync/run', async (request, reply): Promise<SyncView> => {
    const event = eventOf(ctx, request.query);
    const before = sync.view(event.id);
    if (before.state === 'not-enrolled') {
      throw new HttpError(
        409,
        'conflict',
        `"${event.name}" is not connected to a cloud endpoint: enrol it first (console → Sync, or \`shutterfind sync enroll\`).`,
      );
    }
    if (before.state === 'paused') {
      throw new HttpError(409, 'conflict', `Sync of "${event.name}" is paused: resume it first (console → Sync).`);
    }
    void sync.runOnce(event.id).catch((err: unknown) => {
      // The view's lastError tells the operator; the log keeps the details.
      ctx.engine.log.warn({ err, eventId: event.id }, `Sync of "${event.name}" stopped`);
    });
    reply.status(202);
    return sync.view(event.id);
  });
}
