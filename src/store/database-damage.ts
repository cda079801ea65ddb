// Telling a damaged database file apart from other failures, and what the person should do about it.

/** SQLite result codes that mean the file's contents, not the program, are at fault. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

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
