// Attendee galleries: the link's token is the only key. Unknown tokens are 404, expired ones
// 410, and a gallery serves only the photos it was made with (plus new ones for opted-in attendees).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readEventSettings } from '../config/index.js';
import { safeFileName, watermarkJpeg, zipGallery } from '../export/index.js';
import type { GalleryLink, Photo } from '../store/index.js';
import type { GalleryView } from '../api/index.js';
import { HttpError, notFound, parseInput } from './http-errors.js';
import { contentDisposition, mediaPath, sendMedia } from './media-files.js';
import { hashSecret } from '../config/index.js';
import type { ServerContext } from './server-context.js';

const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a gallery link') });
const photoParam = tokenParam.extend({ photoId: z.coerce.number().int().positive(), kind: z.enum(['thumb', 'preview', 'download']) });

export function registerGalleryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repos } = ctx.engine;

  function openLink(params: unknown): { token: string; link: GalleryLink; photos: Photo[] } {
    const parsed = tokenParam.safeParse(params);
    const link = parsed.success ? repos.galleries.linkByTokenHash(hashSecret(parsed.data.token)) : undefined;
    if (!parsed.success || !link) throw new HttpError(404, 'not-found', 'This gallery link does not exist. Check the address, or ask at the photo kiosk.');
    if (link.expiresAt <= Date.now()) throw new HttpError(410, 'expired', 'This gallery link has expired. Ask the event organiser for your photos.');
    const photos = link.photoIds.flatMap((id) => {
      const p = repos.photos.getPhoto(id);
      return p && p.status === 'ready' && p.eventId === link.eventId ? [p] : [];
    });
    return { token: parsed.data.token, link, photos };
  }

  const watermarkOf = (eventId: number): string | null => {
    const w = readEventSettings(repos.events.eventSettings(eventId)).watermark;
    return w.enabled && w.text ? w.text : null;
  };
  const downloadName = (p: Photo): string => safeFileName(`${p.fileName.replace(/\.[^.]+$/, '')}.jpg`);

  app.get('/gallery-api/:token', async (request, reply): Promise<GalleryView> => {
    const { token, link, photos } = openLink(request.params);
    const event = repos.events.listEvents().find((e) => e.id === link.eventId)!;
    reply.header('cache-control', 'no-store');
    const base = `/gallery-api/${token}`;
    return {
      event: event.name,
      expiresAt: new Date(link.expiresAt).toISOString(),
      zipUrl: `${base}/zip`,
      photos: photos.map((p) => ({
        photoId: p.id,
        thumbUrl: `${base}/photos/${p.id}/thumb`,
        previewUrl: `${base}/photos/${p.id}/preview`,
        downloadUrl: `${base}/photos/${p.id}/download`,
        width: p.width,
        height: p.height,
      })),
    };
  });

  app.get('/gallery-api/:token/photos/:photoId/:kind', async (request, reply) => {
    const { photoId, kind } = parseInput(photoParam, request.params, 'photo address');
    const { link, photos } = openLink(request.params);
    const photo = photos.find((p) => p.id === photoId);
    if (!photo) throw notFound('Photo');
    if (kind === 'thumb') return sendMedia(reply, ctx.engine.layout.root, photo.thumbnailPath, { cache: 'no-store' });
    const watermark = watermarkOf(link.eventId);
    const name = kind === 'download' ? downloadName(photo) : undefined;
    if (!watermark) return sendMedia(reply, ctx.engine.layout.root, photo.previewPath, { cache: 'no-store', downloadName: name });
    if (!photo.previewPath) throw notFound('Preview');
    const bytes = await watermarkJpeg(mediaPath(ctx.engine.layout.root, photo.previewPath), watermark);
    reply.header('content-type', 'image/jpeg').header('cache-control', 'no-store');
    if (name) reply.header('content-disposition', contentDisposition(name));
    return reply.send(bytes);
  });

  app.get('/gallery-api/:token/zip', async (request, reply) => {
    const { link, photos } = openLink(request.params);
    const event = repos.events.listEvents().find((e) => e.id === link.eventId)!;
    const watermark = watermarkOf(link.eventId);
    const entries = photos.flatMap((p) => {
      if (!p.previewPath) return [];
      const path = mediaPath(ctx.engine.layout.root, p.previewPath);
      return [{ name: downloadName(p), source: watermark ? { bytes: () => watermarkJpeg(path, watermark) } : { path }, mtime: new Date(p.capturedAt ?? p.landedAt) }];
    });
    const zipName = `${event.name.replace(/[^\p{L}\p{N} _-]+/gu, '').trim() || 'photos'} photos.zip`;
    reply
      .header('content-type', 'application/zip')
      .header('cache-control', 'no-store')
      .header('content-disposition', contentDisposition(zipName));
    return reply.send(zipGallery(entries, (err) => ctx.engine.log.error({ err }, `Gallery ZIP failed: ${err.message}`)));
  });
}
