// Attendees' take-home links, answered by the cloud after the event with the same token as at the
// kiosk: the page, its GalleryView, each photo streamed from the blob store, and the whole gallery
// as a ZIP. Unknown links are 404, expired ones 410, and a link serves only its own photos.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pipeline } from 'node:stream';
import { z } from 'zod';
import type { ApiError, ErrorCode, GalleryView } from '../../api/index.js';
import { builtRendererDir } from '../../config/index.js';
import { safeFileName, watermarkJpeg, zipGallery, type ZipEntry } from '../../export/index.js';
import { blobKey, type BlobStore } from '../blobs/index.js';
import { openGallery, type CloudDatabase, type GalleryPhoto, type OpenedGallery } from '../database/index.js';
import { cloudGalleryView, mediaBlobOf, type PhotoMediaKind } from './cloud-gallery-view.js';
import { registerGalleryPage } from './gallery-page.js';
import { peekImageType } from './image-type.js';
import { ZipPacer } from './zip-pacer.js';
import { allowGuessCounting, countWrongGuesses, GUESS_LIMITS, type GuessLimit } from '../wrong-guesses.js';

/** What the gallery needs; the endpoint's own deps (db, blobs, onError) fit as they are. */
export interface CloudGalleryDeps {
  db: CloudDatabase;
  blobs: BlobStore;
  /** The built renderer (dist/renderer); by default the one shipped with this package. Null: the page answers 503. */
  rendererDir?: string | null | undefined;
  /** Told about a failure the attendee cannot be told about (a ZIP cut off mid-way). */
  onError?: ((err: Error, what: string) => void) | undefined;
  now?: (() => Date) | undefined;
  /** Unknown links an address may open before it is locked out (GUESS_LIMITS.galleryLink by default). */
  galleryLinkLimit?: GuessLimit | undefined;
}

const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
const photoParam = tokenParam.extend({
  photoId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  kind: z.enum(['thumb', 'preview', 'download']),
});

/**
 * A link minted at the kiosk while the venue was offline reaches the cloud only with the
 * laptop's next sync: from here an unknown link and a not-yet-synced one look the same, so the
 * sentence covers both.
 */
const NOT_FOUND =
  'This gallery link is not here (yet). If you got it at the event just now, your photos arrive when the photographer’s laptop is next online: try again later. Otherwise check the address, or ask at the photo kiosk.';
const EXPIRED = 'This gallery link has expired. Ask the event organiser if you still need the photos.';

class GalleryRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export async function registerCloudGalleryRoutes(app: FastifyInstance, deps: CloudGalleryDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const report = deps.onError ?? (() => undefined);

  await allowGuessCounting(app);
  // Only unknown links count: a viewer scrolling a real gallery (page, view, every thumbnail) never does.
  const unknownLinks = countWrongGuesses(
    app,
    deps.galleryLinkLimit ?? GUESS_LIMITS.galleryLink,
    (wait) =>
      new GalleryRefusal(
        429,
        'rate-limited',
        `Too many gallery links from this network that are not here: wait ${wait}, then open the link you were given again.`,
      ),
  );

  async function openLink(request: FastifyRequest, reply: FastifyReply): Promise<OpenedGallery & { token: string }> {
    await unknownLinks.refuseIfLockedOut(request, reply);
    // A malformed token is as unknown as a wrong one (no hint which).
    const parsed = tokenParam.safeParse(request.params);
    const opened = parsed.success ? await openGallery(deps.db, parsed.data.token, now()) : 'not-found';
    if (opened === 'not-found' || !parsed.success) {
      await unknownLinks.count(request);
      throw new GalleryRefusal(404, 'not-found', NOT_FOUND);
    }
    if (opened === 'expired') throw new GalleryRefusal(410, 'expired', EXPIRED);
    return { ...opened, token: parsed.data.token };
  }

  await registerGalleryPage(app, deps.rendererDir === undefined ? builtRendererDir() : deps.rendererDir);

  await app.register(async (scope) => {
    scope.setErrorHandler((err, _request, reply) => {
      if (err instanceof GalleryRefusal) return refuse(reply, err.status, err.code, err.message);
      report(err instanceof Error ? err : new Error(String(err)), `gallery request ${_request.url}`);
      return refuse(reply, 500, 'internal', 'The gallery could not be read just now. Try again in a moment.');
    });
    scope.addHook('onSend', async (_request, reply) => {
      // Gallery tokens live in URLs: never hand them to another site as a referrer.
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
      reply.header('cache-control', 'no-store');
    });

    scope.get('/gallery-api/:token', async (request, reply): Promise<GalleryView> => {
      const gallery = await openLink(request, reply);
      return cloudGalleryView(gallery, gallery.token);
    });

    scope.get('/gallery-api/:token/photos/:photoId/:kind', async (request, reply) => {
      const parsed = photoParam.safeParse(request.params);
      if (!parsed.success) throw new GalleryRefusal(404, 'not-found', 'Photo not found.');
      const { photos, event, watermark } = await openLink(request, reply);
      const photo = photos.find((p) => p.id === parsed.data.photoId);
      const sha256 = photo ? mediaBlobOf(photo, parsed.data.kind) : null;
      if (!photo || !sha256) throw new GalleryRefusal(404, 'not-found', 'Photo not found.');
      const key = blobKey(event.id, sha256);
      // The preview (and a thumbnail standing in for one) is marked as at the venue; a real
      // thumbnail is not (the laptop's gallery leaves its small thumbnails unmarked too).
      if (watermark && sha256 === photo.previewSha256) return sendWatermarked(reply, deps.blobs, key, photo, parsed.data.kind, watermark);
      return sendBlob(reply, deps.blobs, key, photo, parsed.data.kind);
    });

    scope.get('/gallery-api/:token/zip', async (request, reply) => {
      const { photos, event, watermark } = await openLink(request, reply);
      const pacer = new ZipPacer();
      const entries: ZipEntry[] = photos.flatMap((p) => {
        const sha256 = mediaBlobOf(p, 'download');
        if (!sha256) return [];
        const key = blobKey(event.id, sha256);
        const bytes = () =>
          pacer.admit(async () => {
            const whole = await readWhole(deps.blobs, key);
            return watermark ? watermarkJpeg(whole, watermark) : whole;
          });
        // Previews are JPEG (src/photo renders them so); the type is not read here so the ZIP can start at once.
        return [{ name: downloadName(p, '.jpg'), source: { bytes }, mtime: p.capturedAt ?? new Date() }];
      });
      const zipName = `${event.name.replace(/[^\p{L}\p{N} _-]+/gu, '').trim() || 'photos'} photos.zip`;
      const zip = zipGallery(entries, (err) => report(err, `gallery ZIP of ${event.id}`));
      // A photo that cannot be read cuts the download off (pipeline destroys the response), rather than leaving it hanging.
      pipeline(zip, pacer.meter, () => undefined);
      return reply.header('content-type', 'application/zip').header('content-disposition', contentDisposition(zipName)).send(pacer.meter);
    });
  });
}

async function sendBlob(
  reply: FastifyReply,
  blobs: BlobStore,
  key: string,
  photo: GalleryPhoto,
  kind: PhotoMediaKind,
): Promise<FastifyReply> {
  const [size, stream] = await Promise.all([blobs.stat(key), blobs.read(key)]);
  if (!size || !stream) throw new GalleryRefusal(404, 'not-found', 'This photo is not stored in the cloud yet. Try again later.');
  const { type, stream: bytes } = await peekImageType(stream);
  reply.header('content-type', type.contentType).header('content-length', size.size);
  if (kind === 'download') reply.header('content-disposition', contentDisposition(downloadName(photo, type.extension)));
  return reply.send(bytes);
}

/** A preview with the event's watermark drawn on (a JPEG, as the laptop's gallery sends it). */
async function sendWatermarked(
  reply: FastifyReply,
  blobs: BlobStore,
  key: string,
  photo: GalleryPhoto,
  kind: PhotoMediaKind,
  watermark: string,
): Promise<FastifyReply> {
  if (!(await blobs.stat(key))) throw new GalleryRefusal(404, 'not-found', 'This photo is not stored in the cloud yet. Try again later.');
  const bytes = await watermarkJpeg(await readWhole(blobs, key), watermark);
  reply.header('content-type', 'image/jpeg').header('content-length', bytes.length);
  if (kind === 'download') reply.header('content-disposition', contentDisposition(downloadName(photo, '.jpg')));
  return reply.send(bytes);
}

async function readWhole(blobs: BlobStore, key: string): Promise<Buffer> {
  const stream = await blobs.read(key);
  if (!stream) throw new Error(`Blob ${key} is missing from ${blobs.description} although the database lists it as stored.`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function downloadName(photo: GalleryPhoto, extension: string): string {
  return safeFileName(`${photo.fileName.replace(/\.[^.]+$/, '')}${extension}`);
}

/** An attachment header that survives quotes and non-ASCII file names. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function refuse(reply: FastifyReply, status: number, code: ErrorCode | 'internal', message: string): FastifyReply {
  const body: ApiError | { error: { code: string; message: string } } = { error: { code, message } };
  return reply.status(status).send(body);
}
