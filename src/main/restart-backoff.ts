// How long to wait before starting the engine again after a crash: at once the first time (a
// one-off crash should cost the kiosk a second, not ten), then doubling to a ceiling so a crash
// loop does not spin both cores.

export const FIRST_RETRY_MS = 250;
export const MAX_RETRY_MS = 30_000;
/** Running this long counts as recovered: the next crash starts the backoff again from the start. */
export const STABLE_AFTER_MS = 60_000;

/** Delay before restart number `attempt` (1 for the first restart after a crash). */
export function restartDelay(attempt: number): number {
  if (attempt <= 1) return FIRST_RETRY_MS;
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
}

/** The attempt number of the next restart, given how long the engine ran before this crash. */
export function nextAttempt(previousAttempt: number, ranForMs: number): number {
  return ranForMs >= STABLE_AFTER_MS ? 1 : previousAttempt + 1;
}
