// Which keys and upload ids a store accepts. Keys become file paths in the directory store, so a key
// is a few plain segments (no "..", no hidden names, no separators other than "/").

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const UPLOAD_ID = /^[A-Za-z0-9_-]{16,64}$/;

export function isValidBlobKey(key: string): boolean {
  if (key.length === 0 || key.length > 1024) return false;
  return key.split('/').every((segment) => SEGMENT.test(segment) && !segment.endsWith('.tmp'));
}

export function isValidDirectoryUploadId(uploadId: string): boolean {
  return UPLOAD_ID.test(uploadId);
}

/** ETags as S3 answers them are quoted; compare them without the quotes. */
export function bareEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"+|"+$/g, '');
}

/** Where the endpoint keeps an event's blob: content-addressed, one namespace per cloud event. */
export function blobKey(cloudEventId: string, sha256: string): string {
  return `events/${cloudEventId}/${sha256}`;
}
