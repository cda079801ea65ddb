// Decides when a file a camera tool is writing has finished: its size has stopped changing
// and the format's end marker is there. Pure: observations in, decision out.

/** As formats.ts's Completeness: 'incomplete' may still be written, 'damaged' never becomes a photo. */
export type CompletenessState = 'complete' | 'incomplete' | 'damaged' | 'unknown';

export interface FileObservation {
  /** When this observation was made. */
  at: number;
  size: number;
  mtimeMs: number;
  /** null when the first bytes match no supported photo format. */
  format: string | null;
  completeness: CompletenessState;
  /** Why the file is incomplete or damaged, from the format check. */
  reason?: string;
}

export interface ReadinessHistory {
  firstSeenAt: number;
  /** When size or mtime last changed. */
  lastChangeAt: number;
  last: FileObservation;
}

export interface ReadinessPolicy {
  stableForMs: number;
  unmarkedStableForMs: number;
  truncatedAfterMs: number;
  probeIntervalMs: number;
}

export type ReadinessDecision = { action: 'take' } | { action: 'wait'; recheckInMs: number } | { action: 'fail'; reason: string };

/**
 * Modification time older than this means nobody is writing the file. Generous because FAT32
 * cards store mtime in 2-second steps.
 */
export const AT_REST_AFTER_MS = 5_000;

export function recordObservation(history: ReadinessHistory | undefined, obs: FileObservation): ReadinessHistory {
  if (!history) return { firstSeenAt: obs.at, lastChangeAt: obs.at, last: obs };
  const changed = history.last.size !== obs.size || history.last.mtimeMs !== obs.mtimeMs;
  return { firstSeenAt: history.firstSeenAt, lastChangeAt: changed ? obs.at : history.lastChangeAt, last: obs };
}

export function decideReadiness(history: ReadinessHistory, now: number, policy: ReadinessPolicy): ReadinessDecision {
  const { last } = history;
  const stableFor = now - history.lastChangeAt;
  const waitAtMost = (needed: number): ReadinessDecision => ({
    action: 'wait',
    recheckInMs: Math.max(1, Math.min(policy.probeIntervalMs, needed - stableFor)),
  });

  if (last.size === 0) {
    // Tools create the file first and fill it a moment later; only a file left empty is an error.
    if (stableFor >= policy.truncatedAfterMs) return { action: 'fail', reason: 'empty file (0 bytes)' };
    return waitAtMost(policy.truncatedAfterMs);
  }
  if (last.format === null) {
    // A few header bytes may not have been written yet; decide once the file has settled.
    if (stableFor >= policy.unmarkedStableForMs || stableFor >= policy.truncatedAfterMs) {
      return { action: 'fail', reason: 'not a photo (the content is not JPEG, PNG, TIFF, HEIC or a camera RAW format)' };
    }
    return waitAtMost(Math.min(policy.unmarkedStableForMs, policy.truncatedAfterMs));
  }
  // The end marker can be present before the last flush of trailing metadata: the size must
  // also be seen unchanged twice, some quiet time apart, unless the file has plainly been at
  // rest for a while (a folder scanned at start-up).
  const settled = (history.lastChangeAt < last.at && stableFor >= policy.stableForMs) || now - last.mtimeMs >= AT_REST_AFTER_MS;
  switch (last.completeness) {
    case 'complete':
      if (settled) return { action: 'take' };
      return waitAtMost(Math.max(policy.stableForMs, 1));
    case 'damaged':
      // More bytes cannot repair it, so there is no truncation wait; but a tool that
      // preallocates the file may still be filling it, so it must settle like a complete one.
      if (settled) {
        return {
          action: 'fail',
          reason: `corrupt: ${last.reason ?? 'its structure is damaged'}; copy it again from the card or camera`,
        };
      }
      return waitAtMost(Math.max(policy.stableForMs, 1));
    case 'unknown':
      if (stableFor >= policy.unmarkedStableForMs) return { action: 'take' };
      return waitAtMost(policy.unmarkedStableForMs);
    case 'incomplete':
      if (stableFor >= policy.truncatedAfterMs) {
        return { action: 'fail', reason: `truncated: ${last.reason ?? 'end of file missing'}; it stopped growing` };
      }
      return waitAtMost(policy.truncatedAfterMs);
  }
}
