// The metadata other tools read from an exported photo, as ExifTool tags: MWG face regions named
// by person (Lightroom, digiKam, Photo Mechanic and ExifTool all read the MWG form), the names as
// keywords, a burst's best frame as a rating and label, and the capture time.
import { captureTimeOf, exifToolDateOf, type CaptureTime } from './capture-time.js';
import type { ExportPhoto } from './export-model.js';
import type { PlannedPhoto } from './export-plan.js';

/** Lightroom's hierarchical keyword parent, so names sort under one "People" branch. */
export const PEOPLE_KEYWORD_PARENT = 'People';
/** The best frame of a burst: five stars and a label Lightroom shows in its filter bar. */
export const PICK_RATING = 5;
export const PICK_LABEL = 'Burst pick';

export interface FaceRegion {
  Area: { X: number; Y: number; W: number; H: number; Unit: 'normalized' };
  Name: string;
  Type: 'Face';
}

export type XmpTags = Record<string, unknown>;

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const round = (v: number): number => Math.round(v * 1e6) / 1e6;

/**
 * MWG regions: the centre of the box and its size, as fractions of the image (so the same
 * regions fit the original and its 2048 px preview). Only the faces of exported people: an
 * opted-out face gets no region and no name.
 */
export function faceRegions(photo: ExportPhoto, names: ReadonlyMap<number, string>, exported: readonly number[]): FaceRegion[] {
  const W = photo.width || 1;
  const H = photo.height || 1;
  return photo.faces
    .filter((f) => f.personId !== null && exported.includes(f.personId))
    .map((f) => {
      const [x, y, w, h] = f.box;
      return {
        Area: {
          X: round(clamp01((x + w / 2) / W)),
          Y: round(clamp01((y + h / 2) / H)),
          W: round(clamp01(w / W)),
          H: round(clamp01(h / H)),
          Unit: 'normalized',
        },
        Name: names.get(f.personId!)!,
        Type: 'Face',
      };
    });
}

/** What an exported photo says about itself, whichever way it is written (our packet, or ExifTool's tags). */
export interface PhotoXmp {
  /** MWG regions of the exported people's faces, on an image of `appliedTo` pixels; null when none. */
  regions: { appliedTo: { width: number; height: number }; list: FaceRegion[] } | null;
  /** The exported people in the photo, as keywords (dc:subject, People|Name, PersonInImage). */
  people: string[];
  /** The best frame of its burst: rating 5 and the "Burst pick" label. */
  pick: boolean;
  /** The capture time: the camera's wall clock, its UTC offset and the fraction of a second; null when unknown. */
  capturedAt: CaptureTime | null;
}

/** The metadata of one photo. `imageSize` is the exported image's upright size (AppliedToDimensions). */
export function photoXmpOf(
  planned: PlannedPhoto,
  names: ReadonlyMap<number, string>,
  imageSize: { width: number; height: number },
): PhotoXmp {
  const list = faceRegions(planned.photo, names, planned.people);
  return {
    regions: list.length ? { appliedTo: imageSize, list } : null,
    people: planned.people.map((id) => names.get(id)!),
    pick: planned.pick,
    capturedAt:
      planned.photo.capturedAt === null ? null : captureTimeOf(planned.photo.capturedAt, planned.photo.capturedOffsetMinutes ?? null),
  };
}

/** The same metadata as ExifTool tags (the fallback writer for what our own packet cannot carry). */
export function exifToolTagsOf(xmp: PhotoXmp, into: 'embedded' | 'sidecar'): XmpTags {
  const tags: XmpTags = {};
  if (xmp.regions) {
    const { width, height } = xmp.regions.appliedTo;
    tags.RegionInfo = { AppliedToDimensions: { W: width, H: height, Unit: 'pixel' }, RegionList: xmp.regions.list };
  }
  if (xmp.people.length) {
    tags['XMP-dc:Subject'] = xmp.people;
    tags['XMP-lr:HierarchicalSubject'] = xmp.people.map((n) => `${PEOPLE_KEYWORD_PARENT}|${n}`);
    tags['XMP-iptcExt:PersonInImage'] = xmp.people;
  }
  if (xmp.pick) {
    tags['XMP-xmp:Rating'] = PICK_RATING;
    tags['XMP-xmp:Label'] = PICK_LABEL;
  }
  if (xmp.capturedAt !== null) {
    tags['XMP-exif:DateTimeOriginal'] = exifToolDateOf(xmp.capturedAt);
    // A JPEG copy made from the preview lost its EXIF: the capture time goes back where every viewer looks.
    if (into === 'embedded') {
      tags['EXIF:DateTimeOriginal'] = xmp.capturedAt.dateTime;
      tags['EXIF:OffsetTimeOriginal'] = xmp.capturedAt.offset;
      if (xmp.capturedAt.subSec !== null) tags['EXIF:SubSecTimeOriginal'] = xmp.capturedAt.subSec;
    }
  }
  return tags;
}

/** Tags for one photo, as ExifTool writes them. `imageSize` is the exported image's upright size (AppliedToDimensions). */
export function xmpTagsFor(
  planned: PlannedPhoto,
  names: ReadonlyMap<number, string>,
  imageSize: { width: number; height: number },
  into: 'embedded' | 'sidecar',
): XmpTags {
  return exifToolTagsOf(photoXmpOf(planned, names, imageSize), into);
}
