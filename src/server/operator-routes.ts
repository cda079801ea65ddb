// The operator console's API: photos, errors and retries, sources, kiosks, deliveries,
// settings, search and media. Every route here is behind the operator token (auth.ts).
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { eventSettingsPatchSchema } from '../config/index.js';
import { PHOTO_STAGES } from '../core/index.js';
import type {
  DeliveryList,
  ErrorList,
  EventSettings,
  KioskList,
  PairingCode,
  PhotoCard,
  PhotoPage,
  RetryResult,
  SearchResponse,
  SourceList,
  SourceView,
} from '../api/index.js';
import { HttpError, notFound, parseInput } from './http-errors.js';
import { sendMedia } from './media-files.js';
import { readOverview } from './overview.js';
import { eventOf, type ServerContext } from './server-context.js';
import { relativeBox, toCameraCounts, toDeliveryView, toKioskView, toPhotoCard, toSourceView } from './views.js';

const idParam = z.object({ id: z.coerce.number().int().positive() });
const photoPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(60),
  before: z.coerce.number().int().positive().optional(),
  status: z.enum(['pending', 'processing', 'ready', 'failed']).optional(),
});

const fileNameOf = (path: string): string => path.split(/[\\/]/).pop() ?? path;

export function photoCardOf(ctx: ServerContext, photoId: number): PhotoCard | undefined {
  const found = ctx.engine.catalogue.photoWithFaces(photoId);
  return found ? toPhotoCard(found.photo, found.faces, found.files) : undefined;
}

export function sourceViews(ctx: ServerContext, eventId: number): SourceView[] {
  return ctx.engine.catalogue.sources(eventId).map((s) => toSourceView(s.source, s.photos));
}

