// Which files an organiser export writes and where, decided from plain data: folders per person,
// filters, safe names, opted-out people, RAW files that cannot be blurred.
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  planExport,
  ExportRequestError,
  type EventToExport,
  type ExportPhoto,
  type OrganiserExportOptions,
} from '../../../../src/export/index.js';
import { sidecarOf } from '../../../../src/export/organiser-export/export-plan.js';
import { csvField, manifestCsv, manifestOf } from '../../../../src/export/organiser-export/export-manifest.js';
import { describeWriteError } from '../../../../src/export/organiser-export/write-errors.js';
import { faceRegions, xmpTagsFor } from '../../../../src/export/organiser-export/xmp-tags.js';

const photo = (id: number, faces: [number, number | null][], fileName = `IMG_${id}.JPG`): ExportPhoto => ({
  id,
  fileName,
  originals: [{ path: `/cards/${fileName}`, role: 'photo' }],
  previewPath: `/data/media/previews/${id}.jpg`,
  width: 4000,
  height: 3000,
  capturedAt: 1_700_000_000_000 + id * 1000,
  camera: 'Canon EOS R6',
  faces: faces.map(([faceId, personId]) => ({ id: faceId, personId, box: [1000, 500, 400, 600] })),
});

const event = (more: Partial<EventToExport> = {}): EventToExport => ({
  event: { id: 1, name: 'Gala' },
  photos: [
    photo(1, [
      [11, 1],
      [12, 2],
      [13, 3],
    ]),
    photo(2, [[21, 1]]),
    photo(3, [[31, null]]),
    photo(4, [[41, 4]]),
  ],
  people: [
    { id: 1, name: 'Anna' },
    { id: 2, name: 'AC/DC' },
    { id: 3, name: null },
    { id: 4, name: '..' },
  ],
  bursts: [],
  hidden: new Map(),
  ...more,
});

const options = (more: Partial<OrganiserExportOptions> = {}): OrganiserExportOptions => ({
  to: '/stick',
  as: 'folders',
  files: 'previews',
  people: [],
  onlyPicks: false,
  unnamedPeople: true,
  xmp: true,
  ...more,
});

