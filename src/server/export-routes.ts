// The organiser export from the console: POST starts one (one at a time per server), its progress
// and end reach the console as live `export` events, and GET tells a console opened meanwhile.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExportProgressView, ExportRequest, ExportStatus } from '../api/index.js';
import { ExportRequestError, ExportWriteError, type OrganiserExportOptions } from '../core/index.js';
import { HttpError, parseInput } from './http-errors.js';
import type { LiveHub } from './live-events.js';
import { eventOf, type ServerContext } from './server-context.js';

/** Progress events at most this often: a 2,000-photo export would otherwise send 2,000 of them. */
const PROGRESS_EVERY_MS = 250;

const requestSchema = z.object({
  to: z.string().trim().min(1).max(4096),
  as: z.enum(['folders', 'zip', 'html']).default('folders'),
  files: z.enum(['previews', 'originals']).default('previews'),
  people: z.array(z.string().trim().min(1).max(200)).max(10_000).default([]),
  onlyPicks: z.boolean().default(false),
  namedOnly: z.boolean().default(false),
  xmp: z.boolean().default(true),
  watermark: z.boolean().default(false),
});

/** The event's own watermark text (console → Settings); asking for it without one is the request's mistake. */
function watermarkOf(ctx: ServerContext, eventId: number): string {
  const text = ctx.engine.catalogue.settings(eventId).watermark.text.trim();
  if (!text) throw new HttpError(400, 'bad-request', 'This event has no watermark text: set one in Settings → Watermark first.');
  return text;
}

export function registerExportRoutes(app: FastifyInstance, ctx: ServerContext, live: LiveHub): void {
  let current: (ExportStatus & { eventId: number }) | null = null;
  let nextId = 1;
  const view = ({ eventId: _eventId, ...status }: ExportStatus & { eventId: number }): ExportStatus => status;
  const publish = (): void => {
    if (current) live.publish(current.eventId, { type: 'export', export: view(current) });
  };

  app.get('/api/exports/current', async (request): Promise<{ export: ExportStatus | null }> => {
    const event = eventOf(ctx, request.query);
    return { export: current && current.eventId === event.id ? view(current) : null };
  });

  app.post('/api/exports', async (request, reply): Promise<ExportStatus> => {
    const event = eventOf(ctx, request.query);
    const body = parseInput(requestSchema, request.body, 'export');
    if (current?.state === 'running') {
      throw new HttpError(409, 'conflict', `An export is already running (into ${current.request.to}); wait for it to finish.`);
    }
    const options: OrganiserExportOptions = {
      to: body.to,
      as: body.as,
      files: body.files,
      people: body.people,
      onlyPicks: body.onlyPicks,
      unnamedPeople: !body.namedOnly,
      xmp: body.xmp,
      watermark: body.watermark ? watermarkOf(ctx, event.id) : null,
      // The look set in the console's Export section (colours in Settings, the logo in the event's folder).
      ...(body.as === 'html' ? { branding: ctx.engine.galleryBranding.exportBranding(event.id) } : {}),
    };
    try {
      ctx.engine.exports.check(event.name, options);
    } catch (err) {
      if (err instanceof ExportRequestError) throw new HttpError(400, 'bad-request', err.message);
      throw err;
    }
    const request_: ExportRequest = { ...body };
    const status = {
      id: nextId++,
      eventId: event.id,
      state: 'running' as const,
      request: request_,
      startedAt: Date.now(),
      progress: null,
      summary: null,
      error: null,
    };
    current = status;
    let lastSent = 0;
    void ctx.engine.exports
      .run(event.name, options, {
        onProgress: (p: ExportProgressView) => {
          if (current?.id !== status.id) return;
          current = { ...current, progress: p };
          if (Date.now() - lastSent >= PROGRESS_EVERY_MS || p.done === p.total) {
            lastSent = Date.now();
            publish();
          }
        },
      })
      .then(
        (summary) => {
          current = { ...current!, state: 'done', summary };
          publish();
        },
        (err: unknown) => {
          const known = err instanceof ExportWriteError || err instanceof ExportRequestError;
          if (!known) ctx.engine.log.error({ err, eventId: event.id }, `Export into ${options.to} failed`);
          current = {
            ...current!,
            state: 'failed',
            error: known ? (err as Error).message : `The export stopped: ${(err as Error).message}. Start it again to continue.`,
          };
          publish();
        },
      );
    reply.status(202);
    return view(status);
  });
}
