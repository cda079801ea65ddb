import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHOTO_EXTENSIONS,
  checkCompleteness,
  detectFormat,
  isCandidatePhotoName,
  nodeRandomAccessFile,
  type Completeness,
  type PhotoFormat,
  type RandomAccessFile,
} from '../../../src/camera-files/index.js';
import { writeBadFiles, type BadFile } from '../../fixtures/bad-files.js';
import { makeCr3, makeRaf, makeTiffRaw, type ByteOrder, type TiffRawVariant } from '../../fixtures/raw-files.js';

const SAMPLE = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';

function inMemory(bytes: Uint8Array): RandomAccessFile {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

function completeness(bytes: Uint8Array, format: PhotoFormat): Promise<Completeness> {
  return checkCompleteness(inMemory(bytes), format);
}

/** Offsets a camera tool might have reached when we look: the very start, spread through, the last bytes. */
function cutPoints(length: number): number[] {
  const fractions = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];
  const points = [1, 2, 7, 8, 16, ...fractions.map((f) => Math.floor(length * f)), length - 2, length - 1];
  return [...new Set(points)].filter((p) => p > 0 && p < length);
}

function bmffBox(type: string, payloadLength: number): Buffer {
  const box = Buffer.alloc(8 + payloadLength);
  box.writeUInt32BE(8 + payloadLength, 0);
  box.write(type, 4, 'latin1');
  return box;
}

function ftyp(major: string, ...compatible: string[]): Buffer {
  return Buffer.from(
    [Buffer.from([0, 0, 0, 16 + compatible.length * 4]).toString('latin1'), 'ftyp', major, '\0\0\0\0', ...compatible].join(''),
    'latin1',
  );
}

let jpeg: Buffer;
let png: Buffer;
let tiff: Buffer;
let tiledTiff: Buffer;
let avif: Buffer;

beforeAll(async () => {
  const small = sharp(SAMPLE).resize(320);
  jpeg = await small.clone().jpeg({ quality: 80 }).toBuffer();
  png = await small.clone().png().toBuffer();
  tiff = await small.clone().tiff().toBuffer();
  tiledTiff = await small.clone().tiff({ tile: true, tileWidth: 64, tileHeight: 64 }).toBuffer();
  avif = await small.clone().avif({ quality: 40, effort: 0 }).toBuffer();
});

describe('isCandidatePhotoName', () => {
  const photos = [
    'IMG_0001.JPG',
    'img_0001.jpeg',
    'DSC_0001.NEF',
    '_MG_1234.CR2',
    'IMG_0042.CR3',
    'DSC01234.ARW',
    'DSCF0001.RAF',
    'P1010001.ORF',
    'L1000001.DNG',
    'IMG_1234.HEIC',
    'IMG_1234.heif',
    'export.avif',
    'scan.tif',
    'scan.TIFF',
    'screenshot.png',
    'Event Day 1/IMG_0001.jpg',
    'C:\\Tether\\IMG_0001.JPG',
  ];
  it.each(photos)('takes %s as a photo', (name) => {
    expect(isCandidatePhotoName(name)).toBe(true);
  });

  const notPhotos: Array<[string, string]> = [
    ['.DS_Store', 'a hidden file'],
    ['.IMG_0001.jpg', 'a hidden photo name (rsync and some FTP servers write these first)'],
    ['._IMG_0001.jpg', 'a macOS AppleDouble companion'],
    ['IMG_0001.jpg.tmp', 'a temp file a tethering tool is still writing'],
    ['IMG_0001.tmp', 'a temp file'],
    ['IMG_0001.JPG.part', 'a partial download'],
    ['IMG_0001.jpg.partial', 'a partial download'],
    ['IMG_0001.jpg.crdownload', 'a Chrome download in progress'],
    ['IMG_0001.jpg.download', 'a Safari download in progress'],
    ['IMG_0001.jpg~', 'a backup copy'],
    ['~$IMG_0001.jpg', 'an owner/lock file'],
    ['notes.txt', 'a text file'],
    ['clip.MOV', 'a video'],
    ['Thumbs.db', 'a Windows thumbnail cache'],
    ['IMG_0001', 'a name without extension'],
    ['jpg', 'a bare extension word'],
  ];
  it.each(notPhotos)('skips %s (%s)', (name) => {
    expect(isCandidatePhotoName(name)).toBe(false);
  });

  it('accepts every listed extension in any case', () => {
    for (const extension of PHOTO_EXTENSIONS) {
      expect(isCandidatePhotoName(`a${extension}`)).toBe(true);
      expect(isCandidatePhotoName(`A${extension.toUpperCase()}`)).toBe(true);
    }
  });
});

