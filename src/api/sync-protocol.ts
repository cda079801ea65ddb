// The sync protocol between a laptop (src/sync) and the cloud endpoint (src/cloud): every body
// that crosses the network, as zod schemas (both sides parse what they receive) and the types
// inferred from them. Version 1, under /sync/v1.
//
// Shape of a sync, laptop side:
//   1. enrol once with a join code: a device token scoped to one cloud event (POST /sync/v1/enrol);
//   2. operations (metadata) in order, in batches, each with an Idempotency-Key header: the
//      endpoint applies a batch in one transaction against the device's cursor; a replay or an
//      overlap applies nothing twice, a gap is refused with the position it expects;
//   3. blobs (thumbnails, then previews, then originals when the event opts in) by content hash:
//      ask which are missing, then a resumable multipart upload whose finished parts the laptop
//      records, so a restart resumes mid-file; blobs smaller than one part go instead many to a
//      request, in bundles (POST /sync/v1/blobs/bundles), when the endpoint offers them.
// Photos are named by the SHA-256 of their original file, whoever sent them: two laptops that
// hold the same file send the same photo. Faces, persons, links and deliveries are named by the
// device that made them and their local id there.
import { z } from 'zod';

export const SYNC_API_PREFIX = '/sync/v1';

/** Requests larger than this are refused with 413 (a batch is metadata only; blobs go as parts). */
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Operations per batch: a batch is one transaction on the endpoint; this keeps it well under a second. */
export const MAX_OPS_PER_BATCH = 500;
/** Hashes per "which are missing" question. */
export const MAX_HASHES_PER_QUESTION = 1000;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
const localId = z.number().int().positive();
const isoTime = z.string().datetime({ offset: true });
/**
 * A hybrid logical clock stamp: `<wall ms, 15 digits>-<counter, 6 digits>-<device id>`. Stamps
 * compare as strings; the later stamp wins a field (last writer wins, per field).
 */
export const hlcStamp = z.string().regex(/^\d{15}-\d{6}-[A-Za-z0-9_-]{8,64}$/, 'a hybrid logical clock stamp');
/** A device id: made once per data dir (random, url-safe). */
export const deviceId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a device id');
/** Face boxes as the local API has them: [x, y, width, height] in preview pixels of the original. */
const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const blobRef = z.object({ sha256, size: z.number().int().nonnegative() });
/** A face descriptor, base64 of little-endian float32s; sent only when the event opts into cloud face search. */
const descriptor = z.string().max(4096);

// ---- enrolment ------------------------------------------------------------------------------

export const enrolRequest = z.object({
  joinCode: z.string().min(6).max(64),
  deviceId,
  deviceName: z.string().min(1).max(120),
});
export type EnrolRequest = z.infer<typeof enrolRequest>;

/** What a cloud event lets its laptops send; read again at each sync (the organiser may change it). */
export const cloudEventPolicy = z.object({
  cloudEventId: z.string().min(1).max(64),
  eventName: z.string(),
  /** Originals (the camera files) are uploaded only when the event opts in. */
  uploadOriginals: z.boolean(),
  /** Face descriptors are uploaded only when the event opts into cloud face search. */
  cloudFaceSearch: z.boolean(),
  /** Where attendees reach the cloud: take-home links become `${publicBaseUrl}/g/<token>`. */
  publicBaseUrl: z.string().url(),
  /**
   * Small blobs many to a request (blob-bundle.ts). Absent from an endpoint older than bundles: the
   * laptop then sends every blob as its own multipart upload.
   */
  blobBundles: z
    .object({
      /** Blobs of at most this many bytes may go in a bundle. */
      maxBlobBytes: z.number().int().positive(),
      /** A bundle's blob bytes, all together. */
      maxBundleBytes: z.number().int().positive(),
      maxBlobs: z.number().int().positive(),
    })
    .optional(),
});
export type CloudEventPolicy = z.infer<typeof cloudEventPolicy>;

export const enrolResponse = cloudEventPolicy.extend({
  /** Shown once; the endpoint keeps only its hash. Stored 0600 in the laptop's data dir. */
  deviceToken: z.string().min(32).max(128),
  /** The next operation sequence number the endpoint expects from this device (1 for a new one). */
  nextSeq: z.number().int().positive(),
});
export type EnrolResponse = z.infer<typeof enrolResponse>;

// ---- operations -----------------------------------------------------------------------------

const opBase = { seq: z.number().int().positive(), hlc: hlcStamp };

