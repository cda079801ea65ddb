// An attendee's gallery ZIP when photos in the hot folder have hostile names (legal file names on
// Linux and macOS): the real engine ingests them, the real server zips them, and the ZIP is read back.
import sharp from 'sharp';
import { engineRepositories } from '../../../src/core/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, newToken } from '../../../src/config/index.js';
import { readZipEntries } from '../../e2e/support/zip-entries.js';
import { dropPhoto, startServedEvent, waitForPhotos, type ServedEvent } from './served-event.js';

/** Each hostile name and the entry an attendee gets for it. */
const HOSTILE: [string, string][] = [
  ['..\\..\\evil.jpg', 'evil.jpg'],
  ['C:\\Windows\\System32\\evil.jpg', 'evil (2).jpg'],
  ['C:evil.jpg', 'C_evil.jpg'],
  ['IMG\u001b[2J\nfake line.jpg', 'IMG_[2J_fake line.jpg'],
  ['CON.jpg', '_CON.jpg'],
  ['photo\u202Egpj.exe.jpg', 'photogpj.exe.jpg'],
  ['IMG_0001.jpg', 'IMG_0001.jpg'],
  ['img_0001.JPG', 'img_0001 (2).jpg'],
];

let ev: ServedEvent;
let token: string;

beforeAll(async () => {
  ev = await startServedEvent();
  // Small faceless frames, each a different colour so every file is a photo of its own.
  for (const [i, [name]] of HOSTILE.entries()) {
    const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 30 * i, g: 100, b: 200 - 20 * i } } })
      .jpeg()
      .toBuffer();
    await dropPhoto(ev.watchDir, name, jpeg);
  }
  const photos = await waitForPhotos(
    ev,
    HOSTILE.map(([name]) => name),
  );
  token = newToken();
  const now = Date.now();
  engineRepositories(ev.engine).galleries.addLink(
    hashSecret(token),
    ev.eventId,
    null,
    HOSTILE.map(([name]) => photos.get(name)!.id),
    now,
    now + 3_600_000,
  );
});

afterAll(async () => {
  await ev?.close();
});

describe('gallery ZIP', () => {
  it('photos with path separators, drive letters, control characters and device names in their names still give the attendee a ZIP of plain, distinct files', async () => {
    const res = await fetch(`${ev.url}/gallery-api/${token}/zip`);
    expect(res.status).toBe(200);
    const entries = readZipEntries(Buffer.from(await res.arrayBuffer()));
    expect(entries.map((e) => e.name).sort()).toEqual(HOSTILE.map(([, entry]) => entry).sort());
    for (const e of entries) expect((await sharp(e.bytes).metadata()).format, e.name).toBe('jpeg');
  });

  it('a single download of such a photo is offered under the same plain name', async () => {
    const gallery = (await (await fetch(`${ev.url}/gallery-api/${token}`)).json()) as { photos: { downloadUrl: string }[] };
    const dispositions = await Promise.all(
      gallery.photos.map(async (p) => (await fetch(ev.url + p.downloadUrl)).headers.get('content-disposition')!),
    );
    const names = dispositions.map((d) => decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(d)![1]!));
    expect(names).toContain('evil.jpg');
    expect(names).toContain('_CON.jpg');
    for (const name of names) expect(name).not.toMatch(/[\\/:\u0000-\u001f]/);
  });
});
