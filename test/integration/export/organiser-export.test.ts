// The organiser export on a real event: the six sample photos ingested by the engine with faces,
// people named (some with names no file system takes as they are), one person opted out; then
// exported as folders, read back from disk and with ExifTool, re-run, interrupted, resumed.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRequestError, ExportWriteError, type Engine, type OrganiserExportOptions } from '../../../src/core/index.js';
import type { Photo, StoredFace } from '../../../src/store/index.js';
import { readZipEntries } from '../../e2e/support/zip-entries.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;
let engine: Engine;
let eventId: number;
let exiftool: ExifTool;
/** Photo id → the engine's photo and faces. */
const photos = new Map<number, { photo: Photo; faces: StoredFace[] }>();
/** Person id → the name the test gave them (null: left unnamed). */
const names = new Map<number, string | null>();
let optedOut: number;

const EVENT = 'Summer party';
const options = (to: string, more: Partial<OrganiserExportOptions> = {}): OrganiserExportOptions => ({
  to,
  as: 'folders',
  files: 'previews',
  people: [],
  onlyPicks: false,
  unnamedPeople: true,
  xmp: true,
  ...more,
});

/** Every file under a folder, relative, forward slashes. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** What the test reads back with ExifTool. */
interface XmpRead {
  RegionInfo?: {
    AppliedToDimensions: { W: number; H: number; Unit: string };
    RegionList: { Name: string; Type: string; Area: { X: number; Y: number; W: number; H: number } }[];
  };
  Subject?: string | string[];
  HierarchicalSubject?: string | string[];
  DateTimeOriginal?: unknown;
}

/** Grey-level statistics of one region (sharp's stats() reads the whole input, so the region is cut out first). */
async function statsOf(path: string, region: { left: number; top: number; width: number; height: number }) {
  return sharp(await sharp(path).extract(region).greyscale().png().toBuffer()).stats();
}

/** Fine detail in a region: the mean response of a Laplacian (edges), which a strong blur removes. */
async function detailOf(path: string, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  const grey = await sharp(path).extract(region).greyscale().png().toBuffer();
  const edges = await sharp(grey)
    .convolve({ width: 3, height: 3, kernel: [0, -1, 0, -1, 4, -1, 0, -1, 0] })
    .png()
    .toBuffer();
  return (await sharp(edges).stats()).channels[0]!.mean;
}

/** Mean absolute grey-level difference between two images inside a region. */
async function differenceOf(a: string, b: string, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  const cut = (path: string) => sharp(path).extract(region).greyscale().png().toBuffer();
  const diff = await sharp(await cut(a))
    .composite([{ input: await cut(b), blend: 'difference' }])
    .png()
    .toBuffer();
  return (await sharp(diff).greyscale().stats()).channels[0]!.mean;
}

const sha = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** Names the engine's persons the way an organiser might: some of them with names no file system takes as they are. */
const HOSTILE_NAMES = ['Anna', 'AC/DC', '..', 'CON', 'Zoe\u0308 Ünïcode'];

beforeAll(async () => {
  root = await makeTempDir();
  exiftool = new ExifTool({ maxProcs: 1 });
  engine = await startTestEngine(join(root, 'data'), 'one-shot', { faces: { enabled: true } });
  const session = await engine.openEvent(EVENT);
  eventId = session.event.id;
  for (const p of samplePhotoPaths()) session.intake.submit(p, null);
  await session.intake.settled();
  await engine.whenIdle(eventId);
  for (const card of engine.catalogue.newestPhotos(eventId, { limit: 100 })) photos.set(card.photo.id, card);
  // Most photos first, so the named ones are people who appear more than once.
  const people = engine.people.list(eventId).sort((a, b) => b.photoCount - a.photoCount || a.id - b.id);
  for (const [i, p] of people.entries()) {
    const name = HOSTILE_NAMES[i] ?? null;
    if (name) engine.people.rename(eventId, p.id, name);
    names.set(p.id, name);
  }
  // Opted out: the last named person (someone who is in at least one photo).
  optedOut = people[HOSTILE_NAMES.length - 1]!.id;
  engine.publishing.markPerson(eventId, optedOut, 'asked at the door');
}, 240_000);

