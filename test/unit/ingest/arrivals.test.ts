import { describe, expect, it } from 'vitest';
import { createArrivalTracker } from '../../../src/ingest/arrivals.js';
import type { FileObservation } from '../../../src/ingest/index.js';
import { waitFor } from '../../support/temp-dir.js';

const complete = (at: number): FileObservation => ({ at, size: 1000, mtimeMs: 0, format: 'jpeg', completeness: 'complete' });

describe('following arriving files', () => {
  it('reports a file whose read hangs once the probe deadline passes, and takes the files queued behind it', async () => {
    const failed: { path: string; reason: string }[] = [];
    const taken: string[] = [];
    const tracker = createArrivalTracker(
      {
        onComplete: async (path) => {
          taken.push(path);
          return 'taken';
        },
        onFailed: (path, reason) => failed.push({ path, reason }),
      },
      {
        policy: { probeIntervalMs: 10, stableForMs: 0, unmarkedStableForMs: 0, truncatedAfterMs: 1_000 },
        // One probe at a time: without a deadline the hung read would hold up every other file.
        maxConcurrentProbes: 1,
        maxConcurrentAdmissions: 1,
        probeDeadlineMs: 200,
        // A drive that stopped answering: the read never returns.
        observe: (path) => (path.endsWith('hung.jpg') ? new Promise<FileObservation>(() => {}) : Promise.resolve(complete(Date.now()))),
      },
    );
    try {
      tracker.notice('/hot/hung.jpg');
      tracker.notice('/hot/IMG_0001.JPG');
      await waitFor(() => taken.length === 1 && failed.length === 1, 'the hung file reported and the next one taken', 5_000);
      expect(taken).toEqual(['/hot/IMG_0001.JPG']);
      expect(failed[0]).toEqual({
        path: '/hot/hung.jpg',
        reason: expect.stringMatching(/reading the file hung .*stopped answering.*shutterfind retry/),
      });
      await tracker.settled();
    } finally {
      tracker.close();
    }
  });

  it('records nothing for a probe that finishes after the tracker was closed (the store may be closed by then)', async () => {
    let finishProbe: ((o: FileObservation) => void) | undefined;
    const calls: string[] = [];
    const tracker = createArrivalTracker(
      {
        onComplete: async (path) => {
          calls.push(`complete ${path}`);
          return 'taken';
        },
        onFailed: (path) => calls.push(`failed ${path}`),
      },
      {
        policy: { probeIntervalMs: 10, stableForMs: 0, unmarkedStableForMs: 0, truncatedAfterMs: 1_000 },
        maxConcurrentProbes: 1,
        maxConcurrentAdmissions: 1,
        observe: () => new Promise<FileObservation>((resolve) => (finishProbe = resolve)),
      },
    );
    tracker.notice('/hot/IMG_0002.JPG');
    const finish = await waitFor(() => finishProbe, 'the probe to start', 2_000);
    tracker.close();
    finish(complete(Date.now()));
    // Let the probe's continuation run: a few turns of the event loop, nothing to wait for.
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(calls).toEqual([]);
  });
});
