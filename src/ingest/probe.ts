// Looks at a file once: size, mtime, format from its first bytes, and whether its end marker is there.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkCompleteness, detectFormat, nodeRandomAccessFile } from './formats.js';
import type { FileObservation } from './readiness.js';

const HEAD_BYTES = 64;

export async function observeFile(path: string, now: () => number = Date.now): Promise<FileObservation> {
  const handle = await open(path, 'r');
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTFILE' });
    }
    const size = st.size;
    const head = new Uint8Array(Math.min(HEAD_BYTES, size));
    if (head.length > 0) await handle.read(head, 0, head.length, 0);
    const format = detectFormat(head, basename(path));
    let completeness: FileObservation['completeness'] = 'unknown';
    let reason: string | undefined;
    if (format !== null && size > 0) {
      const c = await checkCompleteness(nodeRandomAccessFile(handle, size), format);
      completeness = c.state;
      if (c.state === 'incomplete') reason = c.reason;
    }
    return { at: now(), size, mtimeMs: Math.floor(st.mtimeMs), format, completeness, ...(reason ? { reason } : {}) };
  } finally {
    await handle.close();
  }
}

/** Turns a file-system error while looking at a file into words for the photographer. */
export function describeUnreadableFile(err: NodeJS.ErrnoException): string {
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
    case 'EIO':
      return 'read error from the disk (the card or drive may be failing or was unplugged)';
    default:
      return `cannot read the file (${err.code ?? 'error'}: ${err.message})`;
  }
}
