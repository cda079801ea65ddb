// A re-cluster's comparing and grouping as one task for a worker thread (workers/grouping-worker.ts):
// the faces' descriptors in one array, so 100k faces cross to the thread as a few typed arrays
// instead of 100k objects. The comparing (ONNX Runtime, every core) and the grouping (one core,
// about 9 s at 100k faces) then run off the engine's main thread, at a photo worker's priority.
import { groupByAverageDistance, linkGraphOnnx, TooManyLinksError, type GroupedFace } from '../vision/index.js';

export interface GroupingTask {
  faceIds: Int32Array;
  photoIds: Int32Array;
  /** Every face's descriptor, one after another. */
  embeddings: Float32Array;
  groupThreshold: number;
  /** Linked pairs held at most (RECLUSTER_MAX_LINKS). */
  maxLinks: number;
  /** Shared with the engine's thread (groupingSignals): how closing stops the comparing. */
  signals: Int32Array;
}

// The slots of the signals. Closing sets STOP, then ends the thread only once IN_ORT reads 0: a
// thread ended inside an ONNX Runtime call aborts the whole process (vision/face-links.ts). Both
// sides write their own slot before reading the other's (Atomics are sequentially consistent), so
// either the closer sees the call in flight, or the grouping thread sees STOP and makes no call.
const STOP = 0;
const IN_ORT = 1;

/** The memory the engine's thread and the grouping thread share, one per thread. */
export function groupingSignals(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * The engine's side: no ONNX Runtime call starts from now on. True once none is in flight either,
 * so the thread may be ended; the caller asks again until then.
 */
export function stopGrouping(signals: Int32Array): boolean {
  Atomics.store(signals, STOP, 1);
  return Atomics.load(signals, IN_ORT) === 0;
}

/** The grouping thread's side, around each ONNX Runtime call of the comparing. */
function ortCallGate(signals: Int32Array) {
  return {
    enter: () => {
      Atomics.store(signals, IN_ORT, 1);
      if (Atomics.load(signals, STOP) === 0) return true;
      Atomics.store(signals, IN_ORT, 0);
      return false;
    },
    leave: () => void Atomics.store(signals, IN_ORT, 0),
  };
}

/** Persons (face-id lists), or the pairs limit that stopped the comparing (an error's class does not cross threads). */
export type GroupingResult = { persons: number[][] } | { tooManyLinks: string };

export function groupingTask(faces: readonly GroupedFace[], groupThreshold: number, maxLinks: number, signals: Int32Array): GroupingTask {
  const dims = faces[0]?.embedding.length ?? 0;
  const embeddings = new Float32Array(faces.length * dims);
  faces.forEach((f, i) => embeddings.set(f.embedding, i * dims));
  return {
    faceIds: Int32Array.from(faces, (f) => f.faceId),
    photoIds: Int32Array.from(faces, (f) => f.photoId),
    embeddings,
    groupThreshold,
    maxLinks,
    signals,
  };
}

/**
 * Every pair of the task's faces compared, then grouped by average distance (what `recluster`
 * does). The grouping, JavaScript alone, may be ended at any moment; the comparing stops between
 * ONNX Runtime calls once the engine asks (stopGrouping).
 */
export async function runGroupingTask(task: GroupingTask): Promise<GroupingResult> {
  const dims = task.faceIds.length ? task.embeddings.length / task.faceIds.length : 0;
  const faces = Array.from(task.faceIds, (faceId, i) => ({
    faceId,
    photoId: task.photoIds[i]!,
    embedding: task.embeddings.subarray(i * dims, (i + 1) * dims),
  }));
  let adjacency: number[][];
  try {
    adjacency = await linkGraphOnnx(faces, task.groupThreshold, undefined, {
      maxLinks: task.maxLinks,
      gate: ortCallGate(task.signals),
    });
  } catch (err) {
    if (err instanceof TooManyLinksError) return { tooManyLinks: err.message };
    throw err;
  }
  return { persons: groupByAverageDistance(faces, adjacency, task.groupThreshold) };
}
