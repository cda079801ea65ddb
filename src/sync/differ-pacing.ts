// When the differ runs while the photographer keeps shooting. Every photo made ready tells sync
// that the event changed, and a differ run reads the whole event (every photo's rows, a stat of
// each of its files, a digest of each entity): at 2,000 photos that is a few hundred ms of the
// main thread each time. Run every couple of seconds during a card import, it took a steady share
// of the CPU the ingest needed. Pure decisions; event-sync keeps the clock.

/** The share of one core the differ may take while changes keep coming. */
export const DIFFER_DUTY = 0.05;
/** The longest a change waits for its differ run, however large the event (the idle resync's period). */
export const MAX_DIFFER_DELAY_MS = 60_000;
/** A sync loop's run trusts a differ run this recent that saw every change signalled; older, it runs its own. */
export const DIFFER_FRESH_MS = 30_000;

export interface DifferRun {
  /** When it started (epoch ms): it saw every change signalled before then. */
  startedAt: number;
  /** How long it took, wall time (a busy machine makes it longer, and the runs further apart). */
  tookMs: number;
}

/**
 * How long after a change its differ run starts: the debounce, or long enough after the last run
 * that the differ stays within DIFFER_DUTY of a core, whichever is longer, and never more than
 * MAX_DIFFER_DELAY_MS.
 */
export function nextDifferDelay(debounceMs: number, last: DifferRun | null, duty = DIFFER_DUTY): number {
  if (!last) return debounceMs;
  const spacing = Math.round(last.tookMs * (1 / duty - 1));
  return Math.min(MAX_DIFFER_DELAY_MS, Math.max(debounceMs, spacing));
}

/**
 * True when the operation log already holds every change signalled: a differ run started after the
 * last signal, recently enough that changes nobody signalled are left to the next idle resync.
 * A sync loop's run then goes straight to sending instead of reading the whole event again.
 */
export function differIsCurrent(last: DifferRun | null, lastChangeAt: number | null, now: number): boolean {
  if (!last) return false;
  if (lastChangeAt !== null && lastChangeAt >= last.startedAt) return false;
  return now - last.startedAt <= DIFFER_FRESH_MS;
}

/**
 * What a differ run reads: the whole event, only the photos made ready since the last run (their
 * files, faces and the persons; a few ms, where the whole event at 2,000 photos is a few hundred),
 * or nothing.
 */
export type DifferScope = 'whole-event' | 'ready-photos' | 'nothing';

export interface DifferState {
  /** The last run over the whole event. */
  lastWhole: DifferRun | null;
  /** The last change signalled other than photos made ready (a rename, a merge, a take-home link). */
  lastChangeAt: number | null;
  /** Photos made ready that no run has read yet. */
  readyPhotos: number;
}

/**
 * What the operation log lacks: the whole event unless a recent whole run saw every other change
 * signalled (so a stale log is read whole at least every DIFFER_FRESH_MS while photos keep
 * arriving, which finds changes nobody signalled), else the photos made ready, if any.
 */
export function differScope(s: DifferState, now: number): DifferScope {
  if (!differIsCurrent(s.lastWhole, s.lastChangeAt, now)) return 'whole-event';
  return s.readyPhotos > 0 ? 'ready-photos' : 'nothing';
}

/**
 * When a differ timer fires (a debounce after photos were made ready, or the paced delay after
 * another change): the run to do now, and, when the whole event is due but the last whole run
 * was too recent for DIFFER_DUTY, how long until it may run. The photos made ready go meanwhile.
 */
export function differDue(s: DifferState, now: number): { run: DifferScope; againInMs: number | null } {
  const scope = differScope(s, now);
  if (scope !== 'whole-event' || !s.lastWhole) return { run: scope, againInMs: null };
  const pacedAt = s.lastWhole.startedAt + Math.min(MAX_DIFFER_DELAY_MS, Math.round(s.lastWhole.tookMs / DIFFER_DUTY));
  if (now >= pacedAt) return { run: 'whole-event', againInMs: null };
  return { run: s.readyPhotos > 0 ? 'ready-photos' : 'nothing', againInMs: pacedAt - now };
}
