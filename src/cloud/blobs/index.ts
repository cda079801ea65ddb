// Blob storage of the cloud endpoint: one interface, a directory store (default) and an S3 store.
export type { BlobStore, FinishedPart, SignedPart } from './blob-store.js';
export { BlobStoreError, type BlobStoreErrorCode } from './blob-store-error.js';
export { blobKey, isValidBlobKey } from './blob-key.js';
export { DirectoryBlobStore, DEFAULT_PART_SIZE, type DirectoryBlobStoreOptions, type OpenDirectoryUpload } from './directory-blob-store.js';
export { registerDirectoryPartRoutes } from './directory-part-routes.js';
export { S3BlobStore, S3_MIN_PART_SIZE, makeS3Client, parseS3Url, type S3Location } from './s3-blob-store.js';
export { openBlobStore, type OpenBlobStoreOptions } from './open-blob-store.js';
