// Fair scheduling in the two worker pools (issue 24): a task waits its turn and no longer, and an
// attendee's selfie never waits behind photos that arrived after it. Real piscina pools running
// the real worker scripts; completion order is what is checked, never a duration.
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/config/index.js';
import { createPhotoWorkerPool } from '../../../src/pipeline/index.js';
import { type FaceTaskOptions, type PhotoTask } from '../../../src/photo/index.js';
import { PHOTO_THREAD_NICE } from '../../../src/photo/index.js';
import { createSelfiePool } from '../../../src/pipeline/index.js';
import { makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import { SELFIE_POOL_OPTIONS } from '../../support/selfie-pool-options.js';

let dir: string;
const photoPaths: string[] = [];
const selfies: Buffer[] = [];
const media = defaultSettings().media;
const faces: FaceTaskOptions = {
  provider: 'cpu',
  detectorPrecision: 'auto',
  threads: 1,
  minFacePx: 40,
  minScore: 0.5,
  tiling: 'adaptive',
  maxFaces: 200,
};

// Enough waiting tasks that piscina's default (a task it could not place goes to the back of the
// queue, every time a thread frees up) visibly reorders them.
const QUEUED = 8;

const photoTask = (i: number, withFaces: boolean): PhotoTask => ({
  photoId: i + 1,
  jobId: i + 1,
  path: photoPaths[i % photoPaths.length]!,
  format: 'jpeg',
  sha256: String(i).padStart(64, '0'),
  dataDir: join(dir, 'data'),
  media,
  previews: true,
  faces: withFaces ? faces : null,
});

/** Nice value of each of this process's threads (Linux keeps one per thread). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Field 19 of the line; the 17th after the closing parenthesis of the thread's name.
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // a thread that ended between the listing and the read
    }
  });
}

/** Starts every job at once and lists the jobs in the order they finished. */
async function finishingOrder(jobs: readonly (() => Promise<unknown>)[]): Promise<number[]> {
  const order: number[] = [];
  await Promise.all(jobs.map((job, i) => job().then(() => order.push(i))));
  return order;
}

beforeAll(async () => {
  dir = await makeTempDir();
  const samples = samplePhotoPaths();
  for (const [i, sample] of samples.entries()) {
    const path = join(dir, `IMG_${i}.JPG`);
    await writeFile(path, await makeSmallPhoto(sample, 1600, i + 1));
    photoPaths.push(path);
    selfies.push(await makeSmallPhoto(sample, 640, i + 11));
  }
});
afterAll(async () => {
  await removeDir(dir);
});

describe('fair scheduling in the worker pools', () => {
  it('hands photos to a full photo pool out in the order they arrived', async () => {
    // One thread: the order photos finish in is the order they were started in.
    const pool = createPhotoWorkerPool(1);
    try {
      const order = await finishingOrder(Array.from({ length: QUEUED + 1 }, (_, i) => () => pool.process(photoTask(i, false))));
      expect(order).toEqual(Array.from({ length: QUEUED + 1 }, (_, i) => i));
    } finally {
      await pool.close();
    }
  });

  it('answers selfies that queue up at a busy selfie worker in the order they arrived', async () => {
    const pool = createSelfiePool(SELFIE_POOL_OPTIONS);
    try {
      await pool.warmUp();
      const order = await finishingOrder(Array.from({ length: QUEUED + 1 }, (_, i) => () => pool.analyse(selfies[i % selfies.length]!)));
      expect(order).toEqual(Array.from({ length: QUEUED + 1 }, (_, i) => i));
    } finally {
      await pool.close();
    }
  });

  it('answers a selfie taken during a busy ingest before photos that arrive after it', async () => {
    const photos = createPhotoWorkerPool(2);
    const selfiePool = createSelfiePool(SELFIE_POOL_OPTIONS);
    try {
      photos.warmUp(faces);
      await selfiePool.warmUp();
      const events: string[] = [];
      const ahead = Array.from({ length: QUEUED }, (_, i) => photos.process(photoTask(i, true)));
      const selfie = selfiePool.analyse(selfies[1]!).then((answer) => {
        events.push('selfie');
        return answer;
      });
      const behind = Array.from({ length: QUEUED }, (_, i) =>
        photos.process(photoTask(QUEUED + i, true)).then(() => events.push(`later photo ${i}`)),
      );
      const [answered] = await Promise.all([selfie, ...ahead, ...behind]);
      expect(answered.faces.length).toBeGreaterThan(0);
      expect(events[0]).toBe('selfie');
    } finally {
      await selfiePool.close();
      await photos.close();
    }
  });

  it.runIf(process.platform === 'linux')('runs photo work below the priority of kiosk selfies', async () => {
    const before = threadNiceValues().filter((n) => n === PHOTO_THREAD_NICE).length;
    const photos = createPhotoWorkerPool(2);
    const selfiePool = createSelfiePool(SELFIE_POOL_OPTIONS);
    try {
      await Promise.all([photos.process(photoTask(0, true)), photos.process(photoTask(1, true)), selfiePool.warmUp()]);
      // Both photo threads, while the thread that made the pools (as the server's) keeps its own.
      expect(threadNiceValues().filter((n) => n === PHOTO_THREAD_NICE).length - before).toBeGreaterThanOrEqual(2);
      expect(getPriority(0)).toBe(0);
    } finally {
      await selfiePool.close();
      await photos.close();
    }
  });
});
