// A bundle: many small blobs (thumbnails, previews) in one request body, so a small file costs a
// share of one round trip instead of three of its own (start, part, complete). Measured with
// bench:sync (docs/engineering/benchmarks.md): those round trips, not the bytes, kept a 50 Mbit/s
// link a third idle while 30 kB thumbnails went up one upload each.
//
// The body (Content-Type BUNDLE_CONTENT_TYPE):
//   [manifest length: uint32, big-endian][manifest: UTF-8 JSON, bundleManifest][blob bytes, in the manifest's order]
// Binary rather than multipart/form-data: no boundary to scan for in photo bytes, and each blob's
// place in the body follows from the sizes the manifest gives.
import { bundleManifest, type BundledBlob } from './sync-protocol.js';

export const BUNDLE_CONTENT_TYPE = 'application/vnd.shutterfind.blob-bundle';
/** A manifest lists at most 1,000 blobs of ~150 bytes each. */
const MAX_MANIFEST_BYTES = 256 * 1024;

/** The body's pieces, in order (written as they are, without joining them into one buffer first). */
export function encodeBundle(blobs: readonly { entry: BundledBlob; bytes: Buffer }[]): Buffer[] {
  for (const b of blobs) {
    if (b.bytes.length !== b.entry.size)
      throw new Error(`Blob ${b.entry.sha256} is ${b.bytes.length} bytes but its entry says ${b.entry.size}`);
  }
  return [bundleHead(blobs.map((b) => b.entry)), ...blobs.map((b) => b.bytes)];
}

/** What comes before the blob bytes: the manifest's length and the manifest. */
export function bundleHead(entries: readonly BundledBlob[]): Buffer {
  const manifest = Buffer.from(JSON.stringify({ blobs: entries }), 'utf8');
  const head = Buffer.allocUnsafe(4 + manifest.length);
  head.writeUInt32BE(manifest.length, 0);
  manifest.copy(head, 4);
  return head;
}

export class BundleFormatError extends Error {
  override name = 'BundleFormatError';
}

/** The blobs of a bundle body, each with its bytes (views into `body`, not copies). Throws BundleFormatError with what is wrong. */
export function decodeBundle(body: Buffer): { entry: BundledBlob; bytes: Buffer }[] {
  if (body.length < 4) throw new BundleFormatError('The bundle is shorter than its 4-byte manifest length.');
  const manifestLength = body.readUInt32BE(0);
  if (manifestLength > MAX_MANIFEST_BYTES || 4 + manifestLength > body.length) {
    throw new BundleFormatError(`The bundle's manifest length (${manifestLength} bytes) does not fit the bundle (${body.length} bytes).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body.subarray(4, 4 + manifestLength).toString('utf8'));
  } catch {
    throw new BundleFormatError('The bundle manifest is not JSON.');
  }
  const parsed = bundleManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BundleFormatError(`The bundle manifest is not valid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}.`);
  }
  const total = parsed.data.blobs.reduce((sum, b) => sum + b.size, 0);
  if (4 + manifestLength + total !== body.length) {
    throw new BundleFormatError(
      `The bundle's blobs add up to ${total} bytes but ${body.length - 4 - manifestLength} follow the manifest: nothing of it was stored.`,
    );
  }
  let offset = 4 + manifestLength;
  return parsed.data.blobs.map((entry) => {
    const bytes = body.subarray(offset, offset + entry.size);
    offset += entry.size;
    return { entry, bytes };
  });
}
