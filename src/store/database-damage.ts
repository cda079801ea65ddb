// Telling a damaged database file apart from other failures, and what the person should do about it.

/** SQLite result codes that mean the file's contents, not the program, are at fault. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * Codes of a save that can succeed later without a change to the program: the drive full or
 * gone, a lock held, the file read-only (space freed, drive back, lock released). Anything else
 * (a TypeError, a constraint) fails the same way every time.
 */
const PASSING_CODES = /^(SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)|ENOSPC|EDQUOT|EIO|EROFS|EBUSY|EAGAIN)/;

/** Whether a failed save is the storage's trouble (retry it; a damaged file needs `repair`), not a fault of the program. */
export function isStorageTrouble(err: unknown): boolean {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return isDatabaseDamage(err) || (typeof code === 'string' && PASSING_CODES.test(code));
}

export function isDatabaseDamage(err: unknown): boolean {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && DAMAGE_CODES.test(code);
}

export class DatabaseDamagedError extends Error {
  override name = 'DatabaseDamagedError';
  constructor(
    readonly path: string,
    readonly dataDir: string,
    cause: Error,
  ) {
    super(
      `The database ${path} is damaged (${cause.message}). Original photos are not affected. ` +
        `Stop Shutterfind, then run \`shutterfind repair --data-dir "${dataDir}"\`: it copies everything still readable ` +
        'into a new database and keeps the damaged file beside it.',
      { cause },
    );
  }
}
