// The endpoint's own "presigned URL" route for the directory blob store: PUT /blob-parts/:uploadId/:part.
// Not behind device tokens: as with S3, the URL's signature (over key, upload, part and expiry) is
// the authorisation, and a laptop may be handed such URLs long before it PUTs to them.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { BlobStore } from './blob-store.js';
import { DirectoryBlobStore, MAX_PART_NUMBER, type ReceivedPart } from './directory-blob-store.js';
import { PART_ROUTE_PREFIX } from './part-signature.js';

const params = z.object({
  uploadId: z.string().min(1).max(200),
  part: z.coerce.number().int().min(1).max(MAX_PART_NUMBER),
});
const query = z.object({
  key: z.string().min(1).max(1024),
  exp: z.coerce.number().int().nonnegative(),
  sig: z.string().min(1).max(200),
});

const REFUSALS: Record<Exclude<ReceivedPart, { ok: true }>['why'], { status: number; code: string; message: string }> = {
  altered: {
    status: 403,
    code: 'part-url-refused',
    message: 'This upload address expired or was altered: ask the endpoint for a new one.',
  },
  expired: {
    status: 403,
    code: 'part-url-refused',
    message: 'This upload address expired or was altered: ask the endpoint for a new one.',
  },
  'no-such-upload': {
    status: 404,
    code: 'no-such-upload',
    message: 'This upload is no longer open (finished or aborted): start the upload again.',
  },
  'part-too-large': {
    status: 413,
    code: 'part-too-large',
    message: 'This part is larger than the part size the endpoint gave: split the file again.',
  },
};

/**
 * Serves part PUTs for a directory blob store; does nothing for another store (S3 receives its
 * parts itself). Registered in its own scope, so its stream parser for application/octet-stream
 * does not change how the rest of the app reads bodies.
 */
export async function registerDirectoryPartRoutes(app: FastifyInstance, store: BlobStore): Promise<void> {
  if (!(store instanceof DirectoryBlobStore)) return;
  await app.register(async (scope) => {
    // Hand the body over as a stream: a part (8 MiB by default) goes to disk as it arrives, never whole in memory.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.put(`${PART_ROUTE_PREFIX}/:uploadId/:part`, async (request, reply) => {
      const p = params.safeParse(request.params);
      const q = query.safeParse(request.query);
      if (!p.success || !q.success) return refuse(reply, REFUSALS.altered);
      const declared = Number(request.headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(declared) && declared > store.partSize) return refuse(reply, REFUSALS['part-too-large']);
      const received = await store.receivePart(
        { key: q.data.key, uploadId: p.data.uploadId, partNumber: p.data.part, expiresAt: q.data.exp, signature: q.data.sig },
        // An empty PUT has no body to parse: it is an empty part.
        request.body instanceof Readable ? request.body : Readable.from([]),
      );
      if (!received.ok) return refuse(reply, REFUSALS[received.why]);
      // Quoted, as S3 answers it: the uploader hands it back unchanged at completion.
      return reply.header('etag', `"${received.etag}"`).send({ etag: received.etag });
    });
  });
}

function refuse(reply: FastifyReply, refusal: { status: number; code: string; message: string }): FastifyReply {
  // The rest of the body is not wanted; close the connection rather than read megabytes for nothing.
  return reply.code(refusal.status).header('connection', 'close').send({ code: refusal.code, message: refusal.message });
}
