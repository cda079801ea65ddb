// The engine's handle on the grouping thread (workers/grouping-worker.ts): a re-cluster compares
// and groups a whole event's faces there, at background priority, so kiosk searches and the
// console are answered meanwhile. The thread starts with the first re-cluster and ends a minute
// after the last.
import { Piscina } from 'piscina';
import { groupingTask, type GroupingResult, type GroupingTask } from '../photo/index.js';
import { untilThreadsLoaded, workerScriptPath } from './worker-pool.js';

export interface GroupingThread {
  group(
    faces: readonly { faceId: number; photoId: number; embedding: Float32Array }[],
    groupThreshold: number,
    maxLinks: number,
  ): Promise<GroupingResult>;
  close(): Promise<void>;
}

export function createGroupingThread(): GroupingThread {
  let pool: Piscina<GroupingTask, GroupingResult> | null = null;
  let loaded: () => Promise<void> = async () => undefined;
  return {
    group: (faces, groupThreshold, maxLinks) => {
      if (!pool) {
        pool = new Piscina<GroupingTask, GroupingResult>({
          filename: workerScriptPath('grouping-worker'),
          minThreads: 0,
          maxThreads: 1,
          idleTimeout: 60_000,
        });
        loaded = untilThreadsLoaded(pool);
      }
      const task = groupingTask(faces, groupThreshold, maxLinks);
      // The arrays are built for this task alone: handed over, not copied.
      const buffers = [task.faceIds, task.photoIds, task.embeddings].map((a) => a.buffer as ArrayBuffer);
      return pool.run(task, { transferList: buffers });
    },
    // A re-cluster in flight is ended, not waited for; a thread still loading its script is let
    // finish loading first (untilThreadsLoaded: ending it then aborts the process).
    close: async () => {
      await loaded();
      await pool?.destroy();
      pool = null;
    },
  };
}
