// Tokens, codes and their hashes. Tokens are 256 random bits (gallery links need ≥ 128);
// only hashes are stored, and comparisons of secrets run in constant time.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Six digits, easy to type on a tablet; one use, minutes of life, so guessing is hopeless in practice. */
export const newPairingCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(hashSecret(given));
  const b = Buffer.from(hashSecret(expected));
  return timingSafeEqual(a, b);
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The installation's operator token: made once, kept across restarts (mode 0600). */
export function loadOrCreateOperatorToken(path: string): string {
  try {
    const saved = readFileSync(path, 'utf8').trim();
    if (TOKEN_SHAPE.test(saved)) return saved;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `Cannot read the operator token at ${path}: ${(err as Error).message}. Fix its permissions or delete it to make a new one.`,
        { cause: err },
      );
    }
  }
  const token = newToken();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
