// Writing one planned photo with its XMP, on real files: a preview copy gets the packet without
// ExifTool being started and without its image data changing; an original gets a .xmp sidecar,
// also without ExifTool; only a packet too big for a JPEG segment is handed to ExifTool.
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planExport, type EventToExport, type ExportPhoto, type OrganiserExportOptions } from '../../../../src/export/index.js';
import { DestinationListing } from '../../../../src/export/organiser-export/destination-listing.js';
import { placeThumbnail, writePlannedPhoto, type FileWriteContext } from '../../../../src/export/organiser-export/export-files.js';
import { makeTempDir, removeDir } from '../../../support/temp-dir.js';

let dir: string;
let exiftool: ExifTool;
let preview: string;
let original: string;

beforeAll(async () => {
  dir = await makeTempDir();
  exiftool = new ExifTool({ maxProcs: 1 });
  await mkdir(join(dir, 'data'));
  preview = join(dir, 'data', 'preview.jpg');
  original = join(dir, 'data', 'IMG_1.JPG');
  const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#58a' } })
    .jpeg()
    .toBuffer();
  await writeFile(preview, jpeg);
  await writeFile(original, jpeg);
});
afterAll(async () => {
  await exiftool.end();
  await removeDir(dir);
});

const photo = (faces: number): ExportPhoto => ({
  id: 1,
  fileName: 'IMG_1.JPG',
  originals: [{ path: original, role: 'photo' }],
  previewPath: preview,
  width: 4000,
  height: 3000,
  capturedAt: new Date(2024, 5, 1, 12, 34, 56).getTime(),
  camera: 'Canon EOS R6',
  faces: Array.from({ length: faces }, (_, i) => ({
    id: i + 1,
    personId: i + 1,
    box: [10 * i, 20, 100, 120] as [number, number, number, number],
  })),
});

const event = (faces: number, name: (i: number) => string): EventToExport => ({
  event: { id: 1, name: 'Gala' },
  photos: [photo(faces)],
  people: Array.from({ length: faces }, (_, i) => ({ id: i + 1, name: name(i) })),
  // Its burst's other frame is not in this export: the photo is still the pick.
  bursts: [{ bestPhotoId: 1, photoIds: [1, 2] }],
  hidden: new Map(),
});

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

/** Writes the event's one photo into `to`, counting how often ExifTool was asked for. */
async function write(data: EventToExport, to: string, more: Partial<OrganiserExportOptions> = {}): Promise<{ exiftoolStarts: number }> {
  const plan = planExport(data, options(to, more));
  let exiftoolStarts = 0;
  const ctx: FileWriteContext = {
    root: to,
    xmp: true,
    exiftool: () => {
      exiftoolStarts += 1;
      return exiftool;
    },
    names: new Map(plan.people.map((p) => [p.id, p.name])),
    writing: () => undefined,
    needSizes: false,
    made: new Set(),
    listing: new DestinationListing(),
    watermark: null,
  };
  await writePlannedPhoto(plan.photos[0]!, ctx);
  return { exiftoolStarts };
}

/** The image data of a JPEG: everything from its start-of-scan marker on. */
const scanOf = (jpeg: Buffer): Buffer => jpeg.subarray(jpeg.indexOf(Buffer.from([0xff, 0xda])));

