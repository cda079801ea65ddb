// An event imported before Shutterfind knew RAW+JPEG pairs holds each capture twice: two tiles,
// two faces per guest, the photo twice in an attendee's gallery. `shutterfind repair` makes each
// capture one photo, keeping what the organiser and the attendees already have.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, repairDataDir } from '../../../src/core/index.js';
import { createRepositories, openDatabase, type NewFace, type Repositories } from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';

const temp = useTempDatabase();
const T = Date.UTC(2026, 11, 5, 15, 0, 0);

function face(box: NewFace['box'], axis: number): NewFace {
  const embedding = new Float32Array(128);
  embedding[axis] = 1;
  return {
    box,
    landmarks: new Float32Array(136),
    score: 0.99,
    quality: 0.8,
    sharpness: 0.6,
    frontal: 0.9,
    sizePx: box[3],
    cropPath: null,
    embedding,
  };
}

/** A processed photo of the wedding, as the pipeline leaves it. */
function processedPhoto(
  repos: Repositories,
  eventId: number,
  path: string,
  format: string,
  o: { capturedAt: number; width: number; faces: NewFace[] },
): number {
  const id = repos.photos.addPhotoWithJob(
    { eventId, sourceId: null, path, sha256: `sha-${path}`, format, sizeBytes: 1000, mtimeMs: T, landedAt: T },
    3,
    T,
  );
  const jobs = repos.jobs.claimWork('test', T, 60_000, 10).flatMap((w) => [w.lead, ...w.carried]);
  repos.photos.completePhotoWork(
    id,
    jobs.filter((j) => j.photoId === id).map((j) => ({ jobId: j.id })),
    {
      rendered: {
        width: o.width,
        height: (o.width * 2) / 3,
        phash: '0'.repeat(16),
        previewPath: `previews/${id}.jpg`,
        thumbnailPath: `thumbnails/${id}.webp`,
        fileHashes: [],
        capturedAt: o.capturedAt,
        capturedOffsetMinutes: null,
        cameraMake: 'Canon',
        cameraModel: 'Canon EOS R6',
        cameraSerial: '032021001234',
        lens: null,
        orientation: 1,
      },
      faces: o.faces,
    },
    T,
  );
  return id;
}

