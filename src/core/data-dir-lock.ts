// One engine per data dir: two processes draining the same queue would process photos twice.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  release(): void;
}

/** A previous engine that is still stopping (draining, or dying with its launcher) gets this long. */
const WAIT_FOR_PREVIOUS_OWNER_MS = 3_000;
const RECHECK_MS = 100;

export async function acquireDataDirLock(lockPath: string, dataDir: string, waitMs = WAIT_FOR_PREVIOUS_OWNER_MS): Promise<DataDirLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return tryAcquire(lockPath, dataDir);
    } catch (err) {
      if (!(err instanceof DataDirBusyError) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
    }
  }
}

function tryAcquire(lockPath: string, dataDir: string): DataDirLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return {
        release() {
          try {
            if (readFileSync(lockPath, 'utf8') === String(process.pid)) unlinkSync(lockPath);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isFinite(pid) && pid !== process.pid && isAlive(pid)) {
        throw new DataDirBusyError(
          `Another Shutterfind (pid ${pid}) is using the data dir ${dataDir}. Stop it first, or pass a different --data-dir.`,
        );
      }
      // The previous owner was killed without cleaning up (kill -9, power loss): take over.
      unlinkSync(lockPath);
    }
  }
  throw new DataDirBusyError(`Could not lock the data dir ${dataDir}; try again.`);
}
