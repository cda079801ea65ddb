// Attendee galleries: the link's token is the only key. Unknown tokens are 404, expired ones
// 410, and a gallery serves only the photos it was made with (plus new ones for opted-in attendees).
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { safeFileName, watermarkJpeg, zipGallery } from '../export/index.js';
import type { OpenGallery, Photo } from '../core/index.js';
import type { GalleryView } from '../api/index.js';
import { HttpError, notFound, parseInput } from './http-errors.js';
import { contentDisposition, mediaPath, sendMedia } from './media-files.js';
import type { ServerContext } from './server-context.js';

const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a gallery link') });
const photoParam = tokenParam.extend({ photoId: z.coerce.number().int().positive(), kind: z.enum(['thumb', 'preview', 'download']) });

export function registerGalleryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { publishing } = ctx.engine;
  /** A malformed token is as unknown as a wrong one (no hint which). */
  function openLink(params: unknown): OpenGallery & { token: string } {
    const parsed = tokenParam.safeParse(params);
    if (!parsed.success)
      throw new HttpError(404, 'not-found', 'This gallery link does not exist. Check the address, or ask at the photo kiosk.');
    return { token: parsed.data.token, ...ctx.engine.kiosk.galleries.open(parsed.data.token) };
  }
  const downloadName = (p: Photo): string => safeFileName(`${p.fileName.replace(/\.[^.]+$/, '')}.jpg`);

  app.get('/gallery-api/:token', async (request, reply): Promise<GalleryView> => {
    const { token, link, photos, event } = openLink(request.params);
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
    const { photos, watermark } = openLink(request.params);
    const photo = photos.find((p) => p.id === photoId);
    if (!photo) throw notFound('Photo');
    // Faces of people who asked not to be published come blurred (engine.publishing).
    if (kind === 'thumb')
      return sendMedia(reply, ctx.engine.layout.root, await publishing.attendeeMedia(photo, 'thumb'), { cache: 'no-store' });
    const name = kind === 'download' ? downloadName(photo) : undefined;
    const preview = await publishing.attendeeMedia(photo, 'preview');
    if (!watermark) return sendMedia(reply, ctx.engine.layout.root, preview, { cache: 'no-store', downloadName: name });
    if (!preview) throw notFound('Preview');
    const bytes = await watermarkJpeg(mediaPath(ctx.engine.layout.root, preview), watermark);
    reply.header('content-type', 'image/jpeg').header('cache-control', 'no-store');
    if (name) reply.header('content-disposition', contentDisposition(name));
    return reply.send(bytes);
  });

  app.get('/gallery-api/:token/zip', async (request, reply) => {
    const { photos, event, watermark } = openLink(request.params);
    // Photos with a face not to be published get their blurred preview, made as the ZIP is
    // written (so the first bytes still leave at once); the others stream from the shared file.
    const hidden = publishing.hiddenFaces(
      event.id,
      photos.map((p) => p.id),
    );
    const entries = photos.flatMap((p) => {
      if (!p.previewPath) return [];
      const shared = mediaPath(ctx.engine.layout.root, p.previewPath);
      const blurred = async (): Promise<string> =>
        mediaPath(ctx.engine.layout.root, (await publishing.attendeeMedia(p, 'preview')) ?? p.previewPath!);
      const source = !hidden.has(p.id)
        ? watermark
          ? { bytes: () => watermarkJpeg(shared, watermark) }
          : { path: shared }
        : { bytes: async () => (watermark ? watermarkJpeg(await blurred(), watermark) : readFile(await blurred())) };
      return [{ name: downloadName(p), source, mtime: new Date(p.capturedAt ?? p.landedAt) }];
    });
    const zipName = `${event.name.replace(/[^\p{L}\p{N} _-]+/gu, '').trim() || 'photos'} photos.zip`;
    reply
      .header('content-type', 'application/zip')
      .header('cache-control', 'no-store')
      .header('content-disposition', contentDisposition(zipName));
    return reply.send(zipGallery(entries, (err) => ctx.engine.log.error({ err }, `Gallery ZIP failed: ${err.message}`)));
  });
}
