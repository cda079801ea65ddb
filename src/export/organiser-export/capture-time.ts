// The capture time written back into an exported photo: the camera's own wall clock, the UTC
// offset it was in and the fraction of a second. An instant alone (photos.captured_at) printed in
// the laptop's zone shows a camera set to +02:00 two hours off on a laptop in UTC, and without the
// fraction the frames of a burst taken in one second lose their order in Lightroom and digiKam.

export interface CaptureTime {
  /** The camera's wall clock as EXIF writes it: "2026:06:01 14:32:10". */
  dateTime: string;
  /** The milliseconds as EXIF SubSecTime digits ("300", "045"), or null on a whole second. */
  subSec: string | null;
  /** The UTC offset of that wall clock, as EXIF OffsetTime writes it: "+02:00". */
  offset: string;
}

/** Minutes east of UTC of a zone at an instant (DST-dependent, so asked for each instant). */
export type ZoneOffsetAt = (ms: number) => number;

/**
 * This laptop's zone at an instant. Ingest read a camera time without an offset in this zone, so
 * the same zone gives the camera's wall clock back (the Date knows the zone's DST rules).
 */
export const laptopOffsetMinutes: ZoneOffsetAt = (ms) => -new Date(ms).getTimezoneOffset() || 0;

const pad = (v: number, n = 2): string => String(v).padStart(n, '0');

/** 120 → "+02:00", -330 → "-05:30". */
export function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * The capture time of a photo taken at `ms` (UTC) by a camera in `offsetMinutes` (east of UTC), or,
 * when the camera recorded none, in the zone ingest read it in (`zoneOffsetAt`, this laptop's).
 */
export function captureTimeOf(ms: number, offsetMinutes: number | null, zoneOffsetAt: ZoneOffsetAt = laptopOffsetMinutes): CaptureTime {
  const offset = offsetMinutes ?? zoneOffsetAt(ms);
  const wall = new Date(ms + offset * 60_000); // read with the UTC getters: the wall clock in that offset
  const millis = wall.getUTCMilliseconds();
  return {
    dateTime:
      `${pad(wall.getUTCFullYear(), 4)}:${pad(wall.getUTCMonth() + 1)}:${pad(wall.getUTCDate())} ` +
      `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`,
    subSec: millis === 0 ? null : pad(millis, 3),
    offset: offsetText(offset),
  };
}

/** As ExifTool writes an XMP date from EXIF form: "2026:06:01 14:32:10.300+02:00". */
export const exifToolDateOf = (t: CaptureTime): string => `${t.dateTime}${t.subSec === null ? '' : `.${t.subSec}`}${t.offset}`;

/** XMP's ISO 8601 form: "2026-06-01T14:32:10.300+02:00" (the fraction only when there is one). */
export const xmpDateOf = (t: CaptureTime): string => exifToolDateOf(t).replace(/^(\d{4}):(\d{2}):(\d{2}) /, '$1-$2-$3T');
