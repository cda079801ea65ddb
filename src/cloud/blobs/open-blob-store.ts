// `cloud serve --blobs <dir | s3://bucket/prefix>`: the one place that turns the option into a store.
import type { BlobStore } from './blob-store.js';
import { DirectoryBlobStore } from './directory-blob-store.js';
import { S3BlobStore, parseS3Url } from './s3-blob-store.js';

export interface OpenBlobStoreOptions {
  /** Where laptops reach the endpoint (the directory store's part URLs start with it). */
  publicBaseUrl: string;
  /** Signs the directory store's part URLs; every instance on one directory must share it. */
  signingSecret: string;
  partSize?: number;
}

export function openBlobStore(spec: string, opts: OpenBlobStoreOptions): BlobStore {
  const partSize = opts.partSize !== undefined ? { partSize: opts.partSize } : {};
  if (spec.startsWith('s3://')) return new S3BlobStore({ location: parseS3Url(spec), ...partSize });
  return new DirectoryBlobStore({ dir: spec, publicBaseUrl: opts.publicBaseUrl, signingSecret: opts.signingSecret, ...partSize });
}
