// Real, different photos of two people (test/fixtures/face-identities: other days, light, poses):
// the selfie of one, a photo that is not in the event, finds every event photo of that person and
// none of the other, through the kiosk's own search path.
import { mkdir } from 'node:fs/promises';
import { engineRepositories, engineFaceIndexes } from '../../../src/core/index.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/core/index.js';
import { dominantFace, kioskDistances, tieredPhotosForEmbedding } from '../../../src/search/index.js';
import { DEFAULT_DETECT_OPTIONS, FaceEngine, loadMatchThreshold } from '../../../src/vision/index.js';
import { analyseSelfie } from '../../../src/photo/index.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/face-identities/', import.meta.url));
const portrait = (who: string, n: number) => join(FIXTURES, who, `${n}.jpg`);
const A = 'catherine_deneuve';
const B = 'kevin_costner';

/** Portraits side by side on a plain background, faces about 130-200 px, as an event photo. */
async function eventPhoto(file: string, people: { who: string; n: number; size: number }[]): Promise<void> {
  let x = 60;
  const layers = [];
  for (const p of people) {
    layers.push({ input: await sharp(portrait(p.who, p.n)).resize(p.size, p.size).toBuffer(), left: x, top: 200 });
    x += p.size + 150;
  }
  await sharp({ create: { width: 1800, height: 1200, channels: 3, background: { r: 96, g: 120, b: 140 } } })
    .composite(layers)
    .jpeg({ quality: 92 })
    .toFile(file);
}

let root: string;
let engine: Engine;
let faceEngine: FaceEngine;
let eventId: number;
const photoOf = new Map<number, string>();

beforeAll(async () => {
  root = await makeTempDir();
  const cards = join(root, 'card');
  await mkdir(cards);
  // A's photos 2-5 and B's photos 2-5 (their photo 1 is each one's selfie); two group shots.
  const plan: Record<string, { who: string; n: number; size: number }[]> = {
    'a-and-b-1.jpg': [
      { who: A, n: 2, size: 420 },
      { who: B, n: 2, size: 520 },
    ],
    'a-and-b-2.jpg': [
      { who: B, n: 3, size: 400 },
      { who: A, n: 3, size: 480 },
    ],
    'a-alone.jpg': [{ who: A, n: 4, size: 560 }],
    'a-far.jpg': [{ who: A, n: 5, size: 330 }],
    'b-alone.jpg': [{ who: B, n: 4, size: 500 }],
    'b-far.jpg': [{ who: B, n: 5, size: 340 }],
  };
  for (const [name, people] of Object.entries(plan)) await eventPhoto(join(cards, name), people);
  engine = await startTestEngine(join(root, 'data'), 'one-shot', { faces: { enabled: true } });
  const session = await engine.openEvent('gala');
  eventId = session.event.id;
  for (const name of Object.keys(plan)) session.intake.submit(join(cards, name), null);
  await session.intake.settled();
  await engine.whenIdle(eventId);
  for (const p of engineRepositories(engine).photos.listPhotos(eventId, { limit: 100 })) photoOf.set(p.id, p.fileName);
  faceEngine = await FaceEngine.open({ provider: 'cpu', threads: 2 });
});

afterAll(async () => {
  await faceEngine?.release();
  await engine?.stop();
  await removeDir(root);
});

async function kioskSearch(selfie: string) {
  const analysed = await analyseSelfie(faceEngine, await sharp(selfie).toBuffer(), DEFAULT_DETECT_OPTIONS);
  const found = tieredPhotosForEmbedding(engineRepositories(engine), eventId, dominantFace(analysed.faces).embedding, {
    ...kioskDistances(loadMatchThreshold()),
    index: engineFaceIndexes(engine).forEvent(eventId),
  });
  const names = (ms: { photoId: number }[]) => ms.map((m) => photoOf.get(m.photoId)!).sort();
  return { sure: names(found.sure), maybe: names(found.maybe) };
}

describe('a selfie among real photos of two people', () => {
  it('finds every event photo of person A and none that shows only person B', async () => {
    expect(engineRepositories(engine).faces.countFaces(eventId)).toBe(8);
    const found = await kioskSearch(portrait(A, 1));
    expect(found.sure).toEqual(['a-alone.jpg', 'a-and-b-1.jpg', 'a-and-b-2.jpg', 'a-far.jpg']);
    expect(found.maybe).toEqual([]);
  });

  it('finds every event photo of person B and none that shows only person A', async () => {
    const found = await kioskSearch(portrait(B, 1));
    expect(found.sure).toEqual(['a-and-b-1.jpg', 'a-and-b-2.jpg', 'b-alone.jpg', 'b-far.jpg']);
    expect(found.maybe).toEqual([]);
  });

  it('keeps the two people apart in the people list, each with all of their photos', () => {
    const persons = engineRepositories(engine)
      .persons.listPersons(eventId)
      .map((p) =>
        engineRepositories(engine)
          .faces.photoIdsOfPerson(eventId, p.id)
          .map((id) => photoOf.get(id)!)
          .sort(),
      );
    expect(persons.sort()).toEqual([
      ['a-alone.jpg', 'a-and-b-1.jpg', 'a-and-b-2.jpg', 'a-far.jpg'],
      ['a-and-b-1.jpg', 'a-and-b-2.jpg', 'b-alone.jpg', 'b-far.jpg'],
    ]);
  });
});
