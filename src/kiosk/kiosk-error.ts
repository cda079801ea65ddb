// What went wrong for an attendee or a gallery link, in the kiosk's words. The server turns `problem` into an HTTP
// status in one place (server/http-errors.ts); the sentence is shown to the attendee as it is.
export type KioskProblem = 'not-found' | 'expired' | 'forbidden' | 'bad-request';

export class KioskError extends Error {
  override name = 'KioskError';
  constructor(
    readonly problem: KioskProblem,
    message: string,
  ) {
    super(message);
  }
}
