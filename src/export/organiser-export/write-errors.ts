// What went wrong writing an export, in the organiser's words: which file, why, and what to do.
// Every message ends the same way because every export can be continued by running it again.
import { existsSync, statfsSync } from 'node:fs';

export class ExportWriteError extends Error {
  override name = 'ExportWriteError';
  constructor(
    message: string,
    /** The file being written, relative to the destination. */
    readonly file: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

const AGAIN = 'then run the same export again: it continues where it stopped and copies nothing twice.';

/**
 * The error of one file as the organiser should read it. `destinationThere` tells a destination
 * that was unplugged or deleted (every write fails with ENOENT/EIO) from a missing source file.
 */
export function describeWriteError(err: unknown, file: string, destination: string, destinationThere: boolean): ExportWriteError {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : null;
  const what = `Could not write "${file}" into ${destination}`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new ExportWriteError(
        `${what}: the destination is full. Free some space there or choose another destination, ${AGAIN}`,
        file,
        code,
      );
    case 'EROFS':
      return new ExportWriteError(
        `${what}: the destination is read-only (a locked card or a read-only mount). Unlock it or choose another destination, ${AGAIN}`,
        file,
        code,
      );
    case 'EACCES':
    case 'EPERM':
      return new ExportWriteError(`${what}: no permission to write there. Choose a folder you can write to, ${AGAIN}`, file, code);
    default:
      if (!destinationThere || code === 'EIO' || code === 'ENODEV' || code === 'ENXIO' || code === 'ESTALE') {
        return new ExportWriteError(
          `${what}: the destination is gone (unplugged or removed while exporting). Plug it back in or choose the destination again, ${AGAIN}`,
          file,
          code,
        );
      }
      return new ExportWriteError(`${what}: ${e instanceof Error ? e.message : String(err)}. Fix that, ${AGAIN}`, file, code);
  }
}

export const destinationExists = (destination: string): boolean => existsSync(destination);

/**
 * Less than this free on the destination after a failed write: it failed because the disk is full,
 * whatever the error said (ExifTool reports a full disk as "Error writing output file").
 */
export const FULL_BELOW_BYTES = 4 * 1024 * 1024;

export function destinationFull(destination: string): boolean {
  try {
    const s = statfsSync(destination);
    return s.bavail * s.bsize < FULL_BELOW_BYTES;
  } catch {
    return false; // gone or unreadable: the caller says so
  }
}