describe('planning an organiser export', () => {
  it('puts a photo with three people in "All photos" and in each of their three folders', () => {
    const plan = planExport(event(), options());
    expect(plan.photos.find((p) => p.photo.id === 1)!.files[0]!.places).toEqual([
      'All photos/IMG_1.jpg',
      'People/Anna/IMG_1.jpg',
      'People/AC_DC/IMG_1.jpg',
      'People/Person 3/IMG_1.jpg',
    ]);
  });

  it('names an unnamed person "Person 12", or leaves them out when asked', () => {
    expect(planExport(event(), options()).people.map((p) => p.folder)).toEqual([
      'People/Anna',
      'People/AC_DC',
      'People/Person 3',
      'People/Person 4',
    ]);
    expect(planExport(event(), options({ unnamedPeople: false })).people.map((p) => p.name)).toEqual(['Anna', 'AC/DC', '..']);
  });

  it('writes a unicode name in its composed form, as macOS and Windows show it', () => {
    const plan = planExport(event({ people: [{ id: 1, name: 'Zoe\u0308 Ça' }] }), options({ unnamedPeople: false }));
    expect(plan.people.map((p) => p.folder)).toEqual(['People/Zo\u00eb \u00c7a']);
  });

  it('never lets a name make a path outside its folder', () => {
    const hostile = event({
      people: [
        { id: 1, name: '../../etc' },
        { id: 2, name: 'C:\\Windows' },
        { id: 3, name: 'CON' },
        { id: 4, name: 'All photos' },
      ],
      photos: [
        photo(
          1,
          [
            [11, 1],
            [12, 2],
            [13, 3],
            [14, 4],
          ],
          '..\\..\\evil.jpg',
        ),
      ],
    });
    const places = planExport(hostile, options()).photos[0]!.files[0]!.places;
    expect(places).toEqual([
      'All photos/evil.jpg',
      'People/_.._etc/evil.jpg',
      'People/C__Windows/evil.jpg',
      'People/_CON/evil.jpg',
      'People/All photos (person)/evil.jpg',
    ]);
    for (const p of places) expect(p.split('/').every((part) => part !== '..' && part !== '.' && part !== '')).toBe(true);
  });

  it('gives two photos with the same name distinct names, the same in every folder', () => {
    const plan = planExport(event({ photos: [photo(1, [[11, 1]], 'IMG_1.JPG'), photo(2, [[21, 1]], 'img_1.jpg')] }), options());
    expect(plan.photos.map((p) => p.fileName)).toEqual(['IMG_1.jpg', 'img_1 (2).jpg']);
  });

  it('exports only the chosen people, by id or name, and names the people there are when one is unknown', () => {
    const plan = planExport(event(), options({ people: ['anna', '4'] }));
    expect(plan.people.map((p) => p.id)).toEqual([1, 4]);
    expect(plan.photos.map((p) => p.photo.id)).toEqual([1, 2, 4]);
    expect(() => planExport(event(), options({ people: ['Zed'] }))).toThrow(/No person "Zed" in event "Gala".*1 \(Anna\)/);
  });

  it('keeps only the best frame of each burst with --only-picks, and marks it a pick', () => {
    const plan = planExport(event({ bursts: [{ bestPhotoId: 2, photoIds: [1, 2] }] }), options({ onlyPicks: true }));
    expect(plan.photos.map((p) => [p.photo.id, p.pick])).toEqual([
      [2, true],
      [3, false],
      [4, false],
    ]);
  });

  it('gives an opted-out person no folder and no name, even when asked for them', () => {
    const hidden = new Map([[1, [{ faceId: 12, box: [1000, 500, 400, 600] as [number, number, number, number] }]]]);
    const plan = planExport(event({ hidden }), options());
    expect(plan.people.map((p) => p.name)).not.toContain('AC/DC');
    expect(plan.photos[0]!.people).toEqual([1, 3]);
    expect(plan.photos[0]!.hidden).toHaveLength(1);
    expect(() => planExport(event({ hidden }), options({ people: ['AC/DC'] }))).toThrow(ExportRequestError);
  });

  it('links originals as they are, blurs a JPEG original with a hidden face, and sends a RAW with one as its preview', () => {
    const raw = photo(2, [[21, 1]], 'IMG_2.CR3');
    const hidden = new Map([
      [2, [{ faceId: 21, box: [0, 0, 10, 10] as [number, number, number, number] }]],
      [1, [{ faceId: 11, box: [0, 0, 10, 10] as [number, number, number, number] }]],
    ]);
    const plan = planExport(event({ photos: [photo(1, [[11, 1]]), raw, photo(3, [])], hidden }), options({ files: 'originals' }));
    expect(plan.photos.map((p) => [p.files[0]!.source.kind, p.fileName, p.files[0]!.xmp])).toEqual([
      ['blurred-original', 'IMG_1.JPG', 'sidecar'],
      ['preview', 'IMG_2.jpg', 'embedded'],
      ['original', 'IMG_3.JPG', 'sidecar'],
    ]);
    expect(plan.previewsInsteadOfOriginals).toBe(1);
  });

  it('exports both files of a RAW+JPEG pair with one sidecar, and leaves the RAW out when a face must be blurred', () => {
    const pair = {
      ...photo(1, [[11, 1]]),
      originals: [
        { path: '/cards/IMG_1.JPG', role: 'photo' as const },
        { path: '/cards/raw/IMG_1.CR3', role: 'raw' as const },
      ],
    };
    const plan = planExport(event({ photos: [pair] }), options({ files: 'originals' }));
    expect(plan.photos[0]!.files.map((f) => f.places[0])).toEqual(['All photos/IMG_1.JPG', 'All photos/IMG_1.CR3']);
    expect(new Set(plan.photos[0]!.files.map((f) => sidecarOf(f.places[0]!)))).toEqual(new Set(['All photos/IMG_1.xmp']));
    const hidden = new Map([[1, [{ faceId: 11, box: [0, 0, 10, 10] as [number, number, number, number] }]]]);
    const blurred = planExport(event({ photos: [pair], hidden }), options({ files: 'originals' }));
    expect(blurred.photos[0]!.files.map((f) => f.source.kind)).toEqual(['blurred-original']);
    expect(blurred.filesWithheld).toBe(1);
  });

  it('says an event with no photos has nothing to export yet', () => {
    expect(() => planExport(event({ photos: [] }), options())).toThrow(/has no ready photos to export yet/);
  });
});

