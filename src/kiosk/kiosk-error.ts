// What went wrong for an attendee, in the kiosk's words. The server turns `problem` into an HTTP
// status in one place (server/http-errors.ts); the sentence is shown to the attendee as it is.
import type { SelfieProblem } from '../search/index.js';

export type KioskProblem = 'not-found' | 'expired' | 'forbidden' | 'bad-request' | 'not-an-image' | 'too-dark' | SelfieProblem;

export class KioskError extends Error {
  override name = 'KioskError';
  constructor(
    readonly problem: KioskProblem,
    message: string,
  ) {
    super(message);
  }
}
