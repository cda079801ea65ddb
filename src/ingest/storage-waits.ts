// Files that are complete but cannot be recorded yet because the app's own storage is full.
// While the database cannot grow, each of them is tried every few seconds; logging every try
// with its stack filled the log (and the drive it could not write to) with the same trace per
// photo every 5 s, and nothing in `status` said which photos were waiting.

/**
 * A reminder that files are still waiting, at most this often: the photographer sees the
 * problem stays, the log gets one line a minute instead of one stack per photo per try.
 */
export const STORAGE_REMINDER_MS = 60_000;

export interface WaitingFile {
  path: string;
  /** The storage error, as SQLite or the file system said it. */
  error: string;
  /** When the first try failed. */
  since: number;
  attempts: number;
  nextAttemptAt: number;
}

/**
 * What to log about a failed try: the first of an episode in full (with its stack), each further
 * file once in one line, then a one-line summary now and then; nothing for the tries between.
 */
export type WaitLog = { kind: 'first' } | { kind: 'joined' } | { kind: 'reminder'; waiting: number } | { kind: 'quiet' };

export interface StorageWaits {
  failed(path: string, error: string, now: number, retryInMs: number): WaitLog;
  /** The file was recorded (or given up on); returns how it waited, if it did. */
  cleared(path: string): WaitingFile | undefined;
  list(): WaitingFile[];
}

export function createStorageWaits(reminderMs = STORAGE_REMINDER_MS): StorageWaits {
  const waiting = new Map<string, WaitingFile>();
  let lastReminderAt = Number.NEGATIVE_INFINITY;
  return {
    failed(path, error, now, retryInMs) {
      const before = waiting.get(path);
      const episodeStarts = waiting.size === 0;
      waiting.set(path, {
        path,
        error,
        since: before?.since ?? now,
        attempts: (before?.attempts ?? 0) + 1,
        nextAttemptAt: now + retryInMs,
      });
      if (!before) {
        // A new file counts as news; the next reminder is a full interval after it.
        lastReminderAt = now;
        return { kind: episodeStarts ? 'first' : 'joined' };
      }
      if (now - lastReminderAt < reminderMs) return { kind: 'quiet' };
      lastReminderAt = now;
      return { kind: 'reminder', waiting: waiting.size };
    },
    cleared(path) {
      const w = waiting.get(path);
      waiting.delete(path);
      return w;
    },
    list: () => [...waiting.values()].sort((a, b) => a.since - b.since || a.path.localeCompare(b.path)),
  };
}