afterAll(async () => {
  await exiftool?.end();
  await engine?.stop();
  await removeDir(root);
});

/** The engine's photo ids each person (not opted out) is in. */
function photosOfPeople(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const { photo, faces } of photos.values()) {
    for (const f of faces) {
      if (f.personId === null || f.personId === optedOut) continue;
      const list = out.get(f.personId) ?? [];
      if (!list.includes(photo.id)) list.push(photo.id);
      out.set(f.personId, list);
    }
  }
  return out;
}

describe('exporting an event for its organiser as folders', () => {
  let dest: string;
  let manifest: {
    photos: { id: number; file: string; people: string[]; files: string[]; blurredFaces: number }[];
    people: { id: number; name: string; folder: string; photos: number[] }[];
  };
  let first: Awaited<ReturnType<Engine['exports']['run']>>;

  beforeAll(async () => {
    dest = join(root, 'usb stick');
    first = await engine.exports.run(EVENT, options(dest));
    manifest = JSON.parse(await readFile(join(dest, 'manifest.json'), 'utf8'));
  }, 120_000);

  it('puts every photo in "All photos" and each person\'s photos in their own folder', async () => {
    const files = await filesUnder(dest);
    expect(files.filter((f) => f.startsWith('All photos/'))).toHaveLength(photos.size);
    for (const [personId, photoIds] of photosOfPeople()) {
      const person = manifest.people.find((p) => p.id === personId)!;
      expect(person, `person ${personId} has a folder`).toBeDefined();
      const expected = photoIds.map((id) => `${person.folder}/${manifest.photos.find((p) => p.id === id)!.file}`).sort();
      expect(files.filter((f) => f.startsWith(`${person.folder}/`))).toEqual(expected);
    }
    expect(first).toMatchObject({ photos: photos.size, written: photos.size, alreadyThere: 0 });
  });

  it('makes a photo with several people one file linked into each of their folders', async () => {
    const crowded = manifest.photos.find((p) => p.people.length >= 3)!;
    expect(crowded, 'a sample photo shows three or more exported people').toBeDefined();
    const inodes = await Promise.all(crowded.files.map(async (f) => (await stat(join(dest, f))).ino));
    expect(crowded.files.length).toBe(crowded.people.length + 1);
    expect(new Set(inodes).size).toBe(1);
  });

  it('names folders safely: slashes, dots, reserved Windows names and unicode, nothing outside the destination', async () => {
    const folders = manifest.people.map((p) => p.folder);
    const named = (n: string) => manifest.people.find((p) => p.name === n)?.folder;
    expect(named('Anna')).toBe('People/Anna');
    expect(named('AC/DC')).toBe('People/AC_DC');
    expect(manifest.people.find((p) => p.name === '..')?.folder).toMatch(/^People\/Person \d+$/);
    expect(named('CON')).toBe('People/_CON');
    for (const f of folders) expect(f.split('/')).toHaveLength(2);
    for (const f of await filesUnder(dest)) expect(resolve(dest, f).startsWith(dest + sep)).toBe(true);
    // Unnamed people get "Person 12".
    for (const [id, name] of names) if (name === null) expect(manifest.people.find((p) => p.id === id)?.folder).toBe(`People/Person ${id}`);
  });

  it('never names or gives a folder to the person who opted out', () => {
    const optedName = names.get(optedOut)!;
    expect(manifest.people.some((p) => p.id === optedOut)).toBe(false);
    expect(manifest.photos.some((p) => p.people.includes(optedName))).toBe(false);
    expect(first.blurredFaces).toBeGreaterThan(0);
  });

  it('writes a manifest (CSV and JSON) of photos, people, capture times, cameras and files', async () => {
    expect(manifest.photos).toHaveLength(photos.size);
    const csv = (await readFile(join(dest, 'manifest.csv'), 'utf8')).trim().split('\r\n');
    expect(csv[0]).toBe('photo_id,file,captured_at,camera,people,pick,blurred_faces,original_file_name,files');
    expect(csv).toHaveLength(photos.size + 1);
    for (const p of manifest.photos) expect(p.files.every((f) => existsSync(join(dest, f)))).toBe(true);
  });

  it("embeds MWG face regions named by person and the names as keywords, matching the engine's boxes", async () => {
    for (const entry of manifest.photos) {
      const { photo, faces } = photos.get(entry.id)!;
      const tags = (await exiftool.read(join(dest, 'All photos', entry.file))) as unknown as XmpRead;
      const { width, height } = await sharp(join(dest, 'All photos', entry.file)).metadata();
      const shown = faces.filter((f) => f.personId !== null && f.personId !== optedOut);
      if (shown.length === 0) {
        expect(tags.RegionInfo).toBeUndefined();
        continue;
      }
      expect(tags.RegionInfo!.AppliedToDimensions).toMatchObject({ W: width, H: height, Unit: 'pixel' });
      const regions = tags.RegionInfo!.RegionList;
      expect(regions).toHaveLength(shown.length);
      for (const face of shown) {
        const [x, y, w, h] = face.box;
        const region = regions.find(
          (r) => Math.abs(r.Area.X - (x + w / 2) / photo.width!) < 1e-3 && Math.abs(r.Area.Y - (y + h / 2) / photo.height!) < 1e-3,
        );
        expect(region, `face ${face.id} has its region`).toBeDefined();
        expect(region!.Area.W).toBeCloseTo(w / photo.width!, 3);
        expect(region!.Area.H).toBeCloseTo(h / photo.height!, 3);
        expect(region!.Type).toBe('Face');
        expect(region!.Name).toBe(manifest.people.find((p) => p.id === face.personId)!.name);
      }
      expect([tags.Subject].flat().sort()).toEqual([...entry.people].sort());
      expect([tags.HierarchicalSubject].flat().sort()).toEqual(entry.people.map((n) => `People|${n}`).sort());
      // The capture time as the camera's clock showed it (offset and fraction: capture-time-export.test.ts).
      const original = (await exiftool.read(photo.path)) as unknown as XmpRead;
      expect(String(tags.DateTimeOriginal).slice(0, 19)).toBe(String(original.DateTimeOriginal).slice(0, 19));
    }
  });

  it('shows Lightroom-style readers one clean XMP packet: people, pick rating and label, capture time in XMP and EXIF', async () => {
    for (const entry of manifest.photos as ((typeof manifest.photos)[number] & { pick: boolean })[]) {
      const { photo } = photos.get(entry.id)!;
      const file = join(dest, 'All photos', entry.file);
      const tags = (await exiftool.read(file)) as unknown as XmpRead & {
        PersonInImage?: string | string[];
        Rating?: number;
        Label?: string;
        warnings?: string[];
      };
      expect(tags.warnings ?? [], entry.file).toEqual([]);
      if (entry.people.length) expect([tags.PersonInImage].flat().sort()).toEqual([...entry.people].sort());
      else expect(tags.PersonInImage).toBeUndefined();
      expect(tags.Rating).toBe(entry.pick ? 5 : undefined);
      expect(tags.Label).toBe(entry.pick ? 'Burst pick' : undefined);
      // Viewers that read only EXIF (the copy is made from a preview, which has none) and XMP readers see the same time.
      const raw = (await exiftool.readRaw(file, {
        readArgs: ['-G', '-a', '-EXIF:DateTimeOriginal', '-XMP:DateTimeOriginal', '-XMP:XMPToolkit'],
      })) as Record<string, unknown>;
      const original = (await exiftool.read(photo.path)) as unknown as XmpRead;
      const camera = String(original.DateTimeOriginal).slice(0, 19).replace('T', ' ').replace(/-/g, ':');
      expect(raw['EXIF:DateTimeOriginal']).toBe(camera);
      expect(String(raw['XMP:DateTimeOriginal']).slice(0, 19)).toBe(camera);
      // Written by the export itself, not by ExifTool (which is only the reader here).
      expect(raw['XMP:XMPToolkit']).toBe('Shutterfind');
    }
  });

  it("blurs the opted-out person's face in every exported file and leaves the rest of the photo alone", async () => {
    let checked = 0;
    for (const entry of manifest.photos) {
      const { photo, faces } = photos.get(entry.id)!;
      const hidden = faces.filter((f) => f.personId === optedOut);
      if (hidden.length === 0) continue;
      expect(entry.blurredFaces).toBe(hidden.length);
      const exported = join(dest, 'All photos', entry.file);
      const preview = join(root, 'data', photo.previewPath!);
      const { width = 0 } = await sharp(exported).metadata();
      const scale = width / photo.width!;
      for (const face of hidden) {
        const [x, y, w, h] = face.box.map((v) => Math.round(v * scale));
        const region = { left: x!, top: y!, width: w!, height: h! };
        // A face's detail (eyes, brows, mouth) is its fine edges: blurred, they are gone.
        const before = await detailOf(preview, region);
        const after = await detailOf(exported, region);
        expect(after).toBeLessThan(before * 0.5);
        // And the face's pixels are no longer the face's: many grey levels away on average.
        expect(await differenceOf(preview, exported, region)).toBeGreaterThan(8);
      }
      // Far from any hidden face (the top-left corner when the face is elsewhere), the pixels are the preview's.
      const corner = { left: 0, top: 0, width: Math.round(width / 8), height: Math.round(width / 8) };
      const farFromFaces = hidden.every((f) => f.box[0] * scale > corner.width * 2 || f.box[1] * scale > corner.height * 2);
      if (farFromFaces) {
        const a = await statsOf(preview, corner);
        const b = await statsOf(exported, corner);
        expect(Math.abs(a.channels[0]!.mean - b.channels[0]!.mean)).toBeLessThan(2);
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('does nothing the second time: no file written again, none duplicated', async () => {
    const before = await filesUnder(dest);
    const mtimes = await Promise.all(before.map(async (f) => (await stat(join(dest, f))).mtimeMs));
    const again = await engine.exports.run(EVENT, options(dest));
    expect(again).toMatchObject({ written: 0, alreadyThere: photos.size, bytes: 0 });
    expect(await filesUnder(dest)).toEqual(before);
    expect(await Promise.all(before.map(async (f) => (await stat(join(dest, f))).mtimeMs))).toEqual(mtimes);
  });
});

describe('an interrupted export', () => {
  it('resumes where it stopped, with a person renamed in between, and ends as a clean export does', async () => {
    const dest = join(root, 'interrupted');
    const stop = new AbortController();
    let seen = 0;
    await expect(
      engine.exports.run(EVENT, options(dest), {
        signal: stop.signal,
        onProgress: () => {
          if (++seen === 2) stop.abort();
        },
      }),
    ).rejects.toThrow();
    // Stopped after two photos; the ones already being written when it stopped are finished, no more.
    const partial = (await filesUnder(dest)).filter((f) => f.startsWith('All photos/')).length;
    expect(partial).toBeGreaterThanOrEqual(2);
    expect(partial).toBeLessThan(photos.size);
    expect((await filesUnder(dest)).some((f) => f.includes('.sf-part'))).toBe(false);

    const anna = [...names].find(([, n]) => n === 'Anna')![0];
    engine.people.rename(eventId, anna, 'Anna Smith');
    try {
      const resumed = await engine.exports.run(EVENT, options(dest));
      expect(resumed.written).toBe(photos.size - partial);
      expect(resumed.alreadyThere).toBe(partial);
      expect(resumed.renamedFolders).toEqual([{ from: 'People/Anna', to: 'People/Anna Smith' }]);
      const clean = join(root, 'clean');
      await engine.exports.run(EVENT, options(clean));
      expect(await filesUnder(dest)).toEqual(await filesUnder(clean));
      expect(existsSync(join(dest, 'People', 'Anna'))).toBe(false);
    } finally {
      engine.people.rename(eventId, anna, 'Anna');
    }
  }, 120_000);

  it('says which file failed when the destination disappears, and a re-run finishes it', async () => {
    const dest = join(root, 'unplugged');
    let failure: unknown;
    try {
      await engine.exports.run(EVENT, options(dest), {
        onProgress: (p) => {
          // The stick is pulled after the first photo.
          if (p.done === 1) rmSync(dest, { recursive: true, force: true });
        },
      });
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(ExportWriteError);
    expect((failure as Error).message).toMatch(
      /Could not write ".+" into .*unplugged.*: the destination is gone.*run the same export again/,
    );
    const done = await engine.exports.run(EVENT, options(dest));
    expect(done.written + done.alreadyThere).toBe(photos.size);
    expect((await filesUnder(dest)).filter((f) => f.startsWith('All photos/'))).toHaveLength(photos.size);
  }, 120_000);
});

/**
 * A real small disk for the "destination full" case: a tmpfs mounted for the test (needs root, as
 * on the CI machine; elsewhere the case is covered by the ENOSPC unit test and this one is skipped).
 */
function mountSmallDisk(dir: string, size: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const CAN_MOUNT = process.getuid?.() === 0 && mountSmallDisk(join(tmpdir(), `sf-mount-check-${process.pid}`), '64k');
if (CAN_MOUNT) execFileSync('umount', [join(tmpdir(), `sf-mount-check-${process.pid}`)]);

describe('a destination that fills up', () => {
  it.skipIf(!CAN_MOUNT)(
    'stops naming the file and saying to free space, and the same export finishes once there is room',
    async () => {
      const stick = join(root, 'small stick');
      // Room for a few of the six previews (~260 KB each), not all.
      expect(mountSmallDisk(stick, '1m')).toBe(true);
      try {
        const failure = await engine.exports.run(EVENT, options(stick)).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(ExportWriteError);
        expect((failure as ExportWriteError).code).toBe('ENOSPC');
        expect((failure as Error).message).toMatch(/^Could not write ".+" into .*small stick: the destination is full\. Free some space/);
        // Only complete files under their names; nothing half-written left taking space.
        expect((await filesUnder(stick)).some((f) => f.includes('.sf-part'))).toBe(false);
        const partial = (await filesUnder(stick)).filter((f) => f.startsWith('All photos/')).length;
        expect(partial).toBeGreaterThan(0);
        expect(partial).toBeLessThan(photos.size);
        execFileSync('mount', ['-o', 'remount,size=16m', stick]);
        const done = await engine.exports.run(EVENT, options(stick));
        expect(done.alreadyThere).toBe(partial);
        expect(done.written).toBe(photos.size - partial);
        expect((await filesUnder(stick)).some((f) => f.includes('.sf-part'))).toBe(false);
      } finally {
        execFileSync('umount', [stick]);
      }
    },
    120_000,
  );
});

describe('exporting originals', () => {
  it('hard-links the camera files, writes .xmp sidecars beside them and never changes an original', async () => {
    const dest = join(root, 'originals');
    const originals = [...photos.values()].map(({ photo }) => photo.path);
    const before = await Promise.all(originals.map(sha));
    const summary = await engine.exports.run(EVENT, options(dest, { files: 'originals' }));
    expect(await Promise.all(originals.map(sha))).toEqual(before);
    const files = await filesUnder(dest);
    const manifest = JSON.parse(await readFile(join(dest, 'manifest.json'), 'utf8')) as { photos: { id: number; people: string[] }[] };
    for (const { photo, faces } of photos.values()) {
      const hidesAFace = faces.some((f) => f.personId === optedOut);
      const exported = join(dest, 'All photos', photo.fileName);
      expect(existsSync(exported)).toBe(true);
      // A photo with a face to blur is a new, blurred file; the others are the camera's own bytes.
      if (hidesAFace) expect((await stat(exported)).ino).not.toBe((await stat(photo.path)).ino);
      else expect((await stat(exported)).ino).toBe((await stat(photo.path)).ino);
      const sidecar = `All photos/${photo.fileName.replace(/\.[^.]+$/, '')}.xmp`;
      expect(files).toContain(sidecar);
      const tags = (await exiftool.read(join(dest, sidecar))) as unknown as XmpRead;
      const shown = faces.filter((f) => f.personId !== null && f.personId !== optedOut);
      expect(tags.RegionInfo?.RegionList ?? []).toHaveLength(shown.length);
      // The sidecar says what the embedded packet says: the people as keywords and the capture time.
      const entry = manifest.photos.find((p) => p.id === photo.id)!;
      expect([tags.Subject ?? []].flat().sort()).toEqual([...entry.people].sort());
      expect([tags.HierarchicalSubject ?? []].flat().sort()).toEqual(entry.people.map((n) => `People|${n}`).sort());
      const original = (await exiftool.read(photo.path)) as unknown as XmpRead;
      expect(String(tags.DateTimeOriginal).slice(0, 19)).toBe(String(original.DateTimeOriginal).slice(0, 19));
    }
    expect(summary.hardLinks).toBeGreaterThan(0);
  }, 120_000);
});

describe('what cannot be exported', () => {
  it('says an event with no photos has nothing to export yet', async () => {
    await engine.openEvent('Empty');
    await expect(engine.exports.run('Empty', options(join(root, 'empty')))).rejects.toThrow(ExportRequestError);
    await expect(engine.exports.run('Empty', options(join(root, 'empty')))).rejects.toThrow(/has no ready photos to export yet/);
  });

  it('names the people there are when asked for someone unknown', async () => {
    await expect(engine.exports.run(EVENT, options(join(root, 'nobody'), { people: ['Nobody Here'] }))).rejects.toThrow(
      /No person "Nobody Here" in event "Summer party".*Anna/,
    );
  });

  it('exports only the chosen people, by name or id', async () => {
    const dest = join(root, 'only-anna');
    const anna = [...names].find(([, n]) => n === 'Anna')![0];
    const summary = await engine.exports.run(EVENT, options(dest, { people: ['anna'] }));
    expect(summary.people).toBe(1);
    expect(summary.photos).toBe(photosOfPeople().get(anna)!.length);
    expect(await readdir(join(dest, 'People'))).toEqual(['Anna']);
  });
});

describe('exporting as a ZIP', () => {
  it('writes one ZIP holding the folders and the manifest, and a re-run leaves it alone', async () => {
    const dest = join(root, 'zip');
    const summary = await engine.exports.run(EVENT, options(dest, { as: 'zip' }));
    expect(summary.entry).toBe(join(dest, 'Summer party.zip'));
    expect(await readdir(dest)).toEqual(['.shutterfind-export.json', 'Summer party.zip']);
    const entries = readZipEntries(await readFile(summary.entry)).map((e) => e.name);
    expect(entries.filter((n) => n.startsWith('All photos/'))).toHaveLength(photos.size);
    expect(entries).toContain('manifest.json');
    const mtime = (await stat(summary.entry)).mtimeMs;
    const again = await engine.exports.run(EVENT, options(dest, { as: 'zip' }));
    expect(again.written).toBe(0);
    expect((await stat(summary.entry)).mtimeMs).toBe(mtime);
  }, 120_000);
});

describe('exporting as an offline HTML gallery', () => {
  it('writes index.html beside the blurred photos and their thumbnails, naming nobody who opted out', async () => {
    const dest = join(root, 'gallery');
    const summary = await engine.exports.run(EVENT, options(dest, { as: 'html' }));
    expect(summary.entry).toBe(join(dest, 'index.html'));
    const files = await filesUnder(dest);
    expect(files.filter((f) => /^photos\/[^/]+\.jpg$/.test(f))).toHaveLength(photos.size);
    // Thumbnails: the stored WebP for a photo shown as it is, one made from the blurred photo otherwise.
    expect(files.filter((f) => /^thumbnails\/\d+\.(jpg|webp)$/.test(f))).toHaveLength(photos.size);
    for (const { photo, faces } of photos.values()) {
      const blurred = faces.some((f) => f.personId === optedOut);
      expect(files, `thumbnail of ${photo.fileName}`).toContain(`thumbnails/${photo.id}.${blurred ? 'jpg' : 'webp'}`);
    }
    const html = await readFile(join(dest, 'index.html'), 'utf8');
    expect(html).toContain(EVENT);
    expect(html).toContain('Anna');
    expect(html).not.toContain(names.get(optedOut)!);
    // The gallery's photos are blurred like the folders' ones.
    for (const { photo, faces } of photos.values()) {
      const hidden = faces.filter((f) => f.personId === optedOut);
      const shown = files.find((f) => f.startsWith('photos/') && f.endsWith(`/${photo.fileName.replace(/\.[^.]+$/, '')}.jpg`));
      for (const face of hidden) {
        const region = {
          left: Math.round(face.box[0]),
          top: Math.round(face.box[1]),
          width: Math.round(face.box[2]),
          height: Math.round(face.box[3]),
        };
        expect(await differenceOf(join(root, 'data', photo.previewPath!), join(dest, shown!), region)).toBeGreaterThan(8);
      }
    }
    for (const f of files.filter((f) => f.startsWith('thumbnails/'))) {
      const { width = 0, height = 0 } = await sharp(join(dest, f)).metadata();
      expect(Math.max(width, height)).toBeLessThanOrEqual(400);
    }
    const again = await engine.exports.run(EVENT, options(dest, { as: 'html' }));
    expect(again.written).toBe(0);
    expect(await filesUnder(dest)).toEqual(files);
  }, 120_000);

  it("carries the branding asked for: colours, the organiser's logo, a watermark on every photo, each person's face on their card", async () => {
    const dest = join(root, 'branded');
    const logo = join(root, 'studio-logo.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } })
      .png()
      .toFile(logo);
    await engine.exports.run(EVENT, options(dest, { as: 'html', branding: { accent: '#0f766e', logo }, watermark: '© Studio Lumen' }));
    const files = await filesUnder(dest);
    const pages = await Promise.all(files.filter((f) => /\.(html|css)$/.test(f)).map((f) => readFile(join(dest, f), 'utf8')));
    expect(pages.join('\n')).toContain('#0f766e');
    expect(await readFile(join(dest, 'index.html'), 'utf8')).toContain('assets/logo.png');
    expect((await readFile(join(dest, 'assets', 'logo.png'))).equals(await readFile(logo))).toBe(true);
    // The watermark sits bottom right: there the photo changed, at the top left it did not.
    const { photo } = [...photos.values()].find(({ faces }) => faces.every((f) => f.personId !== optedOut))!;
    const shown = files.find((f) => f.startsWith('photos/') && f.endsWith(`/${photo.fileName.replace(/\.[^.]+$/, '')}.jpg`))!;
    const w = photo.width!;
    const h = photo.height!;
    const corner = { left: Math.round(w * 0.55), top: Math.round(h * 0.9), width: Math.round(w * 0.43), height: Math.round(h * 0.08) };
    const topLeft = { left: 0, top: 0, width: corner.width, height: corner.height };
    const preview = join(root, 'data', photo.previewPath!);
    expect(await differenceOf(preview, join(dest, shown), corner)).toBeGreaterThan(
      3 * (await differenceOf(preview, join(dest, shown), topLeft)) + 1,
    );
    // A card per person with photos, showing their face.
    const faces = files.filter((f) => /^faces\/\d+\.jpg$/.test(f));
    expect(faces.length).toBeGreaterThan(0);
    expect(await readFile(join(dest, 'index.html'), 'utf8')).toContain(faces[0]);
  }, 120_000);

  it('refuses a logo the gallery cannot show before writing anything', async () => {
    const dest = join(root, 'no-logo');
    const notes = join(root, 'logo.txt');
    await writeFile(notes, 'not an image');
    await expect(engine.exports.run(EVENT, options(dest, { as: 'html', branding: { logo: notes } }))).rejects.toThrow(
      /The logo logo\.txt is not a PNG, JPEG, SVG or WebP file/,
    );
    expect(existsSync(join(dest, 'index.html'))).toBe(false);
  });
});
