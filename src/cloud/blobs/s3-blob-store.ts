// Blob storage in S3 or an S3-compatible service (R2, MinIO, Ceph…): multipart uploads whose part
// addresses are presigned UploadPart URLs, so the laptop sends photo bytes straight to the bucket.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore, FinishedPart, SignedPart } from './blob-store.js';
import { BlobStoreError } from './blob-store-error.js';
import { bareEtag, isValidBlobKey } from './blob-key.js';
import { DEFAULT_PART_SIZE, MAX_PART_NUMBER } from './directory-blob-store.js';

/** S3 refuses parts under 5 MiB (except the last one) at completion. */
export const S3_MIN_PART_SIZE = 5 * 1024 * 1024;
/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface S3Location {
  bucket: string;
  /** Without leading or trailing slash; '' for the bucket's root. */
  prefix: string;
}

/** `s3://bucket/some/prefix` → bucket and prefix. */
export function parseS3Url(spec: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(spec);
  if (!match) {
    throw new Error(
      `${JSON.stringify(spec)} is not an S3 location: write s3://bucket or s3://bucket/prefix (bucket names are lowercase letters, digits, dots and dashes).`,
    );
  }
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export interface S3BlobStoreOptions {
  location: S3Location;
  partSize?: number;
  /** Extra client settings (tests); credentials, region and endpoint otherwise come from the environment as the SDK reads them. */
  client?: S3ClientConfig;
}

/**
 * The S3 client as the endpoint needs it. Two settings matter beyond the SDK's defaults:
 * - checksums only WHEN_REQUIRED: since 2025 the SDK adds CRC32 flexible checksums
 *   (x-amz-checksum-crc32, x-amz-sdk-checksum-algorithm) to uploads, and on a presigned URL they
 *   bind the URL to a checksum of bytes the presigner never saw: S3, R2 and MinIO then refuse the PUT;
 * - path-style addressing when an endpoint is given (MinIO and most S3-compatible services have no
 *   per-bucket DNS names).
 */
export function makeS3Client(overrides: S3ClientConfig = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL'];
  const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  return new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // S3-compatible services ignore the region but SigV4 needs one; AWS itself is told by AWS_REGION.
    ...(region ? { region } : endpoint ? { region: 'us-east-1' } : {}),
    ...overrides,
  });
}

export class S3BlobStore implements BlobStore {
  readonly description: string;
  readonly partSize: number;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.location.bucket;
    this.prefix = options.location.prefix;
    this.description = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < S3_MIN_PART_SIZE) {
      throw new Error(`S3 needs parts of at least 5 MiB (${S3_MIN_PART_SIZE} bytes); ${this.partSize} was asked for.`);
    }
    this.client = makeS3Client(options.client);
  }

  async startUpload(key: string, contentType: string): Promise<string> {
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(key), ContentType: contentType }),
    );
    if (!created.UploadId) throw new Error(`${this.description} opened no upload for ${key} (no UploadId in its answer).`);
    return created.UploadId;
  }

  async signParts(key: string, uploadId: string, partNumbers: readonly number[], expiresAt: number): Promise<SignedPart[]> {
    const expiresIn = Math.min(MAX_PRESIGN_SECONDS, Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000)));
    const objectKey = this.objectKey(key);
    return Promise.all(
      partNumbers.map(async (partNumber) => {
        checkPartNumber(partNumber);
        const command = new UploadPartCommand({ Bucket: this.bucket, Key: objectKey, UploadId: uploadId, PartNumber: partNumber });
        // Only the host is signed: the uploader may send any Content-Length and Content-Type.
        const url = await getSignedUrl(this.client, command, { expiresIn });
        return { partNumber, url, headers: {} };
      }),
    );
  }

  async completeUpload(key: string, uploadId: string, parts: readonly FinishedPart[]): Promise<void> {
    if (parts.length === 0) throw new BlobStoreError('bad-parts', 'A completion needs at least one part.');
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${bareEtag(p.etag)}"` })) },
        }),
      );
    } catch (err) {
      const name = errorName(err);
      if (name === 'NoSuchUpload') {
        // A completion retried after it succeeded (its answer was lost): the object is there.
        if ((await this.stat(key)) !== null) return;
        throw new BlobStoreError(
          'no-such-upload',
          `Upload ${uploadId} for ${key} is not open in ${this.description} (finished, aborted or never started): start a new upload.`,
        );
      }
      if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
        throw new BlobStoreError(
          'bad-parts',
          `${this.description} refused the parts of upload ${uploadId} (${name}): upload the missing or changed parts again.`,
        );
      }
      throw err;
    }
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(key), UploadId: uploadId }));
    } catch (err) {
      if (errorName(err) !== 'NoSuchUpload') throw err;
    }
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    // A blob of a bundle: the endpoint already checked its SHA-256, so it goes in one PutObject with
    // the endpoint's own credentials (a bundle's bytes came to the endpoint, not to the bucket).
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.length,
      }),
    );
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream | null> {
    try {
      const got = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!(got.Body instanceof Readable)) throw new Error(`${this.description} answered ${key} without a readable body.`);
      return got.Body;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async sha256(key: string): Promise<string | null> {
    const stream = await this.read(key);
    if (stream === null) return null;
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  private objectKey(key: string): string {
    if (!isValidBlobKey(key)) throw new BlobStoreError('bad-name', `Blob key ${JSON.stringify(key)} is not a plain relative path.`);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }
}

function checkPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new BlobStoreError('bad-parts', `Part number ${partNumber} is outside 1–${MAX_PART_NUMBER}.`);
  }
}

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string' ? err.name : '';
}

function isNotFound(err: unknown): boolean {
  const name = errorName(err);
  const status =
    typeof err === 'object' && err !== null && '$metadata' in err
      ? (err.$metadata as { httpStatusCode?: number }).httpStatusCode
      : undefined;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
}
