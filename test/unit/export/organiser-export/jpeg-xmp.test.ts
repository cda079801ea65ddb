// Putting the XMP packet into a JPEG copy without re-encoding it: the image data is the same bytes,
// the packet sits where readers look (after JFIF and EXIF), an older XMP segment is replaced, a copy
// without EXIF gets its capture time as EXIF too, and a file that is not a whole JPEG is refused.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jpegWithXmp,
  JpegXmpError,
  MAX_SEGMENT_PAYLOAD,
  uprightSizeWithoutExif,
  XMP_SIGNATURE,
} from '../../../../src/export/organiser-export/jpeg-xmp.js';
import { xmpPacketOf } from '../../../../src/export/organiser-export/xmp-packet.js';
import type { PhotoXmp } from '../../../../src/export/organiser-export/xmp-tags.js';
import { makeTempDir, removeDir } from '../../../support/temp-dir.js';

let dir: string;
let exiftool: ExifTool;
let plain: Buffer;
let withJfif: Buffer;
let withExif: Buffer;

const image = () =>
  sharp({ create: { width: 96, height: 64, channels: 3, background: '#4a7' } }).composite([
    { input: { create: { width: 20, height: 20, channels: 3, background: '#f00' } }, left: 10, top: 10 },
  ]);

beforeAll(async () => {
  dir = await makeTempDir();
  exiftool = new ExifTool({ maxProcs: 1 });
  plain = await image().jpeg().toBuffer();
  // sharp writes no JFIF APP0; this one starts SOI, APP0 "JFIF" as most cameras' previews and libjpeg do.
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  withJfif = Buffer.concat([plain.subarray(0, 2), app0, plain.subarray(2)]);
  withExif = await image()
    .jpeg()
    .withExif({ IFD0: { Make: 'SONY', Model: 'ILCE-7M2' }, IFD2: { DateTimeOriginal: '2020:01:02 03:04:05' } })
    .toBuffer();
});
afterAll(async () => {
  await exiftool.end();
  await removeDir(dir);
});

const XMP: PhotoXmp = {
  regions: {
    appliedTo: { width: 96, height: 64 },
    list: [{ Area: { X: 0.208333, Y: 0.3125, W: 0.208333, H: 0.3125, Unit: 'normalized' }, Name: 'Anna & <Bo>', Type: 'Face' }],
  },
  people: ['Anna & <Bo>'],
  pick: false,
  // A camera at +02:00, a frame 0.3 s into its second (the second frame of a burst).
  capturedAt: { dateTime: '2024:06:01 12:34:56', subSec: '300', offset: '+02:00' },
};

/** Where the image data starts (the SOS marker), found the plain way: the first FF DA after the header. */
function scanOf(jpeg: Buffer): Buffer {
  let at = 2;
  while (jpeg[at + 1] !== 0xda) at += 2 + jpeg.readUInt16BE(at + 2);
  return jpeg.subarray(at);
}

/** The markers of the header segments in order, XMP and EXIF APP1 named. */
function headerMarkers(jpeg: Buffer): string[] {
  const out: string[] = [];
  let at = 2;
  while (jpeg[at + 1] !== 0xda) {
    const marker = jpeg[at + 1]!;
    const payload = jpeg.subarray(at + 4, at + 2 + jpeg.readUInt16BE(at + 2));
    const app1 = payload.subarray(0, XMP_SIGNATURE.length).equals(XMP_SIGNATURE)
      ? 'XMP'
      : payload.subarray(0, 6).toString('latin1') === 'Exif\0\0'
        ? 'EXIF'
        : 'APP1';
    out.push(marker === 0xe1 ? app1 : marker === 0xe0 ? 'APP0' : `FF${marker.toString(16).toUpperCase()}`);
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  return out;
}

/** ExifTool's raw values with their group (EXIF:, XMP:), to tell where a tag was written. */
async function readRaw(jpeg: Buffer): Promise<Record<string, unknown>> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.jpg`);
  await writeFile(path, jpeg);
  return (await exiftool.readRaw(path, { readArgs: ['-G', '-n'] })) as Record<string, unknown>;
}

async function read(jpeg: Buffer): Promise<Record<string, unknown>> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.jpg`);
  await writeFile(path, jpeg);
  return (await exiftool.read(path)) as unknown as Record<string, unknown>;
}

