// Capture time kept through ingest and export: a camera set to +02:00 shooting a burst frame 0.3 s
// into its second, and a camera that recorded no offset, ingested by the engine and exported as
// preview copies and as originals with sidecars; what ExifTool reads back is the camera's own wall
// clock, its offset and the fraction, whatever zone this laptop is in.
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, OrganiserExportOptions } from '../../../src/core/index.js';
import { laptopOffsetMinutes, offsetText } from '../../../src/export/organiser-export/capture-time.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;
let engine: Engine;
let exiftool: ExifTool;
let eventId: number;
/** The two exports: preview copies, and originals with their sidecars. */
const previews = () => join(root, 'previews');
const originals = () => join(root, 'originals');

const EVENT = 'Capture times';
const TIME_TAGS = ['-G', '-EXIF:DateTimeOriginal', '-EXIF:SubSecTimeOriginal', '-EXIF:OffsetTimeOriginal', '-XMP:DateTimeOriginal'];

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

const exportAs = (to: string, files: OrganiserExportOptions['files']): OrganiserExportOptions => ({
  to,
  as: 'folders',
  files,
  people: [],
  onlyPicks: false,
  unnamedPeople: true,
  xmp: true,
});

/** The exported file of a camera file ("DSC_0001") in "All photos", its sidecar or the photo itself. */
async function exported(dest: string, stem: string, sidecar = false): Promise<string> {
  const file = (await filesUnder(dest)).find((f) => f.startsWith('All photos/') && f.includes(stem) && f.endsWith('.xmp') === sidecar);
  if (!file) throw new Error(`No exported ${sidecar ? 'sidecar' : 'file'} of ${stem} in ${dest}`);
  return join(dest, file);
}

const timesOf = async (path: string): Promise<Record<string, unknown>> =>
  (await exiftool.readRaw(path, { readArgs: TIME_TAGS })) as Record<string, unknown>;

beforeAll(async () => {
  root = await makeTempDir();
  exiftool = new ExifTool({ maxProcs: 1 });
  const card = join(root, 'card');
  const [first, second] = samplePhotoPaths();
  await mkdir(card);
  // Copies of sample photos, retimed: the fixtures themselves are never written to.
  await copyFile(first!, join(card, 'DSC_0001.JPG'));
  await exiftool.write(
    join(card, 'DSC_0001.JPG'),
    { DateTimeOriginal: '2026:06:01 14:32:10', SubSecTimeOriginal: '3', OffsetTimeOriginal: '+02:00' },
    { writeArgs: ['-overwrite_original'] },
  );
  await copyFile(second!, join(card, 'DSC_0002.JPG'));
  await exiftool.write(
    join(card, 'DSC_0002.JPG'),
    {
      DateTimeOriginal: '2026:01:15 09:04:05',
      SubSecTimeOriginal: null,
      OffsetTimeOriginal: null,
      OffsetTime: null,
      OffsetTimeDigitized: null,
    },
    { writeArgs: ['-overwrite_original'] },
  );
  engine = await startTestEngine(join(root, 'data'), 'one-shot');
  const session = await engine.openEvent(EVENT);
  eventId = session.event.id;
  for (const name of ['DSC_0001.JPG', 'DSC_0002.JPG']) session.intake.submit(join(card, name), null);
  await session.intake.settled();
  await engine.whenIdle(eventId);
  await engine.exports.run(EVENT, exportAs(previews(), 'previews'));
  await engine.exports.run(EVENT, exportAs(originals(), 'originals'));
}, 120_000);

afterAll(async () => {
  await exiftool?.end();
  await engine?.stop();
  await removeDir(root);
});

describe('an exported photo from a camera set to +02:00', () => {
  it('is stored as the instant in UTC, with the fraction of a second and the offset', () => {
    const photo = engine.catalogue.newestPhotos(eventId, { limit: 10 }).find((c) => c.photo.fileName === 'DSC_0001.JPG')!.photo;
    expect(photo.capturedAt).toBe(Date.parse('2026-06-01T12:32:10.300Z'));
    expect(photo.capturedOffsetMinutes).toBe(120);
  });

  it("shows the camera's wall clock, offset and fraction in the EXIF and XMP of its preview copy", async () => {
    const times = await timesOf(await exported(previews(), 'DSC_0001'));
    expect(times).toMatchObject({
      'EXIF:DateTimeOriginal': '2026:06:01 14:32:10',
      'EXIF:OffsetTimeOriginal': '+02:00',
      'XMP:DateTimeOriginal': '2026:06:01 14:32:10.300+02:00',
    });
    expect(String(times['EXIF:SubSecTimeOriginal'])).toBe('300');
  });

  it('shows the same in the .xmp beside its original, and leaves the original as the camera wrote it', async () => {
    expect((await timesOf(await exported(originals(), 'DSC_0001', true)))['XMP:DateTimeOriginal']).toBe('2026:06:01 14:32:10.300+02:00');
    const original = await exported(originals(), 'DSC_0001');
    expect((await readFile(original)).equals(await readFile(join(root, 'card', 'DSC_0001.JPG')))).toBe(true);
  });
});

describe('an exported photo from a camera that recorded no offset', () => {
  it("shows the camera's wall clock, in this laptop's zone at that instant", async () => {
    const photo = engine.catalogue.newestPhotos(eventId, { limit: 10 }).find((c) => c.photo.fileName === 'DSC_0002.JPG')!.photo;
    expect(photo.capturedOffsetMinutes).toBeNull();
    const times = await timesOf(await exported(previews(), 'DSC_0002'));
    const offset = offsetText(laptopOffsetMinutes(photo.capturedAt!));
    expect(times).toMatchObject({
      'EXIF:DateTimeOriginal': '2026:01:15 09:04:05',
      'EXIF:OffsetTimeOriginal': offset,
      'XMP:DateTimeOriginal': `2026:01:15 09:04:05${offset}`,
    });
    expect(times['EXIF:SubSecTimeOriginal']).toBeUndefined();
  });
});
