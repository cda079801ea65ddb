// The real engine describing an event again after a change of face network, with an attendee
// waiting for new photos of her: one of the photos her description is rebuilt from cannot be
// described again (its file was moved away). Her one search for the photos described before her
// description was ready still runs, and finds the photo of her the kiosk had not shown her.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRepositories, type Engine } from '../../../src/core/index.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const EVENT = 'gala';
/** One worker: the photos are described again in the order they landed. */
const SETTINGS = { faces: { enabled: true }, pipeline: { workers: 1 } };
const HER = samplePhotoPaths()[5]!;

let root: string;
let dataDir: string;

beforeAll(async () => {
  root = await makeTempDir();
  dataDir = join(root, 'data');
});
afterAll(async () => {
  await removeDir(root);
});

async function withEngine<T>(body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await startTestEngine(dataDir, 'one-shot', SETTINGS);
  try {
    return await body(engine);
  } finally {
    await engine.stop();
  }
}

describe('an attendee waiting for new photos when the face network changes', () => {
  it('still gets the photo of her described again before her description was rebuilt, when one of her photos cannot be described again', async () => {
    // Landed in this order: a photo of her the kiosk did not show her, then the two she got.
    const card = join(root, 'card');
    const files = { missed: join(card, 'her-brighter.jpg'), got: join(card, 'her.jpg'), gone: join(card, 'her-mirrored.jpg') };
    await mkdir(card);
    await writeFile(files.missed, await sharp(HER).modulate({ brightness: 1.25 }).jpeg({ quality: 85 }).toBuffer());
    await writeFile(files.got, await sharp(HER).jpeg({ quality: 92 }).toBuffer());
    await writeFile(files.gone, await sharp(HER).flop().jpeg({ quality: 90 }).toBuffer());

    const setUp = await withEngine(async (engine) => {
      const session = await engine.openEvent(EVENT);
      for (const path of Object.values(files)) {
        session.intake.submit(path, null);
        await session.intake.settled();
      }
      await engine.whenIdle(session.event.id);
      const repos = engineRepositories(engine);
      const eventId = session.event.id;
      const photoIds = Object.fromEntries(
        Object.entries(files).map(([k, path]) => [k, repos.photos.listPhotos(eventId, { limit: 10 }).find((p) => p.path === path)!.id]),
      ) as Record<keyof typeof files, number>;
      // Stand-ins for an earlier network's descriptors (another unit vector for every face), and
      // the event recorded as described by face-api's dlib port.
      const faces = repos.faces
        .facesOfPhoto(photoIds.missed)
        .concat(repos.faces.facesOfPhoto(photoIds.got), repos.faces.facesOfPhoto(photoIds.gone));
      const stale = repos.faceVectors.vectorsOf(faces.map((f) => f.id)).map((v) => v!.map((x, d) => (d % 2 ? -x : x)));
      repos.faceVectors.deleteFaces(faces.map((f) => f.id));
      repos.faceVectors.insertMany(faces.map((f, i) => ({ faceId: f.id, eventId, embedding: stale[i]! })));
      repos.events.recordFaceDescriptor(eventId, 'face-api-resnet34-128d', Date.now());
      // She took home her two photos and asked for new ones; her description is of the earlier network.
      const herFace = faces.findIndex((f) => f.photoId === photoIds.got);
      const kiosk = repos.kiosks.addDevice(eventId, 'Kiosk', 'token-hash', Date.now());
      repos.kiosks.startSession('ana', eventId, kiosk, Date.now(), Date.now() + 600_000);
      repos.kiosks.recordMatches('ana', stale[herFace]!, [photoIds.got, photoIds.gone]);
      repos.kiosks.recordTakeHome('ana', true, 'email:ana@example.com');
      repos.kiosks.endSession('ana', Date.now() + 30 * 86_400_000, Date.now());
      return { eventId, photoIds };
    });
    // One of her photos is moved away before the faces are described again.
    await rm(files.gone);

    await withEngine(async (engine) => {
      const repos = engineRepositories(engine);
      await engine.whenIdle(setUp.eventId);
      const [ana] = repos.kiosks.followingSessions(setUp.eventId, Date.now());
      expect(repos.photos.getPhoto(setUp.photoIds.gone)?.status).toBe('ready');
      // Rebuilt from her one face described again; the place in the photo moved away is settled.
      expect(ana?.anchors?.map((a) => a.photoId)).toEqual([setUp.photoIds.got]);
      expect(ana?.matchedPhotoIds.sort()).toEqual([setUp.photoIds.got, setUp.photoIds.gone, setUp.photoIds.missed].sort());
    });
  });
});
