// Looks at a file once: size, mtime, format from its first bytes, and whether its end marker is there.
// Checks what the entry is before opening it: see file-kind.ts for why.
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { checkCompleteness, detectFormat, nodeRandomAccessFile } from '../camera-files/index.js';
import { decideLink, describeNonRegular, RefusedFileError } from './file-kind.js';
import type { FileObservation } from './readiness.js';

const HEAD_BYTES = 64;

/**
 * Non-blocking open: an entry swapped for a named pipe between the check and the open must not
 * block the open until a writer comes. Regular files ignore the flag (Windows has none: 0).
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export interface ProbeScope {
  /** The hot folder (or imported folder) the file was found in: links may not lead out of it. */
  folder: string;
  /** settings ingest.followSymlinks: read links wherever they lead. */
  followSymlinks: boolean;
}

/** Opens a file for reading only if it is a regular file, without ever blocking on the open. */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; stats: Stats }> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    const notRegular = describeNonRegular(stats);
    if (notRegular) throw new RefusedFileError('ENOTFILE', notRegular);
    return { handle, stats };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Refuses, without opening it, what is not a photo file in the folder: a pipe, socket, device
 * or folder named like a photo, and a link out of the folder. Only the file's own link is
 * resolved: the watcher and the scan never descend into linked folders.
 */
async function checkEntry(path: string, scope: ProbeScope): Promise<void> {
  const entry = await lstat(path);
  let target: Stats = entry;
  if (entry.isSymbolicLink()) {
    // realpath fails with ELOOP or ENOENT for a looping or dangling link: reported as such.
    const realTarget = await realpath(path);
    const realFolder = await realpath(scope.folder).catch(() => scope.folder);
    const refused = decideLink(realFolder, realTarget, scope.followSymlinks);
    if (refused) throw refused;
    target = await stat(path);
  }
  const notRegular = describeNonRegular(target);
  if (notRegular) throw new RefusedFileError('ENOTFILE', notRegular);
}

/** Without a known folder, a link may not leave the file's own folder (the strictest reading). */
const defaultScope = (path: string): ProbeScope => ({ folder: dirname(path), followSymlinks: false });

export async function observeFile(
  path: string,
  now: () => number = Date.now,
  scope: ProbeScope = defaultScope(path),
): Promise<FileObservation> {
  await checkEntry(path, scope);
  const { handle, stats: st } = await openRegularFile(path);
  try {
    const size = st.size;
    const head = new Uint8Array(Math.min(HEAD_BYTES, size));
    if (head.length > 0) await handle.read(head, 0, head.length, 0);
    const format = detectFormat(head, basename(path));
    let completeness: FileObservation['completeness'] = 'unknown';
    let reason: string | undefined;
    if (format !== null && size > 0) {
      const c = await checkCompleteness(nodeRandomAccessFile(handle, size), format);
      completeness = c.state;
      if (c.state === 'incomplete' || c.state === 'damaged') reason = c.reason;
    }
    return { at: now(), size, mtimeMs: Math.floor(st.mtimeMs), format, completeness, ...(reason ? { reason } : {}) };
  } finally {
    await handle.close();
  }
}

/** Turns a file-system error while looking at a file into words for the photographer. */
export function describeUnreadableFile(err: NodeJS.ErrnoException): string {
  if (err instanceof RefusedFileError) return err.reason;
  switch (err.code) {
    case 'ENOENT':
      return 'the file vanished before it could be read (moved or deleted by another program)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: Shutterfind cannot read this file (check its permissions)';
    case 'ELOOP':
      return 'symbolic link loop: the link points back at itself';
    case 'EISDIR':
    case 'ENOTFILE':
      return 'not a regular file';
    case 'ETIMEDOUT':
      return `reading the file hung (${err.message}): the drive or network share stopped answering; check it, then run \`shutterfind retry\``;
    case 'EIO':
      return 'read error from the disk (the card or drive may be failing or was unplugged)';
    default:
      return `cannot read the file (${err.code ?? 'error'}: ${err.message})`;
  }
}
