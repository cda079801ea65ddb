// What a camera writes: which files are photos, whether one is complete, its metadata and a RAW's
// embedded preview. Pure file knowledge, used by ingest (main thread) and photo (workers) alike.
export * from './formats.js';
export { readPhotoMetadata, toPhotoMetadata, mergeMetadata, EMPTY_METADATA, type PhotoMetadata } from './metadata.js';
export { extractEmbeddedJpeg, RawPreviewError } from './raw-preview.js';
export { decodeHeif, isMissingHeifCodec, HeifDecodeError, type HeifPixels } from './heif-decode.js';
export * from './capture-pairs.js';
export { longestZeroRunInScan, ZEROED_RUN_BYTES } from './zeroed-scan.js';
