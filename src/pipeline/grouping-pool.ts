// The engine's handle on the grouping thread (workers/grouping-worker.ts): a re-cluster compares
// and groups a whole event's faces there, at background priority, so kiosk searches and the
// console are answered meanwhile. The thread starts with the first re-cluster and ends a minute
// after the last.
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { groupingSignals, groupingTask, stopGrouping, type GroupingResult, type GroupingTask } from '../photo/index.js';
import { untilThreadsLoaded, workerScriptPath } from './worker-pool.js';

export interface GroupingThread {
  group(
    faces: readonly { faceId: number; photoId: number; embedding: Float32Array }[],
    groupThreshold: number,
    maxLinks: number,
  ): Promise<GroupingResult>;
  close(): Promise<void>;
}

/**
 * How long closing waits at most for the ONNX Runtime call in flight: opening the session or one
 * block of the comparing, 128 faces against the rest (60-90 ms at 40k faces on a busy 2-core
 * machine). Past it the thread is ended anyway: a hung call must not hold up quitting.
 */
const ORT_CALL_WAIT_MS = 10_000;
/** How often closing looks whether that call has returned. */
const ORT_CALL_POLL_MS = 10;

/** What a grouping in flight rejects with once the engine closes the thread, however it ended. */
const GROUPING_CLOSED_MESSAGE = 'Grouping terminated: the engine is closing';

interface Thread {
  pool: Piscina<GroupingTask, GroupingResult>;
  loaded: () => Promise<void>;
  signals: Int32Array;
  closing: boolean;
}

export function createGroupingThread(): GroupingThread {
  let thread: Thread | null = null;
  return {
    group: (faces, groupThreshold, maxLinks) => {
      if (!thread) {
        const pool = new Piscina<GroupingTask, GroupingResult>({
          filename: workerScriptPath('grouping-worker'),
          minThreads: 0,
          maxThreads: 1,
          idleTimeout: 60_000,
        });
        thread = { pool, loaded: untilThreadsLoaded(pool), signals: groupingSignals(), closing: false };
      }
      const current = thread;
      const task = groupingTask(faces, groupThreshold, maxLinks, current.signals);
      // The arrays are built for this task alone: handed over, not copied.
      const buffers = [task.faceIds, task.photoIds, task.embeddings].map((a) => a.buffer as ArrayBuffer);
      // Closing ends a grouping either between two comparing calls (the thread's own error) or by
      // ending the thread (piscina's): one message for both.
      return current.pool.run(task, { transferList: buffers }).catch((err: unknown) => {
        throw current.closing ? new Error(GROUPING_CLOSED_MESSAGE) : err;
      });
    },
    // A re-cluster in flight is ended, not waited for: the comparing stops at its next ONNX Runtime
    // call and the grouping at once. The thread is ended only outside ONNX Runtime's calls, and once
    // it has loaded its script (untilThreadsLoaded): ended inside either, it aborts the process.
    close: async () => {
      const current = thread;
      if (!current) return;
      current.closing = true;
      await current.loaded();
      const giveUpAt = Date.now() + ORT_CALL_WAIT_MS;
      while (!stopGrouping(current.signals) && Date.now() < giveUpAt) await sleep(ORT_CALL_POLL_MS);
      await current.pool.destroy();
      if (thread === current) thread = null;
    },
  };
}
