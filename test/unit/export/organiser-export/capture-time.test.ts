// The capture time an export writes back: the camera's own wall clock in its own UTC offset, with
// the fraction of a second, whatever zone the laptop is in; and, for a camera that recorded no
// offset, the wall clock ingest read in the laptop's zone, on either side of a DST change.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { toPhotoMetadata } from '../../../../src/camera-files/index.js';
import { captureTimeOf, laptopOffsetMinutes, offsetText, type ZoneOffsetAt } from '../../../../src/export/organiser-export/capture-time.js';
import { exifToolTagsOf, type PhotoXmp } from '../../../../src/export/organiser-export/xmp-tags.js';
import { useExifTool } from '../../../support/exiftool.js';

/** A zone's offset at an instant, from the IANA rules (what the laptop's zone would say there). */
const zone =
  (timeZone: string): ZoneOffsetAt =>
  (ms) => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(ms)
      .find((p) => p.type === 'timeZoneName')!.value; // "GMT+02:00", or "GMT" for UTC itself
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };

describe("a capture time with the camera's offset", () => {
  it("is written as the camera's wall clock in that offset, with the fraction of a second, in any laptop zone", () => {
    const at = Date.UTC(2026, 5, 1, 12, 32, 10, 300);
    for (const laptop of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
      expect(captureTimeOf(at, 120, zone(laptop)), laptop).toEqual({ dateTime: '2026:06:01 14:32:10', subSec: '300', offset: '+02:00' });
    }
    expect(captureTimeOf(Date.UTC(2026, 0, 1, 4, 59, 59, 45), -330)).toEqual({
      dateTime: '2025:12:31 23:29:59',
      subSec: '045',
      offset: '-05:30',
    });
  });

  it('has no fraction on a whole second', () => {
    expect(captureTimeOf(Date.UTC(2026, 5, 1, 12, 32, 10), 0).subSec).toBeNull();
    expect(captureTimeOf(Date.UTC(2026, 5, 1, 12, 32, 10), 0).offset).toBe('+00:00');
  });

  it('keeps the order of burst frames taken in one second', () => {
    const frames = [0, 100, 350, 999].map((ms) => captureTimeOf(Date.UTC(2026, 5, 1, 12, 32, 10, ms), 120));
    expect(frames.map((f) => f.dateTime)).toEqual(Array(4).fill('2026:06:01 14:32:10'));
    expect(frames.map((f) => f.subSec)).toEqual([null, '100', '350', '999']);
  });
});

describe('a capture time from a camera that recorded no offset', () => {
  const berlin = zone('Europe/Berlin');

  it("is the laptop zone's wall clock at that instant, on both sides of the spring DST change", () => {
    // Berlin moved from +01:00 to +02:00 at 2026-03-29 01:00 UTC.
    expect(captureTimeOf(Date.UTC(2026, 2, 29, 0, 30), null, berlin)).toEqual({
      dateTime: '2026:03:29 01:30:00',
      subSec: null,
      offset: '+01:00',
    });
    expect(captureTimeOf(Date.UTC(2026, 2, 29, 1, 30), null, berlin)).toEqual({
      dateTime: '2026:03:29 03:30:00',
      subSec: null,
      offset: '+02:00',
    });
  });

  it("is the laptop zone's wall clock at that instant, on both sides of the autumn DST change", () => {
    // Back from +02:00 to +01:00 at 2026-10-25 01:00 UTC: 02:30 happens twice, the offset tells which.
    expect(captureTimeOf(Date.UTC(2026, 9, 25, 0, 30, 0, 250), null, berlin)).toEqual({
      dateTime: '2026:10:25 02:30:00',
      subSec: '250',
      offset: '+02:00',
    });
    expect(captureTimeOf(Date.UTC(2026, 9, 25, 1, 30, 0, 250), null, berlin)).toEqual({
      dateTime: '2026:10:25 02:30:00',
      subSec: '250',
      offset: '+01:00',
    });
  });

  it('gives back the digits the camera wrote, as ingest read them in this laptop zone', () => {
    for (const [y, mo, d, h] of [
      [2026, 0, 15, 9],
      [2026, 6, 15, 21],
      [2026, 2, 29, 12],
      [2026, 9, 25, 12],
    ] as const) {
      // exifr hands a zone-less EXIF time over as this laptop's local wall clock.
      const { capturedAt, capturedOffsetMinutes } = toPhotoMetadata({
        DateTimeOriginal: new Date(y, mo, d, h, 4, 5),
        SubSecTimeOriginal: '3',
      });
      expect(capturedOffsetMinutes).toBeNull();
      const t = captureTimeOf(capturedAt!, capturedOffsetMinutes);
      expect(t.dateTime).toBe(`${y}:${String(mo + 1).padStart(2, '0')}:${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}:04:05`);
      expect(t.subSec).toBe('300');
      expect(t.offset).toBe(offsetText(laptopOffsetMinutes(capturedAt!)));
    }
  });
});

describe('the ExifTool tags of a capture time (the writer for files our own packet cannot carry)', () => {
  const tools = useExifTool();

  const xmp: PhotoXmp = {
    regions: null,
    people: [],
    pick: false,
    capturedAt: captureTimeOf(Date.UTC(2026, 5, 1, 12, 32, 10, 300), 120),
  };

  it('write the wall clock, fraction and offset into the EXIF and XMP of a JPEG copy', async () => {
    const path = join(tools.dir, 'copy.jpg');
    await writeFile(
      path,
      await sharp({ create: { width: 32, height: 32, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer(),
    );
    await tools.exiftool.write(path, exifToolTagsOf(xmp, 'embedded'), { writeArgs: ['-overwrite_original'] });
    const raw = (await tools.exiftool.readRaw(path, {
      readArgs: ['-G', '-EXIF:DateTimeOriginal', '-EXIF:SubSecTimeOriginal', '-EXIF:OffsetTimeOriginal', '-XMP:DateTimeOriginal'],
    })) as Record<string, unknown>;
    expect(raw['EXIF:DateTimeOriginal']).toBe('2026:06:01 14:32:10');
    expect(String(raw['EXIF:SubSecTimeOriginal'])).toBe('300');
    expect(raw['EXIF:OffsetTimeOriginal']).toBe('+02:00');
    expect(raw['XMP:DateTimeOriginal']).toBe('2026:06:01 14:32:10.300+02:00');
  });

  it("write only XMP into an original's sidecar", async () => {
    const tags = exifToolTagsOf(xmp, 'sidecar');
    expect(Object.keys(tags)).toEqual(['XMP-exif:DateTimeOriginal']);
    const path = join(tools.dir, 'IMG_0001.xmp');
    await tools.exiftool.write(path, tags);
    const raw = (await tools.exiftool.readRaw(path, { readArgs: ['-G', '-XMP:DateTimeOriginal'] })) as Record<string, unknown>;
    expect(raw['XMP:DateTimeOriginal']).toBe('2026:06:01 14:32:10.300+02:00');
  });
});