describe('embedding XMP in a JPEG copy', () => {
  it('leaves the image data byte for byte as it was, so the copy is lossless', async () => {
    for (const source of [plain, withJfif, withExif]) {
      const out = jpegWithXmp(source, xmpPacketOf(XMP), XMP.capturedAt);
      expect(scanOf(out).equals(scanOf(source))).toBe(true);
      expect((await sharp(out).raw().toBuffer()).equals(await sharp(source).raw().toBuffer())).toBe(true);
    }
  });

  it("gives a copy without EXIF its capture time as EXIF (the camera's wall clock, offset and fraction), then the XMP, and readers see both", async () => {
    const out = jpegWithXmp(plain, xmpPacketOf(XMP), XMP.capturedAt);
    expect(headerMarkers(out).slice(0, 2)).toEqual(['EXIF', 'XMP']);
    const tags = await read(out);
    expect(tags.RegionInfo).toMatchObject({ RegionList: [{ Name: 'Anna & <Bo>', Type: 'Face' }] });
    expect([tags.Subject].flat()).toEqual(['Anna & <Bo>']);
    expect([tags.HierarchicalSubject].flat()).toEqual(['People|Anna & <Bo>']);
    expect(String(tags.DateTimeOriginal)).toMatch(/^2024-06-01T12:34:56/);
    await writeFile(join(dir, 'exif-check.jpg'), out);
    const raw = (await exiftool.readRaw(join(dir, 'exif-check.jpg'), {
      readArgs: ['-G', '-EXIF:DateTimeOriginal', '-EXIF:SubSecTimeOriginal', '-EXIF:OffsetTimeOriginal', '-XMP:DateTimeOriginal'],
    })) as Record<string, unknown>;
    expect(raw['EXIF:DateTimeOriginal']).toBe('2024:06:01 12:34:56');
    expect(String(raw['EXIF:SubSecTimeOriginal'])).toBe('300');
    expect(raw['EXIF:OffsetTimeOriginal']).toBe('+02:00');
    expect(raw['XMP:DateTimeOriginal']).toBe('2024:06:01 12:34:56.300+02:00');
    expect(tags.warnings ?? []).toEqual([]);
  });

  it('writes no fraction of a second for a frame on a whole second', async () => {
    const raw = await readRaw(jpegWithXmp(plain, xmpPacketOf(XMP), { dateTime: '2024:06:01 12:34:56', subSec: null, offset: '-05:30' }));
    expect(raw['EXIF:DateTimeOriginal']).toBe('2024:06:01 12:34:56');
    expect(raw['EXIF:OffsetTimeOriginal']).toBe('-05:30');
    expect(raw['EXIF:SubSecTimeOriginal']).toBeUndefined();
    expect(raw.Warning).toBeUndefined();
  });

  it('puts the XMP after the JFIF segment', () => {
    const out = jpegWithXmp(withJfif, xmpPacketOf(XMP), null);
    expect(headerMarkers(out).slice(0, 2)).toEqual(['APP0', 'XMP']);
  });

  it("keeps a file's own EXIF as it is and puts the XMP right after it", async () => {
    const out = jpegWithXmp(withExif, xmpPacketOf(XMP), XMP.capturedAt);
    const markers = headerMarkers(out);
    expect(markers.filter((m) => m === 'EXIF')).toHaveLength(1);
    expect(markers.indexOf('XMP')).toBe(markers.indexOf('EXIF') + 1);
    const tags = await read(out);
    expect(tags.Model).toBe('ILCE-7M2');
    expect((await readRaw(out))['EXIF:DateTimeOriginal']).toBe('2020:01:02 03:04:05');
    expect([tags.Subject].flat()).toEqual(['Anna & <Bo>']);
  });

  it("adds the capture time to EXIF that has none (sharp's defaults after blurring), keeping what is there", async () => {
    const blurredLike = await image()
      .jpeg()
      .keepMetadata()
      .withExif({ IFD0: { Orientation: '1', XResolution: '72/1' } })
      .toBuffer();
    const out = jpegWithXmp(blurredLike, xmpPacketOf(XMP), XMP.capturedAt);
    expect(headerMarkers(out).slice(0, 2)).toEqual(['EXIF', 'XMP']);
    expect(scanOf(out).equals(scanOf(blurredLike))).toBe(true);
    const raw = await readRaw(out);
    expect(raw['EXIF:DateTimeOriginal']).toBe('2024:06:01 12:34:56');
    expect(String(raw['EXIF:SubSecTimeOriginal'])).toBe('300');
    expect(raw['EXIF:OffsetTimeOriginal']).toBe('+02:00');
    const added = ['EXIF:DateTimeOriginal', 'EXIF:SubSecTimeOriginal', 'EXIF:OffsetTimeOriginal'];
    const exifOf = (tags: Record<string, unknown>) => Object.entries(tags).filter(([k]) => k.startsWith('EXIF:') && !added.includes(k));
    expect(exifOf(raw)).toEqual(exifOf(await readRaw(blurredLike)));
    expect(exifOf(raw).map(([k]) => k)).toContain('EXIF:Orientation');
    expect(raw.Warning).toBeUndefined();
  });

  it("adds the Exif directory when the file's EXIF has only IFD0, in either byte order", async () => {
    for (const order of ['MM', 'II'] as const) {
      // IFD0 with one entry (Orientation 6), no Exif directory.
      const tiff = Buffer.alloc(26);
      const le = order === 'II';
      tiff.write(order, 0, 'latin1');
      const w16 = (v: number, at: number) => (le ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at));
      const w32 = (v: number, at: number) => (le ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at));
      w16(42, 2);
      w32(8, 4);
      w16(1, 8);
      w16(0x0112, 10);
      w16(3, 12);
      w32(1, 14);
      w16(6, 18);
      w32(0, 22);
      const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
      const head = Buffer.alloc(4);
      head.writeUInt16BE(0xffe1, 0);
      head.writeUInt16BE(payload.length + 2, 2);
      const source = Buffer.concat([plain.subarray(0, 2), head, payload, plain.subarray(2)]);
      const raw = await readRaw(jpegWithXmp(source, xmpPacketOf(XMP), XMP.capturedAt));
      expect(raw['EXIF:DateTimeOriginal'], order).toBe('2024:06:01 12:34:56');
      expect(String(raw['EXIF:SubSecTimeOriginal']), order).toBe('300');
      expect(raw['EXIF:OffsetTimeOriginal'], order).toBe('+02:00');
      expect(raw['EXIF:Orientation'], order).toBe(6);
      expect(raw.Warning, order).toBeUndefined();
    }
  });

  it('replaces an XMP segment the file already has, so readers see one packet: the new one', async () => {
    const old = jpegWithXmp(plain, xmpPacketOf({ ...XMP, people: ['Old Name'], pick: true }), null);
    const out = jpegWithXmp(old, xmpPacketOf(XMP), null);
    expect(headerMarkers(out).filter((m) => m === 'XMP')).toHaveLength(1);
    const tags = await read(out);
    expect([tags.Subject].flat()).toEqual(['Anna & <Bo>']);
    expect(tags.Rating).toBeUndefined();
    expect(scanOf(out).equals(scanOf(plain))).toBe(true);
  });

  it('refuses a packet bigger than one JPEG segment, saying so', () => {
    const huge = 'x'.repeat(MAX_SEGMENT_PAYLOAD);
    expect(() => jpegWithXmp(plain, huge, null)).toThrow(JpegXmpError);
    expect(() => jpegWithXmp(plain, huge, null)).toThrow(/XMP packet is \d+ bytes, more than one JPEG segment holds \(65533\)/);
  });

  it('refuses a file that is not a JPEG, saying so', async () => {
    const png = await image().png().toBuffer();
    expect(() => jpegWithXmp(png, xmpPacketOf(XMP), null)).toThrow(/not a JPEG file/);
    expect(() => jpegWithXmp(Buffer.alloc(0), xmpPacketOf(XMP), null)).toThrow(JpegXmpError);
  });

  it('refuses a JPEG cut off inside its header, saying it is truncated', () => {
    for (const cut of [3, 6, 20, scanOf(withExif).byteOffset - withExif.byteOffset - 1]) {
      const truncated = withExif.subarray(0, cut);
      expect(() => jpegWithXmp(truncated, xmpPacketOf(XMP), null), `cut at ${cut}`).toThrow(/truncated|damaged/);
    }
  });
});

describe("reading a preview's size from its header", () => {
  it('gives the frame size of a JPEG without EXIF, the same as sharp reads', async () => {
    for (const source of [plain, withJfif]) {
      const { width, height } = await sharp(source).metadata();
      expect(uprightSizeWithoutExif(source)).toEqual({ width, height });
    }
  });

  it('leaves a JPEG with EXIF (it may be turned by its orientation) or a file that is not a JPEG to sharp', async () => {
    const turned = await image().jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(uprightSizeWithoutExif(turned)).toBeNull();
    expect(uprightSizeWithoutExif(withExif)).toBeNull();
    expect(uprightSizeWithoutExif(await image().png().toBuffer())).toBeNull();
    expect(uprightSizeWithoutExif(plain.subarray(0, 30))).toBeNull();
  });
});
