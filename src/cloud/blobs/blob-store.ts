// Where the cloud endpoint keeps photos' bytes (thumbnails, previews, originals), behind one
// interface with two real implementations: a directory (the default; its part addresses are
// signed URLs the endpoint itself serves) and S3-compatible storage (presigned multipart URLs).
// Keys are chosen by the endpoint (`events/<cloud event id>/<sha256>`); a blob is written once
// and never changed (content-addressed), so a finished upload is final.

/** One part's address for the uploader: PUT the bytes there with exactly these headers. */
export interface SignedPart {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
}

export interface FinishedPart {
  partNumber: number;
  etag: string;
}

export interface BlobStore {
  /** For logs and the status page: "directory /srv/blobs" or "s3://bucket/prefix". */
  readonly description: string;
  /** Part size the uploader must use (the last part may be smaller). S3 needs at least 5 MiB except the last. */
  readonly partSize: number;
  /** Opens a multipart upload for `key`; returns an id that survives an endpoint restart. */
  startUpload(key: string, contentType: string): Promise<string>;
  /** Addresses for parts of an open upload, valid until `expiresAt` (ms since epoch). */
  signParts(key: string, uploadId: string, partNumbers: readonly number[], expiresAt: number): Promise<SignedPart[]>;
  /** Joins the parts into the blob. Parts must be given in order with the ETags their PUTs answered. */
  completeUpload(key: string, uploadId: string, parts: readonly FinishedPart[]): Promise<void>;
  abortUpload(key: string, uploadId: string): Promise<void>;
  /**
   * Stores a small blob whole, from the endpoint itself (a blob of a bundle: its bytes came in the
   * laptop's request). Never visible half-written; storing the same key again replaces it.
   */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Size in bytes, or null when there is no such blob. */
  stat(key: string): Promise<{ size: number } | null>;
  /** The blob's bytes as a stream (null when missing); `range` for HTTP range requests. */
  read(key: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream | null>;
  /** SHA-256 (hex) of the stored bytes, to check an upload against the hash it claimed. */
  sha256(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
}