describe('repairing an event whose RAW+JPEG captures were stored as two photos', () => {
  it('keeps one photo per capture, made from the JPEG, with the RAW, the names, kiosk matches, links and deliveries', async () => {
    const repos = temp.repos;
    const eventId = repos.events.ensureEvent('wedding', T).id;
    // The RAW's preview is half the JPEG's size (a camera writing a smaller embedded preview).
    const raw = processedPhoto(repos, eventId, '/card/IMG_0412.CR3', 'cr3', {
      capturedAt: T,
      width: 3000,
      faces: [face([1000, 500, 200, 240], 1)],
    });
    const jpeg = processedPhoto(repos, eventId, '/card/IMG_0412.JPG', 'jpeg', {
      capturedAt: T,
      width: 6000,
      faces: [face([2000, 1000, 400, 480], 1)],
    });
    const other = processedPhoto(repos, eventId, '/card/IMG_0413.JPG', 'jpeg', { capturedAt: T + 5000, width: 6000, faces: [] });
    // The card's other folder: the same capture by time and body, another name.
    const rawB = processedPhoto(repos, eventId, '/card/B/X_0414.CR3', 'cr3', { capturedAt: T + 9000, width: 6000, faces: [] });
    const jpegB = processedPhoto(repos, eventId, '/card/A/IMG_0414.JPG', 'jpeg', { capturedAt: T + 9000, width: 6000, faces: [] });

    // The organiser named the guest on the RAW's face; the JPEG's face sits in an unnamed person.
    const [rawFace] = repos.faces.facesOfPhoto(raw);
    const [jpegFace] = repos.faces.facesOfPhoto(jpeg);
    const ana = repos.persons.createPerson(eventId, T);
    repos.persons.setFacePerson([rawFace!.id], ana);
    repos.persons.renamePerson(eventId, ana, 'Ana', T);
    const unnamed = repos.persons.createPerson(eventId, T);
    repos.persons.setFacePerson([jpegFace!.id], unnamed);
    repos.persons.refreshPersons([ana, unnamed], T);
    // An attendee found the RAW's photo at the kiosk, took it home, and got a gallery link.
    const kiosk = repos.kiosks.addDevice(eventId, 'Kiosk by the bar', 'kiosk-token-hash', T);
    repos.kiosks.startSession('s1', eventId, kiosk, T, T + 3_600_000);
    repos.kiosks.recordMatches('s1', new Float32Array(128), [raw, other]);
    repos.galleries.addLink('hash-1', eventId, 's1', [raw, jpeg, other], T, T + 86_400_000);
    const delivery = repos.galleries.addDelivery(eventId, 's1', 'email', 'ana@example.com', [raw], T);
    // Another took the RAW's photo home from "Maybe you?" and asked for new photos of her.
    repos.kiosks.startSession('s2', eventId, kiosk, T, T + 3_600_000);
    repos.kiosks.recordMatches('s2', new Float32Array(128), [raw]);
    repos.kiosks.recordTakeHome('s2', true, 'email:bea@example.com');
    repos.kiosks.recordChosenFaces('s2', [{ photoId: raw, box: [1000, 500, 200, 240] }]);
    repos.kiosks.endSession('s2', T + 30 * 86_400_000, T);
    temp.db.close();

    const report = await repairDataDir(temp.dir, createLogger({ logDir: null, terminal: 'none' }));
    expect(report).toMatchObject({ healthy: true, mergedPairs: 2 });

    const db = openDatabase(join(temp.dir, 'shutterfind.db'));
    try {
      const after = createRepositories(db);
      const photos = after.photos.listPhotos(eventId, { limit: 100 });
      expect(photos.map((p) => p.fileName)).toEqual(['IMG_0412.JPG', 'IMG_0413.JPG', 'IMG_0414.JPG']);
      expect(after.pairs.filesOfPhoto(jpeg).map((f) => [f.fileName, f.role, f.pairedBy])).toEqual([['IMG_0412.CR3', 'raw', 'repair']]);
      expect(after.pairs.filesOfPhoto(jpegB).map((f) => f.fileName)).toEqual(['X_0414.CR3']);
      expect(after.photos.getPhoto(raw)).toBeUndefined();
      expect(after.photos.getPhoto(rawB)).toBeUndefined();

      // One face per guest, and it carries the organiser's name.
      expect(after.faces.facesOfPhoto(jpeg).map((f) => f.personId)).toEqual([ana]);
      expect(after.persons.listPersons(eventId).map((p) => [p.name, p.faceCount])).toEqual([['Ana', 1]]);

      // What attendees have points at the kept photo, each photo once.
      expect(after.kiosks.getSession('s1')?.matchedPhotoIds).toEqual([jpeg, other]);
      expect(after.galleries.linkByTokenHash('hash-1')?.photoIds).toEqual([jpeg, other]);
      expect(after.galleries.getDelivery(delivery)?.photoIds).toEqual([jpeg]);
      // The face she chose is on the kept photo, in its pixels (the JPEG is twice the RAW's preview).
      const bea = after.kiosks.followingSessions(eventId, T).find((f) => f.id === 's2');
      expect(bea?.chosenFaces).toEqual([{ photoId: jpeg, box: [2000, 1000, 400, 480] }]);

      // A RAW file seen again (a re-import of the card) is known, not a new photo.
      expect(after.pairs.findFileBySha(eventId, 'sha-/card/IMG_0412.CR3')?.photoId).toBe(jpeg);
    } finally {
      db.close();
    }

    // Repair again: nothing left to merge.
    expect(await repairDataDir(temp.dir, createLogger({ logDir: null, terminal: 'none' }))).toMatchObject({ mergedPairs: 0 });
  });

  it('keeps a guest who asked not to be published opted out on the kept photo', async () => {
    const repos = temp.repos;
    const eventId = repos.events.ensureEvent('wedding', T).id;
    const raw = processedPhoto(repos, eventId, '/card/IMG_0500.CR3', 'cr3', {
      capturedAt: T,
      width: 6000,
      faces: [face([900, 400, 300, 360], 2)],
    });
    const jpeg = processedPhoto(repos, eventId, '/card/IMG_0500.JPG', 'jpeg', {
      capturedAt: T,
      width: 6000,
      faces: [face([900, 400, 300, 360], 2)],
    });
    // At the kiosk she opted out; her person (unnamed) held only the RAW photo's face.
    const [rawFace] = repos.faces.facesOfPhoto(raw);
    const [jpegFace] = repos.faces.facesOfPhoto(jpeg);
    const her = repos.persons.createPerson(eventId, T);
    repos.persons.setFacePerson([rawFace!.id], her);
    const other = repos.persons.createPerson(eventId, T);
    repos.persons.setFacePerson([jpegFace!.id], other);
    repos.optOuts.addOptOuts([
      { eventId, personId: her, personName: null, faceEmbedding: null, source: 'kiosk', kioskSessionId: null, note: null, createdAt: T },
    ]);
    temp.db.close();

    expect(await repairDataDir(temp.dir, createLogger({ logDir: null, terminal: 'none' }))).toMatchObject({ mergedPairs: 1 });
    const db = openDatabase(join(temp.dir, 'shutterfind.db'));
    try {
      const after = createRepositories(db);
      const [kept] = after.faces.facesOfPhoto(jpeg);
      expect(kept!.personId).toBe(her);
      expect(after.optOuts.activeOptOuts(eventId).map((o) => o.personId)).toContain(her);
    } finally {
      db.close();
    }
  });
});
