// Camera metadata an organiser sorts and filters by: capture time, body, serial, lens.
import exifr from 'exifr';
import type { CameraMetadata } from '../store/index.js';

/** The camera's metadata of a file (one declaration for reading, storing and returning it: store/types.ts). */
export type PhotoMetadata = CameraMetadata;

export const EMPTY_METADATA: PhotoMetadata = {
  capturedAt: null,
  capturedOffsetMinutes: null,
  cameraMake: null,
  cameraModel: null,
  cameraSerial: null,
  lens: null,
  orientation: null,
};

const PICK = [
  'DateTimeOriginal',
  'CreateDate',
  'ModifyDate',
  'Make',
  'Model',
  'SerialNumber',
  'BodySerialNumber',
  'InternalSerialNumber',
  'LensModel',
  'Lens',
  'Orientation',
  'OffsetTimeOriginal',
  'OffsetTimeDigitized',
  'OffsetTime',
  'SubSecTimeOriginal',
];

type RawTags = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** "+02:00" → 120, "-05:30" → -330; null when it is not an offset. */
function offsetMinutesOf(v: unknown): number | null {
  const m = typeof v === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(v.trim()) : null;
  if (!m || Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

interface Moment {
  at: number;
  /** The offset `at` was read in, or null when the camera gave none (the laptop's zone was used). */
  offsetMinutes: number | null;
}

/**
 * EXIF times have no zone: exifr reads them as the laptop's local time, which is right for a
 * camera set to the venue's clock. When the camera also recorded its UTC offset ("+02:00"), use
 * it, so bodies set to different zones still line up; the offset is kept with the time, so an
 * export can write the camera's own wall clock back.
 */
function time(v: unknown, ...offsets: unknown[]): Moment | null {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) return null;
  const offsetMinutes = offsets.map(offsetMinutesOf).find((o) => o !== null) ?? null;
  if (offsetMinutes === null) return { at: v.getTime(), offsetMinutes: null };
  const wallClockAsUtc = Date.UTC(
    v.getFullYear(),
    v.getMonth(),
    v.getDate(),
    v.getHours(),
    v.getMinutes(),
    v.getSeconds(),
    v.getMilliseconds(),
  );
  return { at: wallClockAsUtc - offsetMinutes * 60_000, offsetMinutes };
}

/**
 * EXIF keeps fractions of a second apart (SubSecTimeOriginal, digits after the point: "3" is
 * 0.3 s, "045" 0.045 s). Bursts are several frames a second, so the fraction matters.
 */
const withSubSecond = (m: Moment | null, subSec: unknown): Moment | null =>
  m === null || m.at % 1000 !== 0 ? m : { ...m, at: m.at + subSecondMs(subSec) };

export function subSecondMs(v: unknown): number {
  const digits = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  return /^\d{1,9}$/.test(digits) ? Math.floor(Number(`0.${digits}`) * 1000) : 0;
}

/** Pure mapping from exifr's tag bag to what Shutterfind stores. */
export function toPhotoMetadata(tags: RawTags | undefined | null): PhotoMetadata {
  if (!tags) return EMPTY_METADATA;
  const orientation = typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8 ? tags.Orientation : null;
  // Each time with the offset EXIF pairs it with, then the camera's general one (OffsetTime).
  const captured =
    withSubSecond(time(tags.DateTimeOriginal, tags.OffsetTimeOriginal, tags.OffsetTime), tags.SubSecTimeOriginal) ??
    time(tags.CreateDate, tags.OffsetTimeDigitized, tags.OffsetTime) ??
    time(tags.ModifyDate, tags.OffsetTime);
  return {
    capturedAt: captured?.at ?? null,
    capturedOffsetMinutes: captured?.offsetMinutes ?? null,
    cameraMake: text(tags.Make),
    cameraModel: text(tags.Model),
    cameraSerial: text(tags.BodySerialNumber) ?? text(tags.SerialNumber) ?? text(tags.InternalSerialNumber),
    lens: text(tags.LensModel) ?? text(tags.Lens),
    orientation,
  };
}

/**
 * Reads EXIF from a file path or buffer. exifr reads only the first chunks of a file.
 * Missing or unparsable EXIF is normal (screenshots, edited exports) and yields empty metadata.
 */
export async function readPhotoMetadata(input: string | Uint8Array): Promise<PhotoMetadata> {
  try {
    const tags = (await exifr.parse(input as string | Buffer, {
      pick: PICK,
      translateValues: false,
      reviveValues: true,
      mergeOutput: true,
    })) as RawTags | undefined;
    return toPhotoMetadata(tags);
  } catch {
    // exifr throws for formats it does not know (CR3, RAF): their embedded JPEG carries EXIF instead.
    return EMPTY_METADATA;
  }
}

/** Fills the gaps in `primary` from `fallback` (a RAW's own tags first, then its embedded preview's). */
export function mergeMetadata(primary: PhotoMetadata, fallback: PhotoMetadata): PhotoMetadata {
  return {
    capturedAt: primary.capturedAt ?? fallback.capturedAt,
    // The offset belongs to the time it was read with: never one file's time with the other's offset.
    capturedOffsetMinutes: primary.capturedAt !== null ? primary.capturedOffsetMinutes : fallback.capturedOffsetMinutes,
    cameraMake: primary.cameraMake ?? fallback.cameraMake,
    cameraModel: primary.cameraModel ?? fallback.cameraModel,
    cameraSerial: primary.cameraSerial ?? fallback.cameraSerial,
    lens: primary.lens ?? fallback.lens,
    orientation: primary.orientation ?? fallback.orientation,
  };
}
