// The cloud's names and secrets: event ids, organiser and device tokens (256 random bits, only
// their SHA-256 stored), and join codes an organiser reads out or types.
import { randomBytes, randomInt } from 'node:crypto';

/** No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or copied from a screen is typed right. */
const JOIN_CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
const JOIN_CODE_LENGTH = 10;
/** A join code serves the laptops of one event over its preparation and the event itself. */
export const JOIN_CODE_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/** 16 url-safe characters: 96 random bits, so an event id is not guessable either. */
export const newCloudEventId = (): string => randomBytes(12).toString('base64url');

/** Ten letters and digits, shown as two groups of five ("KXM7T-9QHWA"); 25^10 ≈ 10^14 codes. */
export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What is hashed: the code without separators or spaces, in capitals, so "kxm7t 9qhwa" works too. */
export const normaliseJoinCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase();
