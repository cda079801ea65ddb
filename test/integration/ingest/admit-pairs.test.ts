// Two files of one capture admitted at once (hashing runs two files side by side): the pair must
// never be split into two photos, whichever finishes first.
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { admitFile, type AdmitDeps } from '../../../src/ingest/index.js';
import { makeFlatJpeg, makeCr3 } from '../../fixtures/raw-files.js';
import { useTempDatabase } from '../../support/database.js';

const temp = useTempDatabase();

async function observed(path: string, format: string) {
  const s = await stat(path);
  return { at: Date.now(), size: s.size, mtimeMs: Math.floor(s.mtimeMs), format, completeness: 'complete' as const };
}

describe('admitting the two files of a capture at the same time', () => {
  it('pairs a RAW with the JPEG admitted while the RAW was deciding how long to wait for it', async () => {
    const eventId = temp.repos.events.ensureEvent('wedding', 0).id;
    const jpeg = makeFlatJpeg(640, 480);
    const rawPath = join(temp.dir, 'IMG_0412.CR3');
    const jpegPath = join(temp.dir, 'IMG_0412.JPG');
    await writeFile(rawPath, makeCr3(jpeg));
    await writeFile(jpegPath, jpeg);

    // The RAW's wait is answered only once the JPEG has been recorded: the worst interleaving.
    let answer: (ms: number) => void = () => undefined;
    let asked: () => void = () => undefined;
    const waitAsked = new Promise<void>((r) => (asked = r));
    const deps: AdmitDeps = {
      photos: temp.repos.photos,
      pairs: temp.repos.pairs,
      maxAttempts: 3,
      now: () => 1000,
      rawWaits: {
        waitFor: () => {
          asked();
          return new Promise<number>((r) => (answer = r));
        },
        rawAlone: () => undefined,
        paired: () => undefined,
      },
    };
    const request = async (path: string, format: string) => ({
      eventId,
      sourceId: null,
      priority: 0,
      path,
      observation: await observed(path, format),
      landedAt: 1000,
    });
    const raw = admitFile(deps, await request(rawPath, 'cr3'));
    await waitAsked;
    const jpegAdmitted = await admitFile(deps, await request(jpegPath, 'jpeg'));
    answer(2000);

    expect(jpegAdmitted.outcome).toBe('added');
    expect(await raw).toMatchObject({ outcome: 'paired', role: 'raw' });
    const photos = temp.repos.photos.listPhotos(eventId, { limit: 10 });
    expect(photos.map((p) => p.fileName)).toEqual(['IMG_0412.JPG']);
    expect(temp.repos.pairs.filesOfPhoto(photos[0]!.id).map((f) => f.fileName)).toEqual(['IMG_0412.CR3']);
  });
});
