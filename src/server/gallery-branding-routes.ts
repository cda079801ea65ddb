// The offline gallery's look from the console's Export section: what the next HTML export will
// look like, and the organiser's logo (uploaded, shown back, removed). The colours are event
// settings (PATCH /api/settings); the logo is a file the engine keeps in the event's folder.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { GalleryLogoView, GalleryLookView } from '../api/index.js';
import { GalleryLogoError, MAX_GALLERY_LOGO_BYTES, type GalleryLogo, type GalleryLogoProblem } from '../core/index.js';
import { HttpError } from './http-errors.js';
import { eventOf, type ServerContext } from './server-context.js';

const LOGO_ROUTE = '/api/events/current/gallery-logo';
const TOO_LARGE = `The logo is larger than ${MAX_GALLERY_LOGO_BYTES / 1024 / 1024} MB: send a smaller PNG, JPEG or WebP image (a logo needs a few hundred pixels).`;

const STATUS_OF: Record<GalleryLogoProblem, { status: number; code: 'too-large' | 'not-an-image' | 'unsupported-media' }> = {
  'too-large': { status: 413, code: 'too-large' },
  'not-an-image': { status: 400, code: 'not-an-image' },
  unsupported: { status: 415, code: 'unsupported-media' },
};

const viewOf = ({ type, width, height, bytes, updatedAt }: GalleryLogo): GalleryLogoView => ({ type, width, height, bytes, updatedAt });

export function registerGalleryBrandingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const branding = ctx.engine.galleryBranding;

  app.get('/api/events/current/gallery-look', async (request): Promise<GalleryLookView> => {
    const event = eventOf(ctx, request.query);
    const { accent, background } = ctx.engine.catalogue.settings(event.id).gallery;
    const logo = await branding.logo(event.id);
    return { accent, background, logo: logo ? viewOf(logo) : null };
  });

  app.get(LOGO_ROUTE, async (request, reply) => {
    const event = eventOf(ctx, request.query);
    const logo = branding.logoFile(event.id);
    const bytes = logo ? await readFile(logo.path).catch(() => null) : null;
    if (!logo || !bytes) throw new HttpError(404, 'not-found', `"${event.name}" has no gallery logo: choose one in Export → Gallery look.`);
    // The console shows the logo it just replaced or removed: no cached copy may stand in for it.
    return reply.header('content-type', logo.type).header('cache-control', 'no-store').send(bytes);
  });

  app.post(
    LOGO_ROUTE,
    {
      // The JPEG/PNG/WebP parser (http-server.ts) reads at most this much for this route.
      bodyLimit: MAX_GALLERY_LOGO_BYTES,
      // A declared length over the limit is refused before the body is read, in words that say what to send.
      onRequest: async (request) => {
        if (Number(request.headers['content-length'] ?? 0) > MAX_GALLERY_LOGO_BYTES) throw new HttpError(413, 'too-large', TOO_LARGE);
      },
    },
    async (request, reply): Promise<GalleryLogoView> => {
      const event = eventOf(ctx, request.query);
      if (!Buffer.isBuffer(request.body)) {
        throw new HttpError(
          415,
          'unsupported-media',
          'Send a PNG, JPEG or WebP image as the logo: the file itself as the request body, with its image/* content type.',
        );
      }
      try {
        const saved = await branding.saveLogo(event.id, request.body);
        ctx.engine.log.info({ eventId: event.id, bytes: saved.bytes, type: saved.type }, `Gallery logo of "${event.name}" saved`);
        reply.status(201);
        return viewOf(saved);
      } catch (err) {
        if (!(err instanceof GalleryLogoError)) throw err;
        const { status, code } = STATUS_OF[err.problem];
        throw new HttpError(status, code, err.message);
      }
    },
  );

  app.delete(LOGO_ROUTE, async (request, reply) => {
    const event = eventOf(ctx, request.query);
    if (await branding.removeLogo(event.id)) ctx.engine.log.info({ eventId: event.id }, `Gallery logo of "${event.name}" removed`);
    return reply.status(204).send();
  });
}