describe('the export manifest', () => {
  it('lists photos with their people, capture times, cameras and files, in a CSV a spreadsheet opens safely', () => {
    const plan = planExport(
      event({
        people: [
          { id: 1, name: '=HYPERLINK("x")' },
          { id: 2, name: 'Bo, "B"' },
          { id: 3, name: null },
          { id: 4, name: null },
        ],
      }),
      options(),
    );
    const m = manifestOf(plan, { as: 'folders', files: 'previews' }, 0);
    expect(m.photos[0]).toMatchObject({ id: 1, file: 'IMG_1.jpg', camera: 'Canon EOS R6', capturedAt: '2023-11-14T22:13:21.000Z' });
    const csv = manifestCsv(m).split('\r\n');
    expect(csv[1]).toContain(`"'=HYPERLINK(""x""); Bo, ""B""; Person 3"`);
    expect(csvField('-1')).toBe("'-1");
  });
});

describe('XMP for an exported photo', () => {
  it('gives each exported person a normalised centre box named by them, names as keywords, a pick as rating and label', () => {
    const plan = planExport(event({ bursts: [{ bestPhotoId: 1, photoIds: [1, 2] }] }), options());
    const names = new Map(plan.people.map((p) => [p.id, p.name]));
    const tags = xmpTagsFor(plan.photos[0]!, names, { width: 2048, height: 1536 }, 'embedded');
    expect(tags.RegionInfo).toEqual({
      AppliedToDimensions: { W: 2048, H: 1536, Unit: 'pixel' },
      RegionList: faceRegions(plan.photos[0]!.photo, names, [1, 2, 3]),
    });
    expect(faceRegions(plan.photos[0]!.photo, names, [1])[0]).toEqual({
      Area: { X: 0.3, Y: 0.266667, W: 0.1, H: 0.2, Unit: 'normalized' },
      Name: 'Anna',
      Type: 'Face',
    });
    expect(tags['XMP-dc:Subject']).toEqual(['Anna', 'AC/DC', 'Person 3']);
    expect(tags['XMP-lr:HierarchicalSubject']).toEqual(['People|Anna', 'People|AC/DC', 'People|Person 3']);
    expect(tags).toMatchObject({ 'XMP-xmp:Rating': 5, 'XMP-xmp:Label': 'Burst pick' });
    expect(tags['EXIF:DateTimeOriginal']).toMatch(/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$/);
  });
});

describe('errors while writing an export', () => {
  it('says the destination is full, naming the file, when the disk answers ENOSPC', async () => {
    const err = await writeFile('/dev/full', Buffer.alloc(1024)).catch((e: unknown) => e);
    const described = describeWriteError(err, 'People/Anna/IMG_1.jpg', '/media/stick', true);
    expect(described.code).toBe('ENOSPC');
    expect(described.message).toBe(
      'Could not write "People/Anna/IMG_1.jpg" into /media/stick: the destination is full. Free some space there or choose another destination, then run the same export again: it continues where it stopped and copies nothing twice.',
    );
  });

  it('says the destination is gone when it was unplugged', () => {
    const err = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    expect(describeWriteError(err, 'All photos/IMG_1.jpg', '/media/stick', false).message).toMatch(/the destination is gone \(unplugged/);
  });
});
