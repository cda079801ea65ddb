// One event's front door: every file noticed by a watcher or a scan goes through readiness,
// then admission; every failure lands on a photo row the operator can see.
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { PhotoPairsRepository, PhotosRepository } from '../store/index.js';
import { admitFile, type Admission } from './admit.js';
import { ADMISSION_RETRY_MS, createArrivalTracker } from './arrivals.js';
import { describeUnreadableFile, observeFile, type ProbeScope } from './probe.js';
import { createRawWaits } from './raw-waits.js';
import type { FileObservation, ReadinessPolicy } from './readiness.js';
import { createStorageWaits, type WaitingFile } from './storage-waits.js';

export type IntakeMode = 'watch' | 'one-shot';

export interface IntakeOptions {
  probeIntervalMs: number;
  stableForMs: number;
  unmarkedStableForMs: number;
  truncatedAfterMs: number;
  oneShotTruncatedAfterMs: number;
  maxConcurrentProbes: number;
  maxConcurrentHashes: number;
  maxAttempts: number;
  /** settings ingest.followSymlinks: read links that lead out of the folder they are in. */
  followSymlinks: boolean;
  /** settings ingest.rawPairWaitMs and unpairedRawsBeforeNoWait: how long a lone RAW waits for its JPEG. */
  rawPairWaitMs: number;
  unpairedRawsBeforeNoWait: number;
}

export interface IntakeDeps {
  photos: PhotosRepository;
  pairs: PhotoPairsRepository;
  eventId: number;
  options: IntakeOptions;
  mode: IntakeMode;
  log: Logger;
  now?: () => number;
  onAdmission?: (path: string, admission: Admission) => void;
  onFailure?: (path: string, error: string) => void;
}

/**
 * Frames the watcher sees land while shooting go ahead of a backlog (a card import, files found
 * at start-up): the attendee at the kiosk is waiting for the photo just taken.
 */
export const LIVE_PRIORITY = 10;
export const BACKLOG_PRIORITY = 0;

export interface Intake {
  /**
   * Follows a file until it is taken or failed. `folder`: the hot folder or imported folder it
   * was found in (links may not lead out of it); once given for a source it is remembered.
   */
  submit(path: string, sourceId: number | null, priority?: number, folder?: string): void;
  removed(path: string): void;
  pending(): number;
  /** Complete files that cannot be recorded yet (the data drive is full): what `status` lists as retrying. */
  waiting(): WaitingFile[];
  settled(): Promise<void>;
  close(): void;
}

/** Failures of the app's own storage, not of the photo: worth trying again later. */
export function isStorageTrouble(err: NodeJS.ErrnoException): boolean {
  return ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_IOERR', 'ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE'].some(
    (code) => err.code === code || err.code?.startsWith(`${code}_`),
  );
}

export function readinessPolicyFor(mode: IntakeMode, o: IntakeOptions): ReadinessPolicy {
  // In a one-shot import nobody is still writing: a file without its end marker is truncated.
  const truncatedAfterMs = mode === 'one-shot' ? o.oneShotTruncatedAfterMs : o.truncatedAfterMs;
  return {
    probeIntervalMs: o.probeIntervalMs,
    stableForMs: o.stableForMs,
    unmarkedStableForMs: Math.min(o.unmarkedStableForMs, truncatedAfterMs),
    truncatedAfterMs,
  };
}

