// Expected failures of a blob store, as one typed error with a stable code, so that the endpoint
// maps each to an HTTP status in one place and the operator reads what to do.

export type BlobStoreErrorCode =
  /** The upload was finished, aborted or never started: start a new one. */
  | 'no-such-upload'
  /** A part named in a completion was never received, or its ETag is not the one the PUT answered. */
  | 'bad-parts'
  /** A part larger than the store's part size. */
  | 'part-too-large'
  /** A key or upload id the store refuses (path escapes, odd characters). */
  | 'bad-name';

export class BlobStoreError extends Error {
  override readonly name = 'BlobStoreError';
  constructor(
    readonly code: BlobStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
