// The operator console's API: photos, errors and retries, sources, kiosks, deliveries,
// settings, search and media. Every route here is behind the operator token (auth.ts).
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { applyEventSettingsPatch, eventSettingsPatchSchema, readEventSettings } from '../config/index.js';
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
import { hashSecret, newPairingCode } from '../config/index.js';
import { matchSelfie } from '../kiosk/index.js';
import { eventOf, type ServerContext } from './server-context.js';
import { relativeBox, toCameraCounts, toDeliveryView, toKioskView, toPhotoCard, toSourceView } from './views.js';

/**
 * Long enough to walk to a tablet at the far end of the venue and type the code. Guessing is
 * bounded by one live code at a time (a new code voids the old one, kiosks-repository.ts) and
 * 10 tries a minute per address, not by a shorter life: a short one expires on the way.
 */
const PAIRING_CODE_LIFETIME_MS = 10 * 60 * 1000;
const idParam = z.object({ id: z.coerce.number().int().positive() });
const photoPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(60),
  before: z.coerce.number().int().positive().optional(),
  status: z.enum(['pending', 'processing', 'ready', 'failed']).optional(),
});

const fileNameOf = (path: string): string => path.split(/[\\/]/).pop() ?? path;

export function photoCardOf(ctx: ServerContext, photoId: number): PhotoCard | undefined {
  const photo = ctx.engine.repos.photos.getPhoto(photoId);
  return photo ? toPhotoCard(photo, ctx.engine.repos.faces.facesOfPhoto(photo.id)) : undefined;
}

export function sourceViews(ctx: ServerContext, eventId: number): SourceView[] {
  const counts = ctx.engine.repos.photos.countBySource(eventId);
  return ctx.engine.repos.sources.listSources(eventId).map((s) => toSourceView(s, counts.get(s.id) ?? 0));
}

