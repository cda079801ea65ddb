// A re-cluster's comparing and grouping on the engine's worker thread (workers/grouping-worker.ts,
// built by `npm run build`) make exactly the persons the calling thread makes, the pairs limit
// still refuses, and closing the thread mid-work never takes the process down.
import { afterAll, describe, expect, it } from 'vitest';
import { groupByAverageDistance, type GroupedFace } from '../../../src/vision/average-distance-grouping.js';
import { linkGraph } from '../../../src/people/face-clustering.js';
import { createGroupingThread } from '../../../src/pipeline/index.js';
import { RECLUSTER_MAX_LINKS } from '../../../src/people/persons.js';
import { loadMatchThreshold, TooManyLinksError } from '../../../src/vision/index.js';
import { seededRandom } from '../../support/random-vectors.js';

const { groupThreshold } = loadMatchThreshold();
const thread = createGroupingThread();
afterAll(() => thread.close());

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('the grouping thread', () => {
  it('groups 40 guests in 60 group photos as the calling thread does', async () => {
    const rand = seededRandom(5);
    const guests = Array.from({ length: 40 }, () => unit(Float32Array.from({ length: 128 }, () => rand() - 0.5)));
    const faces: GroupedFace[] = [];
    for (let photo = 1; photo <= 60; photo++)
      for (let k = 0; k < 5; k++) {
        const guest = guests[Math.floor(rand() * guests.length)]!;
        const noise = Float32Array.from({ length: 128 }, () => rand() - 0.5);
        faces.push({ faceId: faces.length + 1, photoId: photo, embedding: unit(guest.map((x, i) => x + 0.06 * noise[i]!)) });
      }
    const adjacency = linkGraph(faces, groupThreshold);
    const here = groupByAverageDistance(faces, adjacency, groupThreshold);
    expect(here.length).toBeGreaterThan(30);
    expect(here.length).toBeLessThan(faces.length);
    expect(await thread.group(faces, groupThreshold, RECLUSTER_MAX_LINKS)).toEqual({ persons: here });
  });

  it('groups an event without faces', async () => {
    expect(await thread.group([], groupThreshold, RECLUSTER_MAX_LINKS)).toEqual({ persons: [] });
  });

  it('ends a grouping at once when the engine closes the thread (quitting does not wait for a re-cluster)', async () => {
    const rand = seededRandom(9);
    const faces = Array.from({ length: 40_000 }, (_, i) => ({
      faceId: i + 1,
      photoId: i + 1,
      embedding: unit(Float32Array.from({ length: 128 }, () => rand() - 0.5)),
    }));
    const closing = createGroupingThread();
    // The thread has loaded its script (a first grouping answered), so closing does not wait for that.
    await closing.group([], groupThreshold, RECLUSTER_MAX_LINKS);
    const outcome = closing.group(faces, groupThreshold, RECLUSTER_MAX_LINKS).then(
      () => 'grouped',
      (err: Error) => err.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await closing.close();
    expect(await outcome).toMatch(/terminat/i);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('closes a thread at any moment of its comparing without taking the process down', async () => {
    // Ended inside an ONNX Runtime call (opening the session, a block of rows, releasing it), the
    // thread aborted the whole test process ("terminate called after throwing an instance of
    // 'Napi::Error'"): 8 runs of this test out of 8 on a 2-core machine kept busy by two other
    // processes. Closing now waits for the call in flight and ends the thread between calls.
    const rand = seededRandom(13);
    const faces = Array.from({ length: 1_500 }, (_, i) => ({
      faceId: i + 1,
      photoId: i + 1,
      embedding: unit(Float32Array.from({ length: 128 }, () => rand() - 0.5)),
    }));
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      const closing = createGroupingThread();
      // A first grouping of two faces has the thread load its script and the comparing's code, so
      // the next one opens its session as soon as it arrives.
      await closing.group(faces.slice(0, 2), groupThreshold, RECLUSTER_MAX_LINKS);
      const outcome = closing.group(faces, groupThreshold, RECLUSTER_MAX_LINKS).then(
        () => 'grouped',
        (err: Error) => err.message,
      );
      // Closed at moments 2.5 ms apart over the first 100 ms: the session opening, then its runs.
      await new Promise((resolve) => setTimeout(resolve, (round * 100) / rounds));
      const started = performance.now();
      await closing.close();
      expect(await outcome).toMatch(/grouped|terminat/i);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });

  it('closes a thread that is still loading its script without taking the process down', async () => {
    // Ended while Node was loading its ES module script, a thread aborted the whole test process
    // (V8 fatal error) in CI. Closed at once, again and again, the thread must end cleanly.
    const same = new Float32Array(128).fill(1 / Math.sqrt(128));
    for (let round = 0; round < 5; round++) {
      const closing = createGroupingThread();
      const outcome = closing.group([{ faceId: 1, photoId: 1, embedding: same }], groupThreshold, RECLUSTER_MAX_LINKS).then(
        () => 'grouped',
        (err: Error) => err.message,
      );
      await closing.close();
      expect(await outcome).toMatch(/grouped|terminat/i);
    }
  });

  it('stops past the pairs limit and says so', async () => {
    const same = new Float32Array(128).fill(1 / Math.sqrt(128));
    const faces = Array.from({ length: 20 }, (_, i) => ({ faceId: i + 1, photoId: i + 1, embedding: same }));
    expect(await thread.group(faces, groupThreshold, 50)).toEqual({ tooManyLinks: new TooManyLinksError(50).message });
  });
});
