import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyExisting } from '../../../src/ingest/index.js';
import { mergeMetadata, readPhotoMetadata, toPhotoMetadata, EMPTY_METADATA } from '../../../src/camera-files/index.js';
import type { Photo } from '../../../src/store/index.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { useExifTool } from '../../support/exiftool.js';

describe('camera metadata', () => {
  it('takes the shutter time, body, serial and lens from EXIF tags', () => {
    const m = toPhotoMetadata({
      DateTimeOriginal: new Date(Date.UTC(2026, 5, 6, 15, 4, 5)),
      ModifyDate: new Date(Date.UTC(2027, 0, 1)),
      Make: ' Canon ',
      Model: 'Canon EOS R6',
      BodySerialNumber: '012345678',
      LensModel: 'RF24-70mm F2.8 L IS USM',
      Orientation: 6,
    });
    expect(m).toEqual({
      capturedAt: Date.UTC(2026, 5, 6, 15, 4, 5),
      capturedOffsetMinutes: null,
      cameraMake: 'Canon',
      cameraModel: 'Canon EOS R6',
      cameraSerial: '012345678',
      lens: 'RF24-70mm F2.8 L IS USM',
      orientation: 6,
    });
  });

  it("places the shutter time in UTC using the camera's own offset when it recorded one", () => {
    // exifr gives a zone-less EXIF time as the laptop's local wall clock.
    const wallClock = new Date(2026, 5, 6, 15, 4, 5);
    expect(toPhotoMetadata({ DateTimeOriginal: wallClock, OffsetTimeOriginal: '+02:00' }).capturedAt).toBe(Date.UTC(2026, 5, 6, 13, 4, 5));
    expect(toPhotoMetadata({ DateTimeOriginal: wallClock, OffsetTimeOriginal: '-05:30' }).capturedAt).toBe(Date.UTC(2026, 5, 6, 20, 34, 5));
    expect(toPhotoMetadata({ DateTimeOriginal: wallClock }).capturedAt).toBe(wallClock.getTime());
    // The offset is kept beside the instant, so an export can write the camera's own wall clock back.
    expect(toPhotoMetadata({ DateTimeOriginal: wallClock, OffsetTimeOriginal: '-05:30' }).capturedOffsetMinutes).toBe(-330);
    expect(toPhotoMetadata({ DateTimeOriginal: wallClock }).capturedOffsetMinutes).toBeNull();
    // Burst frames a fraction of a second apart keep their order and spacing.
    expect(
      ['3', '30', '045', ' 7 ', 12, 'x'].map(
        (sub) => toPhotoMetadata({ DateTimeOriginal: wallClock, SubSecTimeOriginal: sub }).capturedAt! - wallClock.getTime(),
      ),
    ).toEqual([300, 300, 45, 700, 120, 0]);
  });

  it('reads each time with the offset EXIF pairs it with, else the camera-wide OffsetTime', () => {
    const wallClock = new Date(2026, 5, 6, 15, 4, 5);
    expect(toPhotoMetadata({ DateTimeOriginal: wallClock, OffsetTime: '+09:00' })).toMatchObject({
      capturedAt: Date.UTC(2026, 5, 6, 6, 4, 5),
      capturedOffsetMinutes: 540,
    });
    expect(toPhotoMetadata({ CreateDate: wallClock, OffsetTimeOriginal: '+09:00', OffsetTimeDigitized: '+01:00' })).toMatchObject({
      capturedAt: Date.UTC(2026, 5, 6, 14, 4, 5),
      capturedOffsetMinutes: 60,
    });
    expect(toPhotoMetadata({ DateTimeOriginal: wallClock, OffsetTimeOriginal: '+25:00' }).capturedOffsetMinutes).toBeNull();
  });

  it('leaves out what is missing or nonsense instead of guessing', () => {
    expect(toPhotoMetadata({ Orientation: 42, Make: '', DateTimeOriginal: 'yesterday' })).toEqual(EMPTY_METADATA);
    expect(toPhotoMetadata(undefined)).toEqual(EMPTY_METADATA);
  });

  it("fills a RAW file's gaps from its embedded preview", () => {
    const raw = { ...EMPTY_METADATA, cameraModel: 'X-T5', orientation: 8 };
    const preview = { ...EMPTY_METADATA, cameraModel: 'ignored', capturedAt: 5 };
    expect(mergeMetadata(raw, preview)).toMatchObject({ cameraModel: 'X-T5', orientation: 8, capturedAt: 5 });
  });

  it("keeps the offset with the time it was read with, never one file's time with the other's offset", () => {
    const timed = (capturedAt: number, capturedOffsetMinutes: number | null) => ({ ...EMPTY_METADATA, capturedAt, capturedOffsetMinutes });
    expect(mergeMetadata(timed(1, null), timed(2, 120))).toMatchObject({ capturedAt: 1, capturedOffsetMinutes: null });
    expect(mergeMetadata(EMPTY_METADATA, timed(2, 120))).toMatchObject({ capturedAt: 2, capturedOffsetMinutes: 120 });
  });
});

describe("a camera file's capture time", () => {
  const tools = useExifTool();

  it('is the instant in UTC with the fraction of a second, and the offset the camera was set to', async () => {
    const path = join(tools.dir, 'DSC_0042.JPG');
    await copyFile(samplePhotoPaths()[0]!, path);
    await tools.exiftool.write(
      path,
      { DateTimeOriginal: '2026:06:01 14:32:10', SubSecTimeOriginal: '3', OffsetTimeOriginal: '+02:00' },
      { writeArgs: ['-overwrite_original'] },
    );
    expect(await readPhotoMetadata(path)).toMatchObject({ capturedAt: Date.parse('2026-06-01T12:32:10.300Z'), capturedOffsetMinutes: 120 });
  });
});

describe('a file with bytes the event already has', () => {
  const photo = { path: '/cam/IMG_0001.CR3' } as Photo;
  it.each([
    ['/cam/IMG_0001.CR3', true, 'known'],
    ['/backup/IMG_0001.CR3', true, 'copy'],
    ['/cam/Smith_0001.CR3', false, 'rename'],
  ] as const)('at %s (original still there: %s) is %s', (path, originalThere, expected) => {
    expect(classifyExisting(photo, path, originalThere)).toBe(expected);
  });
});