export function registerOperatorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repos } = ctx.engine;

  app.get('/api/overview', async (request) => readOverview(ctx, eventOf(ctx, request.query).name));

  app.get('/api/photos', async (request): Promise<PhotoPage> => {
    const event = eventOf(ctx, request.query);
    const q = parseInput(photoPageQuery, request.query, 'photo query');
    const photos = repos.photos.listNewestPhotos(event.id, q);
    return {
      photos: photos.map((p) => toPhotoCard(p, repos.faces.facesOfPhoto(p.id))),
      nextBefore: photos.length === q.limit ? photos.at(-1)!.id : null,
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
    const photo = repos.photos.getPhoto(id);
    if (!photo) throw notFound(`Photo ${id}`);
    if (photo.status !== 'failed') throw new HttpError(409, 'conflict', `${photo.fileName} has not failed (it is ${photo.status}).`);
    const event = repos.events.listEvents().find((e) => e.id === photo.eventId)!;
    return ctx.engine.retryFailed(event.name, [id]);
  });

  app.get('/api/sources', async (request): Promise<SourceList> => {
    const event = eventOf(ctx, request.query);
    return { sources: sourceViews(ctx, event.id), cameras: toCameraCounts(repos.photos.countByCamera(event.id)) };
  });

  app.post('/api/sources', async (request, reply): Promise<SourceView> => {
    const event = eventOf(ctx, request.query);
    const { path } = parseInput(z.object({ path: z.string().trim().min(1).max(4096) }), request.body, 'folder');
    if (!isAbsolute(path)) throw new HttpError(400, 'bad-request', `Give the folder's full path (for example /Users/you/Pictures/EOS), not "${path}".`);
    const folder = resolve(path);
    const isFolder = await stat(folder).then((s) => s.isDirectory(), () => false);
    if (!isFolder) throw new HttpError(400, 'bad-request', `${folder} is not a folder on this laptop (or it cannot be read).`);
    const session = await ctx.engine.openEvent(event.name);
    if (session.hotFolders.list().some((s) => s.path === folder)) throw new HttpError(409, 'conflict', `${folder} is already watched.`);
    const source = await session.hotFolders.add(folder);
    reply.status(201);
    return toSourceView(source, repos.photos.countBySource(event.id).get(source.id) ?? 0);
  });

  app.delete('/api/sources/:id', async (request, reply) => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'folder id');
    const session = await ctx.engine.openEvent(event.name);
    if (!(await session.hotFolders.remove(id))) throw notFound(`Watched folder ${id}`);
    return reply.status(204).send();
  });

  app.get('/api/settings', async (request): Promise<EventSettings> => readEventSettings(repos.events.eventSettings(eventOf(ctx, request.query).id)));

  app.patch('/api/settings', async (request): Promise<EventSettings> => {
    const event = eventOf(ctx, request.query);
    const patch = parseInput(eventSettingsPatchSchema, request.body, 'settings');
    const next = applyEventSettingsPatch(readEventSettings(repos.events.eventSettings(event.id)), patch);
    repos.events.saveEventSettings(event.id, next);
    return next;
  });

  app.get('/api/deliveries', async (request): Promise<DeliveryList> => ({
    deliveries: repos.galleries.listDeliveries(eventOf(ctx, request.query).id).map(toDeliveryView),
  }));

  app.post('/api/kiosks/pairing-codes', async (request, reply): Promise<PairingCode> => {
    const event = eventOf(ctx, request.query);
    const code = newPairingCode();
    const at = Date.now();
    repos.kiosks.addPairingCode(event.id, hashSecret(code), at, at + PAIRING_CODE_LIFETIME_MS);
    const kioskUrl = ctx.kioskUrl();
    reply.status(201);
    return {
      code,
      expiresAt: new Date(at + PAIRING_CODE_LIFETIME_MS).toISOString(),
      kioskUrl,
      kioskQrSvg: await QRCode.toString(kioskUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
    };
  });

  app.get('/api/kiosks', async (request): Promise<KioskList> => {
    const event = eventOf(ctx, request.query);
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    return { kiosks: repos.kiosks.listDevices(event.id).map((k) => toKioskView(k, repos.kiosks.countSessionsSince(k.id, midnight.getTime()))) };
  });

  app.delete('/api/kiosks/:id', async (request, reply) => {
    const event = eventOf(ctx, request.query);
    const { id } = parseInput(idParam, request.params, 'kiosk id');
    if (!repos.kiosks.revokeDevice(event.id, id, Date.now())) throw notFound(`Kiosk ${id}`);
    return reply.status(204).send();
  });

  app.post('/api/search/selfie', async (request): Promise<SearchResponse> => {
    const event = eventOf(ctx, request.query);
    const image = request.body;
    if (!Buffer.isBuffer(image)) throw new HttpError(415, 'unsupported-media', 'Send the photo as the request body (image/jpeg, image/png or image/webp).');
    const found = await matchSelfie({ repos, faceIndexes: ctx.engine.faceIndexes, selfies: ctx.selfies, threshold: ctx.threshold, maybeThreshold: ctx.threshold }, event.id, image);
    return {
      tookMs: found.tookMs,
      matches: found.matches.flatMap((m) => {
        const photo = repos.photos.getPhoto(m.photoId);
        if (!photo) return [];
        return [{
          photoId: m.photoId,
          distance: Math.round(m.distance * 10_000) / 10_000,
          box: relativeBox(m.box, photo.width, photo.height),
          via: m.via ?? 'face',
          thumbUrl: `/api/media/photos/${photo.id}/thumb`,
          previewUrl: `/api/media/photos/${photo.id}/preview`,
          fileName: photo.fileName,
        }];
      }),
    };
  });

  app.get('/api/media/photos/:id/:kind', async (request, reply) => {
    const { id, kind } = parseInput(idParam.extend({ kind: z.enum(['thumb', 'preview']) }), request.params, 'media address');
    const photo = repos.photos.getPhoto(id);
    if (!photo) throw notFound(`Photo ${id}`);
    return sendMedia(reply, ctx.engine.layout.root, kind === 'thumb' ? photo.thumbnailPath : photo.previewPath);
  });

  app.get('/api/media/faces/:id/crop', async (request, reply) => {
    const { id } = parseInput(idParam, request.params, 'face id');
    const face = repos.faces.getFace(id);
    if (!face) throw notFound(`Face ${id}`);
    return sendMedia(reply, ctx.engine.layout.root, face.cropPath);
  });
}