describe('detectFormat', () => {
  const raw = (variant: TiffRawVariant, byteOrder: ByteOrder): Buffer => makeTiffRaw(jpeg, { byteOrder, variant, sensorBytes: 1024 });

  it('recognises photos written by sharp from their first bytes', () => {
    expect(detectFormat(jpeg.subarray(0, 64), 'a.jpg')).toBe('jpeg');
    expect(detectFormat(png.subarray(0, 64), 'a.png')).toBe('png');
    expect(detectFormat(tiff.subarray(0, 64), 'a.tif')).toBe('tiff');
    expect(detectFormat(avif.subarray(0, 64), 'a.avif')).toBe('avif');
  });

  it('trusts the bytes over a wrong extension', () => {
    expect(detectFormat(jpeg.subarray(0, 64), 'a.png')).toBe('jpeg');
    expect(detectFormat(png.subarray(0, 64), 'a.jpg')).toBe('png');
    expect(detectFormat(avif.subarray(0, 64), 'a.heic')).toBe('avif');
  });

  it.each([
    ['IMG_1.CR2', 'raw-tiff'],
    ['DSC_1.NEF', 'raw-tiff'],
    ['DSC1.ARW', 'raw-tiff'],
    ['L1.dng', 'raw-tiff'],
    ['P1.ORF', 'raw-tiff'],
    ['scan.tif', 'tiff'],
    ['scan.TIFF', 'tiff'],
  ] as const)('uses the extension to tell RAW from plain TIFF: %s is %s', (name, format) => {
    expect(detectFormat(tiff.subarray(0, 64), name)).toBe(format);
  });

  it.each([
    ['cr2', 'II'],
    ['nef', 'MM'],
    ['nef', 'II'],
    ['arw', 'II'],
    ['dng', 'II'],
    ['dng', 'MM'],
    ['orf', 'II'],
    ['orf', 'MM'],
  ] as const)('recognises a %s container in %s byte order as raw-tiff', (variant, byteOrder) => {
    expect(detectFormat(raw(variant, byteOrder).subarray(0, 64), `IMG_1.${variant}`)).toBe('raw-tiff');
  });

  it("recognises Olympus' IIRO magic and a renamed CR2 as RAW whatever the name", () => {
    expect(detectFormat(raw('orf', 'II').subarray(0, 64), 'P1.tif')).toBe('raw-tiff');
    expect(detectFormat(raw('cr2', 'II').subarray(0, 64), 'IMG_1.tif')).toBe('raw-tiff');
    expect(detectFormat(Buffer.from('IIRS\x08\0\0\0', 'latin1'), 'P1.orf')).toBe('raw-tiff');
  });

  it('recognises CR3 by its crx brand and RAF by the Fujifilm magic', () => {
    expect(detectFormat(makeCr3(jpeg, 1024).subarray(0, 64), 'IMG_0042.CR3')).toBe('cr3');
    expect(detectFormat(makeRaf(jpeg, 1024).subarray(0, 64), 'DSCF0001.RAF')).toBe('raf');
  });

  it.each([
    [ftyp('heic', 'mif1', 'heic'), 'IMG_1.HEIC', 'heic'],
    [ftyp('heix', 'mif1'), 'IMG_1.HEIC', 'heic'],
    [ftyp('mif1', 'heic'), 'IMG_1.heif', 'heic'],
    [ftyp('mif1', 'avif'), 'x.heif', 'avif'],
    [ftyp('avis', 'msf1'), 'x.avif', 'avif'],
    [ftyp('mif1', 'miaf'), 'x.avif', 'avif'],
    [ftyp('mif1', 'miaf'), 'x.heif', 'heic'],
  ] as const)('reads HEIF brands to tell HEIC from AVIF (%#)', (head, name, format) => {
    expect(detectFormat(head, name)).toBe(format);
  });

  const notPhotos: Array<[name: string, what: string, head: Uint8Array]> = [
    ['empty.jpg', 'an empty file', Buffer.alloc(0)],
    ['notes.jpg', 'a text file named .jpg', Buffer.from('Ceremony at 14:00\n')],
    ['short.jpg', 'two bytes of a JPEG', Buffer.from([0xff, 0xd8])],
    ['clip.heic', 'an MP4 video', ftyp('isom', 'iso2', 'mp41')],
    ['clip.heif', 'a QuickTime movie', ftyp('qt  ')],
    ['a.jpg', 'a GIF', Buffer.from('GIF89a')],
  ];
  it.each(notPhotos)('returns null for %s, %s', (name, _what, head) => {
    expect(detectFormat(head, name)).toBeNull();
  });
});