export const syncOperation = z.discriminatedUnion('kind', [
  /** A photo this device holds (sent again when any field changes). */
  z.object({
    ...opBase,
    kind: z.literal('photo.put'),
    sha256,
    fileName: z.string().max(512),
    capturedAt: isoTime.nullable(),
    width: z.number().int().positive().nullable(),
    height: z.number().int().positive().nullable(),
    thumb: blobRef.nullable(),
    preview: blobRef.nullable(),
    original: blobRef.nullable(),
  }),
  /** This device no longer holds the photo (merged into its RAW pair, removed): a tombstone for this device's source. */
  z.object({ ...opBase, kind: z.literal('photo.remove'), sha256 }),
  z.object({
    ...opBase,
    kind: z.literal('person.put'),
    personId: localId,
    /** The organiser's name for the person on this laptop; null when unnamed. Last writer wins by `hlc`. */
    name: z.string().max(200).nullable(),
    /** The person asked not to be published (blurred everywhere, never in a gallery). */
    doNotPublish: z.boolean(),
  }),
  z.object({ ...opBase, kind: z.literal('person.remove'), personId: localId }),
  z.object({
    ...opBase,
    kind: z.literal('face.put'),
    faceId: localId,
    photoSha256: sha256,
    box,
    personId: localId.nullable(),
    descriptor: descriptor.nullable(),
  }),
  z.object({ ...opBase, kind: z.literal('face.remove'), faceId: localId }),
  /** A take-home link minted at the kiosk: the endpoint keeps the same hash, so the same token works there. */
  z.object({
    ...opBase,
    kind: z.literal('gallery.put'),
    tokenHash: sha256,
    photoSha256s: z.array(sha256).max(5000),
    createdAt: isoTime,
    expiresAt: isoTime,
    /**
     * The event's watermark when it is on: the cloud draws it on the previews, downloads and ZIP
     * of this link as the laptop's gallery does. Absent from laptops that predate it: none.
     */
    watermark: z.string().trim().min(1).max(80).nullable().default(null),
  }),
  /** An attendee who asked for an email: the endpoint sends it once, then deletes the address. */
  z.object({
    ...opBase,
    kind: z.literal('delivery.put'),
    deliveryId: localId,
    channel: z.enum(['email', 'sms']),
    address: z.string().min(3).max(320),
    galleryTokenHash: sha256.nullable(),
    photoSha256s: z.array(sha256).max(5000),
    createdAt: isoTime,
  }),
]);
export type SyncOperation = z.infer<typeof syncOperation>;
export type SyncOperationKind = SyncOperation['kind'];

export const batchRequest = z
  .object({ ops: z.array(syncOperation).min(1).max(MAX_OPS_PER_BATCH) })
  .refine((b) => b.ops.every((op, i) => i === 0 || op.seq === b.ops[i - 1]!.seq + 1), 'operations must have consecutive sequence numbers');
export type BatchRequest = z.infer<typeof batchRequest>;

export const batchResponse = z.object({
  applied: z.number().int().nonnegative(),
  /** Operations the endpoint already had (a replay or an overlap): acknowledged, not applied again. */
  skipped: z.number().int().nonnegative(),
  nextSeq: z.number().int().positive(),
});
export type BatchResponse = z.infer<typeof batchResponse>;

/** 409 body when a batch starts after the position the endpoint expects (operations were lost in between). */
export const gapResponse = z.object({ code: z.literal('gap'), message: z.string(), expectedSeq: z.number().int().positive() });

// ---- blobs ----------------------------------------------------------------------------------

export const missingBlobsRequest = z.object({ sha256s: z.array(sha256).min(1).max(MAX_HASHES_PER_QUESTION) });
export const missingBlobsResponse = z.object({ missing: z.array(sha256) });

export const blobKind = z.enum(['thumb', 'preview', 'original']);
export type BlobKind = z.infer<typeof blobKind>;

export const startUploadRequest = z.object({
  sha256,
  size: z.number().int().positive(),
  kind: blobKind,
  contentType: z.string().max(100),
});
/** A part's address: PUT the part's bytes there with exactly these headers; the response's ETag proves it landed. */
export const partUrl = z.object({
  partNumber: z.number().int().positive(),
  url: z.string().url(),
  headers: z.record(z.string(), z.string()),
});
export type PartUrl = z.infer<typeof partUrl>;
export const startUploadResponse = z.object({
  uploadId: z.string().min(1).max(1024),
  partSize: z.number().int().positive(),
  partCount: z.number().int().positive(),
  /** Addresses for the first parts (all of them for a small blob). */
  parts: z.array(partUrl),
  expiresAt: isoTime,
});
export type StartUploadResponse = z.infer<typeof startUploadResponse>;
export const partUrlsRequest = z.object({ partNumbers: z.array(z.number().int().positive()).min(1).max(1000) });
export const partUrlsResponse = z.object({ parts: z.array(partUrl), expiresAt: isoTime });
export const completeUploadRequest = z.object({
  parts: z.array(z.object({ partNumber: z.number().int().positive(), etag: z.string().min(1).max(200) })).min(1),
});
export const completeUploadResponse = z.object({ sha256, size: z.number().int().positive() });

/** One blob of a bundle, as its manifest lists it (the bytes follow in the manifest's order). */
export const bundledBlob = z.object({
  sha256,
  size: z.number().int().positive(),
  kind: blobKind,
  contentType: z.string().max(100),
});
export type BundledBlob = z.infer<typeof bundledBlob>;
export const bundleManifest = z.object({ blobs: z.array(bundledBlob).min(1).max(1000) });
/**
 * Each blob of a bundle is stored or refused on its own: a refused one (its bytes did not match
 * its hash, an original the event does not accept) does not hold back the others.
 */
export const bundleResponse = z.object({
  stored: z.array(sha256),
  refused: z.array(z.object({ sha256, code: z.string(), message: z.string() })),
});
export type BundleResponse = z.infer<typeof bundleResponse>;

// ---- delivery states back to the laptop -------------------------------------------------------

export const deliveryStatesResponse = z.object({
  deliveries: z.array(
    z.object({
      deliveryId: localId,
      state: z.enum(['waiting', 'sent', 'failed']),
      sentAt: isoTime.nullable(),
      error: z.string().nullable(),
    }),
  ),
});
export type DeliveryStatesResponse = z.infer<typeof deliveryStatesResponse>;

/** Every error body of the endpoint: a stable code and a sentence for the operator. */
export const cloudErrorBody = z.object({ code: z.string(), message: z.string() }).passthrough();
