// A gallery as one ZIP, streamed while it is written: JPEGs are already compressed, so they are
// stored, and a phone starts receiving bytes at once even for a hundred photos.
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { zipEntryNames } from './file-names.js';

export interface ZipEntry {
  name: string;
  /** A file on disk, or bytes already made (a watermarked preview). */
  source: { path: string } | { bytes: () => Promise<Buffer> };
  mtime?: Date;
}

/** Writes the entries under safe, distinct names (see file-names.ts), whatever names they come with. */
export function zipGallery(entries: readonly ZipEntry[], onError: (err: Error) => void): Readable {
  const zip = new yazl.ZipFile();
  // yazl's typings call it a ReadableStream; it is a Node Readable.
  const output = zip.outputStream as unknown as Readable;
  const names = zipEntryNames(entries.map((e) => e.name));
  void (async () => {
    try {
      for (const [i, e] of entries.entries()) {
        const options = { compress: false, mtime: e.mtime ?? new Date() };
        if ('path' in e.source) zip.addFile(e.source.path, names[i]!, options);
        else zip.addBuffer(await e.source.bytes(), names[i]!, options);
      }
      zip.end();
    } catch (err) {
      onError(err as Error);
      output.destroy(err as Error);
    }
  })();
  return output;
}
