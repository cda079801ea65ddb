// What an entry in a hot folder is, decided before anything opens it: a photo can only be a
// regular file inside the folder. Opening a named pipe blocks until a writer appears (forever,
// holding one of libuv's four threads), and a link out of the folder would make any readable
// file on the laptop matchable and servable to attendees. Pure: stats in, verdict out.
import { isAbsolute, relative, sep } from 'node:path';

/** The part of fs.Stats the verdict needs (lstat or stat result). */
export interface EntryStats {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}

/** A file Shutterfind refuses to read, with the reason in the photographer's words. */
export class RefusedFileError extends Error {
  override name = 'RefusedFileError';
  constructor(
    readonly code: 'ENOTFILE' | 'ELINKOUT',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Words for an entry that is not a regular file; null when it is one. */
export function describeNonRegular(st: EntryStats): string | null {
  if (st.isFile()) return null;
  const what = st.isFIFO()
    ? 'a named pipe (FIFO)'
    : st.isSocket()
      ? 'a socket'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device'
        : st.isDirectory()
          ? 'a folder'
          : 'a special file';
  return `not a regular file: ${what}, named like a photo; Shutterfind does not open it (remove it from the hot folder)`;
}

/** True when `target` is `folder` or lies under it. Both must already be real (resolved) paths. */
export function isInsideFolder(folder: string, target: string): boolean {
  const rel = relative(folder, target);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * Whether a symbolic link may be read. By default only links that stay inside the hot folder
 * are: a camera tool never writes links out of its folder, and following one would hand any
 * readable file on the laptop to face search and to attendee galleries.
 */
export function decideLink(realFolder: string, realTarget: string, followSymlinks: boolean): RefusedFileError | null {
  if (followSymlinks || isInsideFolder(realFolder, realTarget)) return null;
  return new RefusedFileError(
    'ELINKOUT',
    `a symbolic link to ${realTarget}, outside the watched folder ${realFolder}; Shutterfind does not follow it ` +
      '(copy the photo into the folder, or set ingest.followSymlinks to true in settings.json to allow links)',
  );
}