describe('checkCompleteness', () => {
  it('reports an empty file as incomplete for every format', async () => {
    for (const format of ['jpeg', 'png', 'tiff', 'heic', 'avif', 'raw-tiff', 'cr3', 'raf'] as const) {
      expect(await completeness(Buffer.alloc(0), format)).toEqual({ state: 'incomplete', reason: 'file is empty' });
    }
  });

  describe('jpeg', () => {
    it('takes a JPEG that ends with its end marker', async () => {
      expect(await completeness(jpeg, 'jpeg')).toEqual({ state: 'complete' });
    });

    it('waits for a JPEG cut at any point', async () => {
      for (const cut of cutPoints(jpeg.length)) {
        const result = await completeness(jpeg.subarray(0, cut), 'jpeg');
        expect(result.state, `cut at ${cut}`).toBe('incomplete');
      }
      expect(await completeness(jpeg.subarray(0, jpeg.length - 1), 'jpeg')).toEqual({
        state: 'incomplete',
        reason: 'no JPEG end marker (file still being written or truncated)',
      });
    });

    it('takes a JPEG that a camera padded with 100 zero or 0xFF bytes after the end marker', async () => {
      expect(await completeness(Buffer.concat([jpeg, Buffer.alloc(100)]), 'jpeg')).toEqual({ state: 'complete' });
      expect(await completeness(Buffer.concat([jpeg, Buffer.alloc(100, 0xff)]), 'jpeg')).toEqual({ state: 'complete' });
      expect(await completeness(Buffer.concat([jpeg, Buffer.alloc(10_000)]), 'jpeg')).toEqual({ state: 'complete' });
    });

    it('takes a JPEG with a short trailer after the end marker', async () => {
      expect(await completeness(Buffer.concat([jpeg, Buffer.from('SEFT trailer')]), 'jpeg')).toEqual({ state: 'complete' });
    });

    it('waits for a preallocated file whose zero tail is longer than any padding', async () => {
      const half = jpeg.subarray(0, jpeg.length >> 1);
      expect((await completeness(Buffer.concat([half, Buffer.alloc(4096)]), 'jpeg')).state).toBe('incomplete');
      expect((await completeness(Buffer.concat([jpeg, Buffer.alloc(2 << 20)]), 'jpeg')).state).toBe('incomplete');
    });

    it('reports a file without the start marker as damaged', async () => {
      expect(await completeness(jpeg.subarray(1), 'jpeg')).toEqual({
        state: 'damaged',
        reason: 'no JPEG start marker at the beginning of the file',
      });
    });
  });

  describe('png', () => {
    it('takes a PNG that ends with IEND and waits for one cut at any point', async () => {
      expect(await completeness(png, 'png')).toEqual({ state: 'complete' });
      for (const cut of cutPoints(png.length)) {
        expect((await completeness(png.subarray(0, cut), 'png')).state, `cut at ${cut}`).toBe('incomplete');
      }
    });
  });

  describe('tiff', () => {
    it('takes a striped and a tiled TIFF and waits for either cut at any point', async () => {
      for (const file of [tiff, tiledTiff]) {
        expect(await completeness(file, 'tiff')).toEqual({ state: 'complete' });
        for (const cut of cutPoints(file.length)) {
          expect((await completeness(file.subarray(0, cut), 'tiff')).state, `cut at ${cut}`).toBe('incomplete');
        }
      }
    });

    it('stops at an IFD chain that loops back on itself', async () => {
      const looped = Buffer.alloc(8 + 2 + 4);
      looped.write('II*\0', 0, 'latin1');
      looped.writeUInt32LE(8, 4);
      looped.writeUInt16LE(0, 8);
      looped.writeUInt32LE(8, 10);
      expect(await completeness(looped, 'tiff')).toEqual({ state: 'complete' });
    });

    /** The sharp-made TIFF (little-endian) with its first directory offset replaced. */
    function withFirstDirectoryAt(offset: number): Buffer {
      const copy = Buffer.from(tiff);
      copy.writeUInt32LE(offset, 4);
      return copy;
    }

    it('reports a directory offset no photo could reach as damaged, not as still being written', async () => {
      const result = await completeness(withFirstDirectoryAt(0xdeadbeef), 'tiff');
      expect(result.state).toBe('damaged');
      expect(result).toMatchObject({ reason: expect.stringContaining(`TIFF directory at byte ${0xdeadbeef}`) });
      expect(result).toMatchObject({ reason: expect.stringContaining('the offset is corrupt') });
    });

    it("reports a directory offset inside the file's own header as damaged", async () => {
      expect(await completeness(withFirstDirectoryAt(4), 'tiff')).toEqual({
        state: 'damaged',
        reason: "TIFF directory offset 4 points into the file's own 8-byte header",
      });
    });

    it('waits for a directory a little past the end, which the rest of the copy may bring', async () => {
      expect((await completeness(withFirstDirectoryAt(tiff.length + 4096), 'tiff')).state).toBe('incomplete');
    });

    it('waits for a TIFF whose header points at no directory yet, as libtiff writes it until the first directory is done', async () => {
      expect((await completeness(withFirstDirectoryAt(0), 'tiff')).state).toBe('incomplete');
    });

    it('leaves BigTIFF to size stability', async () => {
      const bigTiff = Buffer.from('II+\0\x08\0\0\0\0\0\0\0\0\0\0\0', 'latin1');
      expect(await completeness(bigTiff, 'tiff')).toEqual({ state: 'unknown' });
    });
  });

  describe('raw-tiff', () => {
    const variants = [
      ['cr2', 'II'],
      ['nef', 'MM'],
      ['nef', 'II'],
      ['arw', 'II'],
      ['dng', 'II'],
      ['dng', 'MM'],
      ['orf', 'II'],
      ['orf', 'MM'],
    ] as const;
    it.each(variants)('takes a whole %s (%s) and waits for one cut at any point', async (variant, byteOrder) => {
      const file = makeTiffRaw(jpeg, { byteOrder, variant, sensorBytes: 64 * 1024 });
      expect(await completeness(file, 'raw-tiff')).toEqual({ state: 'complete' });
      for (const cut of cutPoints(file.length)) {
        expect((await completeness(file.subarray(0, cut), 'raw-tiff')).state, `cut at ${cut}`).toBe('incomplete');
      }
    });

    it('names the sensor data as what runs past the end of a NEF', async () => {
      const file = makeTiffRaw(jpeg, { byteOrder: 'MM', variant: 'nef', sensorBytes: 64 * 1024 });
      const result = await completeness(file.subarray(0, file.length - 1000), 'raw-tiff');
      expect(result).toEqual({
        state: 'incomplete',
        reason: `strip data ends at byte ${file.length} but the file has ${file.length - 1000} bytes (file still being written or truncated)`,
      });
    });
  });

  describe('ISO-BMFF (heic, avif, cr3)', () => {
    it('takes an AVIF from sharp and waits for one cut at any point', async () => {
      expect(await completeness(avif, 'avif')).toEqual({ state: 'complete' });
      for (const cut of cutPoints(avif.length)) {
        expect((await completeness(avif.subarray(0, cut), 'avif')).state, `cut at ${cut}`).toBe('incomplete');
      }
    });

    it('takes a HEIC whose boxes tile the file and waits for one whose mdat runs past the end', async () => {
      const heic = Buffer.concat([ftyp('heic', 'mif1', 'heic'), bmffBox('meta', 200), bmffBox('mdat', 5000)]);
      expect(await completeness(heic, 'heic')).toEqual({ state: 'complete' });
      const cut = heic.subarray(0, heic.length - 1);
      expect(await completeness(cut, 'heic')).toEqual({
        state: 'incomplete',
        reason: `box 'mdat' at byte ${heic.length - 5008} ends at byte ${heic.length} but the file has ${cut.length} bytes (file still being written or truncated)`,
      });
    });

    it('follows a 64-bit largesize box', async () => {
      const mdat = Buffer.alloc(16 + 3000);
      mdat.writeUInt32BE(1, 0);
      mdat.write('mdat', 4, 'latin1');
      mdat.writeUInt32BE(0, 8);
      mdat.writeUInt32BE(mdat.length, 12);
      const heic = Buffer.concat([ftyp('heic'), bmffBox('meta', 50), mdat]);
      expect(await completeness(heic, 'heic')).toEqual({ state: 'complete' });
      expect((await completeness(heic.subarray(0, heic.length - 10), 'heic')).state).toBe('incomplete');
      expect((await completeness(heic.subarray(0, heic.length - 3010), 'heic')).state).toBe('incomplete');
    });

    it('takes a last box of size 0, which runs to the end of the file', async () => {
      const openEnded = bmffBox('mdat', 100);
      openEnded.writeUInt32BE(0, 0);
      expect(await completeness(Buffer.concat([ftyp('heic'), openEnded]), 'heic')).toEqual({ state: 'complete' });
    });

    it('waits for a file with bytes after the last box that do not make a box header', async () => {
      const heic = Buffer.concat([ftyp('heic'), bmffBox('mdat', 100), Buffer.alloc(5)]);
      expect((await completeness(heic, 'heic')).state).toBe('incomplete');
    });

    it('reports a box that claims to be smaller than its own header as damaged', async () => {
      const bad = Buffer.concat([ftyp('heic'), Buffer.from([0, 0, 0, 4]), Buffer.from('mdat')]);
      expect(await completeness(bad, 'heic')).toEqual({
        state: 'damaged',
        reason: `box 'mdat' at byte ${ftyp('heic').length} has an invalid size 4`,
      });
    });

    it('takes a whole CR3 and waits for one cut at any point', async () => {
      const cr3 = makeCr3(jpeg, 64 * 1024);
      expect(await completeness(cr3, 'cr3')).toEqual({ state: 'complete' });
      for (const cut of cutPoints(cr3.length)) {
        expect((await completeness(cr3.subarray(0, cut), 'cr3')).state, `cut at ${cut}`).toBe('incomplete');
      }
    });
  });

  describe('raf', () => {
    it('takes a whole RAF and waits for one cut at any point', async () => {
      const raf = makeRaf(jpeg, 64 * 1024);
      expect(await completeness(raf, 'raf')).toEqual({ state: 'complete' });
      for (const cut of cutPoints(raf.length)) {
        expect((await completeness(raf.subarray(0, cut), 'raf')).state, `cut at ${cut}`).toBe('incomplete');
      }
    });

    it('reports a sensor data offset no photo could reach as damaged', async () => {
      const raf = makeRaf(jpeg, 1024);
      raf.writeUInt32BE(0xffff_0000, 100);
      expect((await completeness(raf, 'raf')).state).toBe('damaged');
    });
  });
});

