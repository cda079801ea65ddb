// A gallery as one ZIP, streamed while it is written: JPEGs are already compressed, so they are
// stored, and a phone starts receiving bytes at once even for a hundred photos.
import type { Readable } from 'node:stream';
import yazl from 'yazl';

export interface ZipEntry {
  name: string;
  /** A file on disk, or bytes already made (a watermarked preview). */
  source: { path: string } | { bytes: () => Promise<Buffer> };
  mtime?: Date;
}

/** Names unique within the ZIP: a second "IMG_0001.jpg" becomes "IMG_0001 (2).jpg" (or (3)… if that is taken too). */
export function uniqueEntryNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  const withNumber = (name: string, n: number): string => {
    const dot = name.lastIndexOf('.');
    return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
  };
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = withNumber(name, n);
    taken.add(candidate);
    return candidate;
  });
}

export function zipGallery(entries: readonly ZipEntry[], onError: (err: Error) => void): Readable {
  const zip = new yazl.ZipFile();
  // yazl's typings call it a ReadableStream; it is a Node Readable.
  const output = zip.outputStream as unknown as Readable;
  void (async () => {
    try {
      for (const e of entries) {
        const options = { compress: false, mtime: e.mtime ?? new Date() };
        if ('path' in e.source) zip.addFile(e.source.path, e.name, options);
        else zip.addBuffer(await e.source.bytes(), e.name, options);
      }
      zip.end();
    } catch (err) {
      onError(err as Error);
      output.destroy(err as Error);
    }
  })();
  return output;
}
