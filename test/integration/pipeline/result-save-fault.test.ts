// A photo's result that cannot be saved because of a fault in the program (not a full or
// missing drive) fails that photo with a reason the photographer can act on, and the event goes
// on. It used to be retried every 5 s for ever under "free space on the data drive", the photo
// stuck as processing: seen when photo workers built before the engine sent a result without a
// field the engine saves. The fault is injected into the real repository (there is no other way
// to make a correct program throw); everything else is the real engine on real files.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRepositories, type Engine } from '../../../src/core/index.js';
import { makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;
let engine: Engine | undefined;

beforeAll(async () => {
  root = await makeTempDir();
});

afterAll(async () => {
  await engine?.stop().catch(() => undefined);
  await removeDir(root);
});

describe('a result the engine cannot save because of a fault in the program', () => {
  it('fails that photo with a reason, saves the others, and does not hang', { timeout: 60_000 }, async () => {
    const card = join(root, 'card');
    await mkdir(card);
    const [a, b] = samplePhotoPaths();
    const broken = join(card, 'IMG_0001.jpg');
    const fine = join(card, 'IMG_0002.jpg');
    await writeFile(broken, await makeSmallPhoto(a!, 800, 1));
    await writeFile(fine, await makeSmallPhoto(b!, 800, 2));

    engine = await startTestEngine(join(root, 'data'), 'one-shot');
    const session = await engine.openEvent('gala');
    const photos = engineRepositories(engine).photos;
    const complete = photos.completePhotoWork.bind(photos);
    photos.completePhotoWork = (photoId, ...rest) => {
      if (photos.getPhoto(photoId)?.path === broken) throw new TypeError("Cannot read properties of undefined (reading 'length')");
      return complete(photoId, ...rest);
    };

    for (const f of [broken, fine]) session.intake.submit(f, null, undefined, card);
    await session.intake.settled();
    await engine.whenIdle(session.event.id);

    const byName = new Map(photos.listPhotos(session.event.id, { limit: 10 }).map((p) => [basename(p.path), p]));
    expect(byName.get('IMG_0002.jpg')?.status).toBe('ready');
    const failed = byName.get('IMG_0001.jpg');
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatch(/Could not save what was found in IMG_0001\.jpg: Cannot read properties of undefined/);
    expect(failed?.error).toMatch(/fault in Shutterfind, not in the photo.*reprocess/);
    expect(failed?.error).not.toMatch(/free space/);
  });
});
