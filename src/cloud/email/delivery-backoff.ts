// When a refused email is tried again: after a pause that grows with each refusal (the SMTP
// server is down or greylisting us; asking every few seconds only adds to its load), and not at
// all after MAX_DELIVERY_TRIES, so an address is not kept for ever for an email that never leaves.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The pause after the 1st, 2nd, 3rd… refusal; the last one repeats. */
export const DELIVERY_RETRY_DELAYS_MS: readonly number[] = [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR];

/** Tries in all before giving up: about 10 hours of trying (1 + 5 + 30 min, then every 2 h). */
export const MAX_DELIVERY_TRIES = 8;

export type AfterRefusal = { retry: true; at: Date } | { retry: false };

/**
 * What to do after a temporary refusal, the delivery's `failedTries`-th (counting this one):
 * try again at `at`, or give up.
 */
export function afterTemporaryRefusal(failedTries: number, now: Date, maxTries: number = MAX_DELIVERY_TRIES): AfterRefusal {
  if (failedTries >= maxTries) return { retry: false };
  const delay = DELIVERY_RETRY_DELAYS_MS[Math.min(Math.max(failedTries, 1), DELIVERY_RETRY_DELAYS_MS.length) - 1]!;
  return { retry: true, at: new Date(now.getTime() + delay) };
}

/** The organiser's (and the laptop's) sentence for an email given up on. */
export function givenUpReason(tries: number, lastReason: string): string {
  return (
    `Not sent after ${tries} tries over several hours (the mail server kept refusing or could not be reached; last: ${lastReason}). ` +
    'The address was deleted: if the attendee still wants the email, enter their address again to send it once more.'
  );
}