export function createIntake(deps: IntakeDeps): Intake {
  const now = deps.now ?? Date.now;
  const sourceOf = new Map<string, { sourceId: number | null; priority: number; folder: string | undefined }>();
  /** A source's folder, so a file submitted again later (retry) is held to the same folder. */
  const folderOfSource = new Map<number, string>();

  const scopeOf = (path: string): ProbeScope => {
    const s = sourceOf.get(path);
    const folder = s?.folder ?? (s?.sourceId != null ? folderOfSource.get(s.sourceId) : undefined) ?? dirname(path);
    return { folder, followSymlinks: deps.options.followSymlinks };
  };

  const storageWaits = createStorageWaits();
  const rawWaits = createRawWaits(
    { holdMs: deps.options.rawPairWaitMs, unpairedBeforeNoHold: deps.options.unpairedRawsBeforeNoWait },
    deps.mode === 'watch',
  );

  function recordFailure(path: string, reason: string, observation: FileObservation | null, landedAt: number): void {
    storageWaits.cleared(path);
    const error = `Cannot ingest ${basename(path)}: ${reason}`;
    try {
      deps.photos.recordFailedFile(
        {
          eventId: deps.eventId,
          sourceId: sourceOf.get(path)?.sourceId ?? null,
          path,
          error,
          format: observation?.format ?? null,
          sizeBytes: observation?.size ?? null,
          mtimeMs: observation?.mtimeMs ?? null,
          landedAt,
        },
        now(),
      );
    } catch (err) {
      deps.log.error({ path, err }, 'Could not record a failed file');
    }
    sourceOf.delete(path);
    deps.log.warn({ path }, error);
    deps.onFailure?.(path, error);
  }

  const tracker = createArrivalTracker(
    {
      async onComplete(path, observation, landedAt) {
        let admission: Admission;
        try {
          admission = await admitFile(
            { photos: deps.photos, pairs: deps.pairs, rawWaits, maxAttempts: deps.options.maxAttempts, now },
            {
              eventId: deps.eventId,
              sourceId: sourceOf.get(path)?.sourceId ?? null,
              priority: sourceOf.get(path)?.priority ?? BACKLOG_PRIORITY,
              path,
              observation,
              landedAt,
            },
          );
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          if (isStorageTrouble(e)) {
            // Nothing is wrong with the photo: keep following it until it can be recorded.
            const said = storageWaits.failed(path, `${e.code}: ${e.message}`, now(), ADMISSION_RETRY_MS);
            if (said.kind === 'first') {
              deps.log.error(
                { path, err },
                `Cannot record ${basename(path)} yet: ${e.message}. Free space on the data drive; Shutterfind keeps trying every ${ADMISSION_RETRY_MS / 1000} s.`,
              );
            } else if (said.kind === 'joined') {
              deps.log.error({ path, code: e.code }, `Cannot record ${basename(path)} yet either (${e.code}); it waits with the others.`);
            } else if (said.kind === 'reminder') {
              deps.log.error(
                { waiting: said.waiting, code: e.code },
                `Still cannot record ${said.waiting} photo(s): ${e.message}. Free space on the data drive.`,
              );
            }
            return 'retry';
          }
          recordFailure(path, e.code ? describeUnreadableFile(e) : `could not be recorded (${e.message})`, observation, landedAt);
          return 'taken';
        }
        if (admission.outcome === 'changed') return 'changed';
        const waited = storageWaits.cleared(path);
        if (waited)
          deps.log.info(
            { path, attempts: waited.attempts },
            `Recorded ${basename(path)} after waiting ${Math.round((now() - waited.since) / 1000)} s for space`,
          );
        sourceOf.delete(path);
        deps.log.debug({ path, outcome: admission.outcome }, 'file admitted');
        deps.onAdmission?.(path, admission);
        return 'taken';
      },
      onFailed: recordFailure,
    },
    {
      policy: readinessPolicyFor(deps.mode, deps.options),
      maxConcurrentProbes: deps.options.maxConcurrentProbes,
      maxConcurrentAdmissions: deps.options.maxConcurrentHashes,
      observe: (path) => observeFile(path, now, scopeOf(path)),
      now,
    },
  );

  return {
    submit(path, sourceId, priority = BACKLOG_PRIORITY, folder) {
      if (folder !== undefined && sourceId !== null) folderOfSource.set(sourceId, folder);
      const before = sourceOf.get(path);
      // A file seen live stays live even if a scan reports it again.
      sourceOf.set(path, { sourceId, priority: Math.max(priority, before?.priority ?? priority), folder: folder ?? before?.folder });
      tracker.notice(path);
    },
    removed: (path) => tracker.removed(path),
    pending: () => tracker.pending(),
    waiting: () => storageWaits.list(),
    settled: () => tracker.settled(),
    close: () => tracker.close(),
  };
}
