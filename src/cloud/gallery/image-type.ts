// Blobs are stored by content hash without a type; the type of an image is in its first bytes.
import { Readable } from 'node:stream';

export interface ImageType {
  contentType: string;
  /** For a download's file name. */
  extension: string;
}

const UNKNOWN: ImageType = { contentType: 'application/octet-stream', extension: '.bin' };

export function imageTypeOf(head: Uint8Array): ImageType {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { contentType: 'image/jpeg', extension: '.jpg' };
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return { contentType: 'image/webp', extension: '.webp' };
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { contentType: 'image/png', extension: '.png' };
  // HEIF/AVIF: an ISO-BMFF 'ftyp' box.
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') {
    const brand = b.toString('latin1', 8, 12);
    if (brand === 'avif' || brand === 'avis') return { contentType: 'image/avif', extension: '.avif' };
    if (/^(heic|heix|mif1|msf1|hevc)$/.test(brand)) return { contentType: 'image/heic', extension: '.heic' };
  }
  return UNKNOWN;
}

/** Reads the first chunk of a stream to tell its type, and gives back a stream of all its bytes. */
export async function peekImageType(stream: NodeJS.ReadableStream): Promise<{ type: ImageType; stream: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head: Buffer | null = first.done ? null : first.value;
  const rest = async function* (): AsyncGenerator<Buffer> {
    if (head) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  };
  return { type: imageTypeOf(head ?? new Uint8Array()), stream: Readable.from(rest(), { objectMode: false }) };
}
