// The engine with the face stage on: faces land in the database, are grouped into people, and
// the in-memory index a kiosk searches stays in step with what is stored.
import { join } from 'node:path';
import { engineRepositories, engineFaceIndexes } from '../../../src/core/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestPhotosInIndex } from '../../../src/search/index.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;

beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeDir(root);
});

describe('engine with faces', () => {
  it('keeps the kiosk face index equal to the stored faces as photos land', async () => {
    const engine = await startTestEngine(join(root, 'data'), 'one-shot', { faces: { enabled: true } });
    try {
      const session = await engine.openEvent('party');
      const eventId = session.event.id;
      // Loaded while the event is still empty, as a kiosk would at the start of the night.
      expect(engineFaceIndexes(engine).forEvent(eventId).size).toBe(0);
      const [first, , third] = samplePhotoPaths();
      for (const p of [first!, third!]) session.intake.submit(p, null);
      await session.intake.settled();
      await engine.whenIdle(eventId);

      const repos = engineRepositories(engine);
      const index = engineFaceIndexes(engine).forEvent(eventId);
      expect(index.size).toBe(repos.faces.countFaces(eventId));
      expect(index.size).toBe(6);
      // Five people: the woman on the right of sample 1 and the one in the middle of sample 3 look
      // like one woman, and the calibrated descriptors agree (cosine 0.036, inside the link threshold
      // that keeps 1 in 100,000 strangers apart). The previous configuration split her in two.
      expect(repos.persons.countPersons(eventId)).toBe(5);

      // Every stored face, used as a query, finds the same photos through the index as through sqlite-vec.
      const maxDistance = loadMatchThreshold().searchThreshold;
      const photos = repos.photos.listPhotos(eventId, { limit: 100 }).map((p) => p.id);
      for (const photoId of photos) {
        for (const face of repos.faces.facesOfPhoto(photoId)) {
          const [embedding] = repos.faceVectors.vectorsOf([face.id]);
          const viaIndex = nearestPhotosInIndex(index, repos.faceVectors, embedding!, { limit: 10, maxDistance });
          const viaSqlite = repos.faceVectors.nearestPhotos(eventId, embedding!, { limit: 10, maxDistance, mode: 'exact' });
          expect(viaIndex.map((m) => [m.photoId, m.faceId])).toEqual(viaSqlite.map((m) => [m.photoId, m.faceId]));
          expect(viaIndex[0]).toMatchObject({ photoId, faceId: face.id });
        }
      }
    } finally {
      await engine.stop();
    }
  });
});
