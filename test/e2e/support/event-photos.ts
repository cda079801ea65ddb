// The event's photos for browser tests: the six sample group photos, plus three more photos of
// the selfie's person (the way a second photographer or an edit would show her: mirrored,
// cropped closer, brighter), so a kiosk search has several photos to find and many to leave out.
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import type { FaceBox } from '../../fixtures/fake-camera.js';
import type { PhotoCard, PhotoPage } from '../../../src/api/index.js';
import { SAMPLE_PHOTOS, SELFIE_FACE_JSON, SELFIE_SOURCE } from './paths.js';
import type { RunningServer } from './server.js';

export interface EventPhotos {
  /** Every file name dropped into the watched folder. */
  all: string[];
  /** The file names that show the selfie's person. */
  withSelfiePerson: string[];
}

/**
 * Writes a file so the watcher sees it appear complete: written under a temporary name (which
 * the ingest ignores) and renamed, as tethering tools do.
 */
export async function dropPhoto(watchDir: string, name: string, bytes: Buffer): Promise<void> {
  const partial = join(watchDir, `${name}.part`);
  await writeFile(partial, bytes);
  await rename(partial, join(watchDir, name));
}

export async function copyPhoto(watchDir: string, source: string, name = basename(source)): Promise<void> {
  const partial = join(watchDir, `${name}.part`);
  await copyFile(source, partial);
  await rename(partial, join(watchDir, name));
}

/** Drops the event's photos into the watched folder and says which of them show the selfie's person. */
export async function dropEventPhotos(watchDir: string): Promise<EventPhotos> {
  for (const sample of SAMPLE_PHOTOS) await copyPhoto(watchDir, sample);
  const face = JSON.parse(await readFile(SELFIE_FACE_JSON, 'utf8')) as FaceBox;
  const { width = 0, height = 0 } = await sharp(SELFIE_SOURCE).metadata();
  // Closer framing: her and about one neighbour, as a second photographer's longer lens sees it.
  const left = Math.max(0, Math.round(face.x - 1.5 * face.width));
  const top = Math.max(0, Math.round(face.y - face.height));
  const crop = { left, top, width: width - left, height: Math.min(height - top, Math.round(face.height * 3.5)) };
  const variants: [string, Buffer][] = [
    ['her-mirrored.jpg', await sharp(SELFIE_SOURCE).flop().jpeg({ quality: 90 }).toBuffer()],
    ['her-closer.jpg', await sharp(SELFIE_SOURCE).extract(crop).jpeg({ quality: 90 }).toBuffer()],
    ['her-brighter.jpg', await sharp(SELFIE_SOURCE).modulate({ brightness: 1.25 }).jpeg({ quality: 85 }).toBuffer()],
  ];
  for (const [name, bytes] of variants) await dropPhoto(watchDir, name, bytes);
  return {
    all: [...SAMPLE_PHOTOS.map((p) => basename(p)), ...variants.map(([name]) => name)],
    withSelfiePerson: [basename(SELFIE_SOURCE), ...variants.map(([name]) => name)],
  };
}

/** Every photo of the event as the console lists them, following the pages to the end. */
export async function listPhotos(server: RunningServer): Promise<PhotoCard[]> {
  const photos: PhotoCard[] = [];
  let before: number | null = null;
  do {
    const query: string = `/api/photos?limit=100${before === null ? '' : `&before=${before}`}`;
    const page: PhotoPage = await server.api.get<PhotoPage>(server.api.withEvent(query));
    photos.push(...page.photos);
    before = page.nextBefore;
  } while (before !== null);
  return photos;
}

/** Photo ids by file name; fails if a name is missing (it was never ingested). */
export async function photoIdsByName(server: RunningServer, names: string[]): Promise<number[]> {
  const photos = await listPhotos(server);
  return names.map((name) => {
    const photo = photos.find((p) => p.fileName === name);
    if (!photo) throw new Error(`${name} is not among the event's photos: ${photos.map((p) => p.fileName).join(', ')}`);
    return photo.id;
  });
}