describe('writing a photo with its XMP', () => {
  it('embeds regions, keywords, pick and capture time in a preview copy without starting ExifTool', async () => {
    const to = join(dir, 'previews');
    const { exiftoolStarts } = await write(
      event(2, (i) => ['Anna & "Bo"', 'Zoë <3'][i]!),
      to,
    );
    expect(exiftoolStarts).toBe(0);
    const copy = join(to, 'All photos', 'IMG_1.jpg');
    expect(scanOf(await readFile(copy)).equals(scanOf(await readFile(preview)))).toBe(true);
    const tags = (await exiftool.read(copy)) as unknown as Record<string, unknown>;
    expect(tags.RegionInfo).toMatchObject({
      AppliedToDimensions: { W: 400, H: 300, Unit: 'pixel' },
      RegionList: [
        { Name: 'Anna & "Bo"', Type: 'Face', Area: { X: 0.0125, Y: 0.026667, W: 0.025, H: 0.04 } },
        { Name: 'Zoë <3', Type: 'Face' },
      ],
    });
    expect(tags.Subject).toEqual(['Anna & "Bo"', 'Zoë <3']);
    expect(tags.HierarchicalSubject).toEqual(['People|Anna & "Bo"', 'People|Zoë <3']);
    expect(tags).toMatchObject({ Rating: 5, Label: 'Burst pick' });
    const raw = (await exiftool.readRaw(copy, { readArgs: ['-G', '-EXIF:DateTimeOriginal', '-XMP:DateTimeOriginal'] })) as Record<
      string,
      unknown
    >;
    expect(raw['EXIF:DateTimeOriginal']).toBe('2024:06:01 12:34:56');
    expect(raw['XMP:DateTimeOriginal']).toMatch(/^2024:06:01 12:34:56[+-]\d{2}:\d{2}$/); // with this laptop's offset
  });

  it('writes the .xmp sidecar of an original without starting ExifTool, and leaves the original as it was', async () => {
    const to = join(dir, 'originals');
    const { exiftoolStarts } = await write(
      event(1, () => 'Anna'),
      to,
      { files: 'originals' },
    );
    expect(exiftoolStarts).toBe(0);
    expect((await readFile(join(to, 'All photos', 'IMG_1.JPG'))).equals(await readFile(original))).toBe(true);
    const tags = (await exiftool.read(join(to, 'All photos', 'IMG_1.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.RegionInfo).toMatchObject({ AppliedToDimensions: { W: 4000, H: 3000 }, RegionList: [{ Name: 'Anna' }] });
    expect(tags).toMatchObject({ Subject: ['Anna'], HierarchicalSubject: ['People|Anna'], Rating: 5, Label: 'Burst pick' });
  });

  it('hands a packet too big for one JPEG segment (hundreds of long names) to ExifTool, which writes all of it', async () => {
    const to = join(dir, 'crowd');
    const { exiftoolStarts } = await write(
      event(150, (i) => `Guest ${i} ${'with a very long name '.repeat(20)}`),
      to,
    );
    expect(exiftoolStarts).toBe(1);
    const tags = (await exiftool.read(join(to, 'All photos', 'IMG_1.jpg'))) as unknown as {
      RegionInfo: { RegionList: unknown[] };
      Subject: string[];
    };
    expect(tags.RegionInfo.RegionList).toHaveLength(150);
    expect(tags.Subject).toHaveLength(150);
  });
});

describe('a gallery thumbnail shown as the engine made it', () => {
  const thumbnailBytes = Buffer.from('RIFF-thumbnail-bytes-of-a-webp');

  it('is a hard link to the stored thumbnail on the same disk, which the engine only ever replaces beside it', async () => {
    const stored = join(dir, 'data', 'thumb-same-disk.webp');
    await writeFile(stored, thumbnailBytes);
    const exported = join(dir, 'gallery', 'thumbnails', '1.webp');
    await mkdir(join(dir, 'gallery', 'thumbnails'), { recursive: true });
    await placeThumbnail(stored, exported);
    expect((await stat(exported)).ino).toBe((await stat(stored)).ino);
    // The engine writes a new thumbnail under a temporary name and renames it over the old one:
    // the exported gallery keeps what it was exported with.
    await writeFile(`${stored}.tmp`, 'a newer thumbnail');
    await rename(`${stored}.tmp`, stored);
    expect(await readFile(exported)).toEqual(thumbnailBytes);
  });

  it('is a whole copy on another disk (a USB stick), with no partial file left beside it', async () => {
    const stick = '/dev/shm';
    // The copy path needs a destination on another file system than the data folder.
    expect((await stat(stick)).dev).not.toBe((await stat(dir)).dev);
    const stored = join(dir, 'data', 'thumb-other-disk.webp');
    await writeFile(stored, thumbnailBytes);
    const gallery = await mkdtemp(join(stick, 'sf-gallery-'));
    try {
      const exported = join(gallery, '1.webp');
      await placeThumbnail(stored, exported);
      expect(await readFile(exported)).toEqual(thumbnailBytes);
      expect(await readdir(gallery)).toEqual(['1.webp']);
    } finally {
      await rm(gallery, { recursive: true, force: true });
    }
  });
});