describe('the bad files a hot folder receives, read through nodeRandomAccessFile', () => {
  let dir: string;
  let badFiles: BadFile[];
  let goodJpeg: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shutterfind-formats-'));
    goodJpeg = await sharp(SAMPLE).resize(640).jpeg({ quality: 85 }).toBuffer();
    badFiles = await writeBadFiles(dir, goodJpeg);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function inspect(name: string): Promise<{ format: PhotoFormat | null; completeness: Completeness | null }> {
    const path = join(dir, name);
    const { size } = await stat(path);
    const handle = await open(path, 'r');
    try {
      const file = nodeRandomAccessFile(handle, size);
      const format = detectFormat(await file.read(0, 64), name);
      return { format, completeness: format === null ? null : await checkCompleteness(file, format) };
    } finally {
      await handle.close();
    }
  }

  it('writes one file of each kind', () => {
    expect(badFiles.map((f) => f.kind).sort()).toEqual(
      ['corrupt', 'decompression-bomb', 'empty', 'no-permission', 'not-a-photo', 'truncated'].sort(),
    );
  });

  it('finds no format in an empty file or in a text file named .jpg', async () => {
    expect(await inspect('empty.jpg')).toEqual({ format: null, completeness: null });
    expect(await inspect('notes.jpg')).toEqual({ format: null, completeness: null });
  });

  it('waits for the truncated JPEG', async () => {
    expect(await inspect('truncated.jpg')).toEqual({
      format: 'jpeg',
      completeness: { state: 'incomplete', reason: 'no JPEG end marker (file still being written or truncated)' },
    });
  });

  it('passes the corrupt JPEG and the PNG bomb on, because their structure is intact', async () => {
    expect(await inspect('corrupt.jpg')).toEqual({ format: 'jpeg', completeness: { state: 'complete' } });
    expect(await inspect('bomb.png')).toEqual({ format: 'png', completeness: { state: 'complete' } });
  });

  it('makes a corrupt JPEG that sharp refuses even with failOn error', async () => {
    const corrupt = join(dir, 'corrupt.jpg');
    const expectError = badFiles.find((f) => f.kind === 'corrupt')?.expectError ?? /never/;
    await expect(sharp(corrupt, { failOn: 'error' }).raw().toBuffer()).rejects.toThrow(expectError);
  });

  it('makes a PNG bomb that sharp measures as 30000x30000 and refuses to decode under its pixel limit', async () => {
    const bomb = join(dir, 'bomb.png');
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 30_000, height: 30_000 });
    const expectError = badFiles.find((f) => f.kind === 'decompression-bomb')?.expectError ?? /never/;
    // Since sharp 0.35 even reading the header trips the default limit.
    await expect(sharp(bomb).metadata()).rejects.toThrow(expectError);
    await expect(sharp(bomb).raw().toBuffer()).rejects.toThrow(expectError);
  });
});