export function registerOperatorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { catalogue } = ctx.engine;

  app.get('/api/overview', async (request) => readOverview(ctx, eventOf(ctx, request.query).name));

  app.get('/api/photos', async (request): Promise<PhotoPage> => {
    const event = eventOf(ctx, request.query);
    const q = parseInput(photoPageQuery, request.query, 'photo query');
    const photos = catalogue.newestPhotos(event.id, q);
    return {
      photos: photos.map((p) => toPhotoCard(p.photo, p.faces, p.files)),
      nextBefore: photos.length === q.limit ? photos.at(-1)!.photo.id : null,
    };
  });

  app.get('/api/photos/:id', async (request): Promise<PhotoCard> => {
    const { id } = parseInput(idParam, request.params, 'photo id');
    const card = photoCardOf(ctx, id);
    if (!card) throw notFound(`Photo ${id}`);
    return card;
  });

  app.get('/api/errors', async (request): Promise<ErrorList> => {
    const status = ctx.engine.status(eventOf(ctx, request.query).name)!;
    return {
      errors: status.errors.map((e) => ({ ...e, fileName: fileNameOf(e.path) })),
      retrying: status.retrying.map((r) => ({ ...r, fileName: fileNameOf(r.path) })),
    };
  });

  app.post('/api/photos/retry-failed', async (request): Promise<RetryResult> => ctx.engine.retryFailed(eventOf(ctx, request.query).name));

  app.post('/api/photos/:id/retry', async (request): Promise<RetryResult> => {
    const { id } = parseInput(idParam, request.params, 'photo id');
    const photo = catalogue.photo(id);
    if (!photo) throw notFound(`Photo ${id}`);
    if (photo.status !== 'failed') throw new HttpError(409, 'conflict', `${photo.fileName} has not failed (it is ${photo.status}).`);
    const event = catalogue.events.byId(photo.eventId)!;
    return ctx.engine.retryFailed(event.name, [id]);
  });

  app.get('/api/sources', async (request): Promise<SourceList> => {
    const event = eventOf(ctx, request.query);
    return { sources: sourceViews(ctx, event.id), cameras: toCameraCounts(catalogue.cameras(event.id)) };
  });

  app.post('/api/sources', async (request, reply): Promise<SourceView> => {
    const event = eventOf(ctx, request.query);
    const { path } = parseInput(z.object({ path: z.string().trim().min(1).max(4096) }), request.body, 'folder');
    if (!isAbsolute(path))
      throw new HttpError(400, 'bad-request', `Give the folder's full path (for example /Users/you/Pictures/EOS), not "${path}".`);
    const folder = resolve(path);
    const isFolder = await stat(folder).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isFolder) throw new HttpError(400, 'bad-request', `${folder} is not a folder on this laptop (or it cannot be read).`);
    const session = await ctx.engine.openEvent(event.name);
    if (session.hotFolders.list().some((s) => s.path === folder)) throw new HttpError(409, 'conflict', `${folder} is already watched.`);
    const source = await session.hotFolders.add(folder);
    reply.status(201);
    return toSourceView(source, catalogue.photosFromSource(event.id, source.id));
  });

  app.delete('/api/sources/:id', async (request, reply) => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'folder id');
    const session = await ctx.engine.openEvent(event.name);
    if (!(await session.hotFolders.remove(id))) throw notFound(`Watched folder ${id}`);
    return reply.status(204).send();
  });

  app.get('/api/settings', async (request): Promise<EventSettings> => catalogue.settings(eventOf(ctx, request.query).id));

  app.patch('/api/settings', async (request): Promise<EventSettings> => {
    const event = eventOf(ctx, request.query);
    const patch = parseInput(eventSettingsPatchSchema, request.body, 'settings');
    return catalogue.updateSettings(event.id, patch);
  });

  app.get('/api/deliveries', async (request): Promise<DeliveryList> => ({
    deliveries: catalogue.deliveries(eventOf(ctx, request.query).id).map(toDeliveryView),
  }));

  app.post('/api/kiosks/pairing-codes', async (request, reply): Promise<PairingCode> => {
    const event = eventOf(ctx, request.query);
    const { code, expiresAt } = ctx.engine.kiosk.devices.newPairingCode(event.id);
    const kioskUrl = ctx.kioskUrl();
    reply.status(201);
    return {
      code,
      expiresAt: new Date(expiresAt).toISOString(),
      kioskUrl,
      kioskQrSvg: await QRCode.toString(kioskUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
    };
  });

  app.get('/api/kiosks', async (request): Promise<KioskList> => {
    const event = eventOf(ctx, request.query);
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    return { kiosks: ctx.engine.kiosk.devices.list(event.id, midnight.getTime()).map((k) => toKioskView(k.device, k.sessions)) };
  });

  app.delete('/api/kiosks/:id', async (request, reply) => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'kiosk id');
    if (!ctx.engine.kiosk.devices.revoke(event.id, id)) throw notFound(`Kiosk ${id}`);
    return reply.status(204).send();
  });

  app.post('/api/search/selfie', async (request): Promise<SearchResponse> => {
    const event = eventOf(ctx, request.query);
    const image = request.body;
    if (!Buffer.isBuffer(image))
      throw new HttpError(415, 'unsupported-media', 'Send the photo as the request body (image/jpeg, image/png or image/webp).');
    // The console shows the sure matches only (the kiosk's "Maybe you?" tier is for attendees).
    const found = await ctx.engine.search.bySelfie(event.id, image);
    return {
      tookMs: found.tookMs,
      matches: found.matches.flatMap((m) => {
        const photo = catalogue.photo(m.photoId);
        if (!photo) return [];
        return [
          {
            photoId: m.photoId,
            distance: Math.round(m.distance * 10_000) / 10_000,
            box: relativeBox(m.box, photo.width, photo.height),
            via: m.via ?? 'face',
            thumbUrl: `/api/media/photos/${photo.id}/thumb`,
            previewUrl: `/api/media/photos/${photo.id}/preview`,
            fileName: photo.fileName,
          },
        ];
      }),
    };
  });

  // Rebuilds the event's bursts now (`shutterfind bursts --regroup` asks for this when a `serve`
  // owns the data dir).
  app.post('/api/bursts/regroup', async (request) => {
    const event = eventOf(ctx, request.query);
    return { event: event.name, ...(await ctx.engine.bursts.regroup(event.id)) };
  });

  // One stage queued again for every photo of the event (`shutterfind reprocess` asks for this
  // when a `serve` owns the data dir); the queue's per-stage progress shows in the overview.
  app.post('/api/reprocess', async (request, reply) => {
    const event = eventOf(ctx, request.query);
    const { stage } = parseInput(z.object({ stage: z.enum(PHOTO_STAGES) }), request.body, 'stage');
    reply.status(202);
    return ctx.engine.reprocess(event.name, stage);
  });

  app.get('/api/media/photos/:id/:kind', async (request, reply) => {
    const { id, kind } = parseInput(idParam.extend({ kind: z.enum(['thumb', 'preview']) }), request.params, 'media address');
    const photo = catalogue.photo(id);
    if (!photo) throw notFound(`Photo ${id}`);
    return sendMedia(reply, ctx.engine.layout.root, kind === 'thumb' ? photo.thumbnailPath : photo.previewPath);
  });

  app.get('/api/media/faces/:id/crop', async (request, reply) => {
    const { id } = parseInput(idParam, request.params, 'face id');
    const face = catalogue.face(id);
    if (!face) throw notFound(`Face ${id}`);
    return sendMedia(reply, ctx.engine.layout.root, face.cropPath);
  });
}
