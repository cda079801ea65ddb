// Closing the photo and selfie pools right after they start (a Ctrl+C just after `npm start`, a
// kiosk closed as it opens): a thread ended while Node is still loading its worker script aborts
// the whole process (V8 fatal error; CI saw it with the grouping thread). Real piscina pools
// running the real worker scripts; every close must end cleanly, with the process still up.
import { describe, expect, it } from 'vitest';
import { createPhotoWorkerPool, createSelfiePool } from '../../../src/pipeline/index.js';
import { SELFIE_POOL_OPTIONS } from '../../support/selfie-pool-options.js';

describe('closing a pool whose threads are still loading', () => {
  it('the photo pool closes cleanly at once, again and again', async () => {
    for (let round = 0; round < 5; round++) {
      const pool = createPhotoWorkerPool(2);
      await pool.close();
    }
    // Still here: the process was not aborted, and a new pool still works.
    const pool = createPhotoWorkerPool(1);
    await expect(pool.close()).resolves.toBeUndefined();
  });

  it('the selfie pool closes cleanly at once, also with a selfie queued', async () => {
    for (let round = 0; round < 5; round++) {
      const pool = createSelfiePool(SELFIE_POOL_OPTIONS);
      const outcome = pool.analyse(Buffer.from('not a photo')).then(
        () => 'answered',
        (err: Error) => err.message,
      );
      await pool.close();
      // Either the thread answered (a clear "not an image" error) or the close ended it: never a
      // hang, never a dead process.
      expect(await outcome).toMatch(/answered|terminat|image|unsupported|input/i);
    }
  });
});
