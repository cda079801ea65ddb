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
}

/** Persons (face-id lists), or the pairs limit that stopped the comparing (an error's class does not cross threads). */
export type GroupingResult = { persons: number[][] } | { tooManyLinks: string };

export function groupingTask(faces: readonly GroupedFace[], groupThreshold: number, maxLinks: number): GroupingTask {
  const dims = faces[0]?.embedding.length ?? 0;
  const embeddings = new Float32Array(faces.length * dims);
  faces.forEach((f, i) => embeddings.set(f.embedding, i * dims));
  return {
    faceIds: Int32Array.from(faces, (f) => f.faceId),
    photoIds: Int32Array.from(faces, (f) => f.photoId),
    embeddings,
    groupThreshold,
    maxLinks,
  };
}

/** Every pair of the task's faces compared, then grouped by average distance (what `recluster` does). */
export async function runGroupingTask(task: GroupingTask): Promise<GroupingResult> {
  const dims = task.faceIds.length ? task.embeddings.length / task.faceIds.length : 0;
  const faces = Array.from(task.faceIds, (faceId, i) => ({
    faceId,
    photoId: task.photoIds[i]!,
    embedding: task.embeddings.subarray(i * dims, (i + 1) * dims),
  }));
  let adjacency: number[][];
  try {
    adjacency = await linkGraphOnnx(faces, task.groupThreshold, undefined, { maxLinks: task.maxLinks });
  } catch (err) {
    if (err instanceof TooManyLinksError) return { tooManyLinks: err.message };
    throw err;
  }
  return { persons: groupByAverageDistance(faces, adjacency, task.groupThreshold) };
}
