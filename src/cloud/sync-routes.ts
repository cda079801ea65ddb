// The laptop's routes under /sync/v1: enrolment, the event's policy, batches of operations,
// blobs and delivery states. Every route but enrolment needs a device token, checked before the
// body is read (an unauthenticated client cannot make the endpoint parse 2 MiB).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  batchRequest,
  completeUploadRequest,
  enrolRequest,
  MAX_OPS_PER_BATCH,
  missingBlobsRequest,
  partUrlsRequest,
  startUploadRequest,
  SYNC_API_PREFIX,
  BUNDLE_CONTENT_TYPE,
  type DeliveryStatesResponse,
} from '../api/index.js';
import type { BlobStore } from './blobs/index.js';
import { applyBatch } from './batches.js';
import { bundleLimits, MAX_BUNDLE_BYTES, storeBundle } from './blob-bundles.js';
import { completeBlobUpload, missingBlobs, signUploadParts, startBlobUpload } from './blob-uploads.js';
import { eventPolicy } from './cloud-events.js';
import { CloudRequestError } from './cloud-errors.js';
import { deliveryStatesOfDevice, markDeviceSeen, type CloudDatabase } from './database/index.js';
import { authenticateLaptop, enrolLaptop, type AuthenticatedLaptop } from './laptops.js';
import { parseRequest } from './request-parsing.js';
import type { WrongGuesses } from './wrong-guesses.js';

export interface SyncRouteDeps {
  db: CloudDatabase;
  blobs: BlobStore;
  publicBaseUrl: string;
  /** Called after a batch that brought deliveries (the email loop sends them at once). */
  onDeliveries?: () => void;
  /** Wrong join codes per address: enrolment is where a stranger would guess them. */
  wrongJoinCodes: WrongGuesses;
}

const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, '1 to 200 letters, digits or _ . : -');
const uploadParams = z.object({ uploadId: z.string().min(1).max(1024) });
export const BATCH_TOO_LARGE = `Batch too large: send at most ${MAX_OPS_PER_BATCH} operations / 2 MiB per batch.`;
export const BUNDLE_TOO_LARGE = `Bundle too large: send at most ${MAX_BUNDLE_BYTES} bytes of blobs per bundle.`;
/** The blobs, their manifest (at most 256 KiB) and its length. */
const BUNDLE_BODY_LIMIT = MAX_BUNDLE_BYTES + 256 * 1024 + 4;

export async function registerSyncRoutes(app: FastifyInstance, deps: SyncRouteDeps): Promise<void> {
  const { db, publicBaseUrl } = deps;

  app.post(`${SYNC_API_PREFIX}/enrol`, async (request, reply) => {
    await deps.wrongJoinCodes.refuseIfLockedOut(request, reply);
    try {
      return await enrolLaptop(db, parseRequest(enrolRequest, request.body, 'enrolment request'), publicBaseUrl);
    } catch (err) {
      if (err instanceof CloudRequestError && err.code === 'bad-join-code') await deps.wrongJoinCodes.count(request);
      throw err;
    }
  });

  await app.register(async (scope) => {
    const laptops = new WeakMap<FastifyRequest, AuthenticatedLaptop>();
    scope.addHook('onRequest', async (request) => {
      laptops.set(request, await authenticateLaptop(db, request.headers.authorization));
    });
    const laptopOf = (request: FastifyRequest): AuthenticatedLaptop => laptops.get(request)!;

    scope.get(`${SYNC_API_PREFIX}/event`, async (request) => {
      const laptop = laptopOf(request);
      await markDeviceSeen(db.pool, laptop.device.pk);
      return { ...eventPolicy(laptop.event, publicBaseUrl), blobBundles: bundleLimits(deps.blobs) };
    });

    scope.post(`${SYNC_API_PREFIX}/batches`, async (request) => {
      const laptop = laptopOf(request);
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string') {
        throw new CloudRequestError(
          400,
          'idempotency-key-required',
          'A batch needs an Idempotency-Key header (the same key when the same batch is sent again).',
        );
      }
      const ops = (request.body as { ops?: unknown } | null)?.ops;
      if (Array.isArray(ops) && ops.length > MAX_OPS_PER_BATCH) throw new CloudRequestError(400, 'too-many-operations', BATCH_TOO_LARGE);
      const batch = parseRequest(batchRequest, request.body, 'batch');
      const response = await applyBatch(db, laptop, parseRequest(idempotencyKey, key, 'Idempotency-Key header'), batch.ops);
      request.log.info(
        { cloudEventId: laptop.event.id, deviceId: laptop.device.deviceId, idempotencyKey: key, ...response },
        'batch applied',
      );
      if (response.applied > 0 && batch.ops.some((op) => op.kind === 'delivery.put')) deps.onDeliveries?.();
      return response;
    });

    scope.post(`${SYNC_API_PREFIX}/blobs/missing`, async (request) => {
      const { sha256s } = parseRequest(missingBlobsRequest, request.body, 'question');
      return { missing: await missingBlobs(deps, laptopOf(request), sha256s) };
    });

    // Bundles of small blobs (blob-bundles.ts): read whole (at most BUNDLE_BODY_LIMIT), after the
    // device token was checked in onRequest.
    scope.addContentTypeParser(BUNDLE_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: BUNDLE_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(`${SYNC_API_PREFIX}/blobs/bundles`, { bodyLimit: BUNDLE_BODY_LIMIT }, async (request) => {
      if (!Buffer.isBuffer(request.body)) {
        throw new CloudRequestError(415, 'unsupported-media-type', `Send a bundle as ${BUNDLE_CONTENT_TYPE}.`);
      }
      return storeBundle(deps, laptopOf(request), request.body);
    });

    scope.post(`${SYNC_API_PREFIX}/blobs/uploads`, async (request) =>
      startBlobUpload(deps, laptopOf(request), parseRequest(startUploadRequest, request.body, 'upload request')),
    );

    scope.post(`${SYNC_API_PREFIX}/blobs/uploads/:uploadId/part-urls`, async (request) => {
      const { uploadId } = parseRequest(uploadParams, request.params, 'address');
      const { partNumbers } = parseRequest(partUrlsRequest, request.body, 'part request');
      return signUploadParts(deps, laptopOf(request), uploadId, partNumbers);
    });

    scope.post(`${SYNC_API_PREFIX}/blobs/uploads/:uploadId/complete`, async (request) => {
      const { uploadId } = parseRequest(uploadParams, request.params, 'address');
      return completeBlobUpload(deps, laptopOf(request), uploadId, parseRequest(completeUploadRequest, request.body, 'completion'));
    });

    scope.get(`${SYNC_API_PREFIX}/deliveries`, async (request): Promise<DeliveryStatesResponse> => {
      const rows = await deliveryStatesOfDevice(db.pool, laptopOf(request).device.pk);
      return {
        deliveries: rows.map((d) => ({
          deliveryId: d.deliveryId,
          // A delivery being sent is still waiting, as far as the laptop can tell.
          state: d.state === 'sending' ? 'waiting' : d.state,
          sentAt: d.sentAt ? d.sentAt.toISOString() : null,
          error: d.error,
        })),
      };
    });
  });
}
