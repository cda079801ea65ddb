// The endpoint's expected refusals as one typed error: a status, a stable code for the laptop and
// a sentence for the operator. cloud-app.ts turns it (and Fastify's own errors) into `{ code, message }`.

export class CloudRequestError extends Error {
  override readonly name = 'CloudRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** More fields of the body (a gap's expectedSeq). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = 'No such resource on this endpoint.') => new CloudRequestError(404, 'not-found', what);

/** An address that made too many wrong guesses: what it tried, how long to wait, and what to do instead. */
export const tooManyWrongGuesses = (sentence: string) => new CloudRequestError(429, 'rate-limited', sentence);
