// A face for each person's card in the offline gallery: their largest face, cut from the image the
// export wrote (so every blur of an opted-out bystander stays), squared with room for hair and chin.
// Without it every card showed the whole first photo, and in a group photo five people's cards
// looked the same.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { ExportPlan, PlannedPhoto } from './export-plan.js';

/** Card images: 240 px squares, shown at up to 120 CSS px (sharp on a phone's 2x screen). */
export const COVER_PX = 240;
/** Room around the face box on each side, as a share of its larger side. */
const COVER_MARGIN = 0.45;
export const coverOf = (personId: number): string => `faces/${personId}.jpg`;

export interface Chosen {
  planned: PlannedPhoto;
  box: [number, number, number, number];
}

/** Pure: each person's largest face among the photos exported, with the photo it is in. */
export function chooseCovers(plan: ExportPlan): Map<number, Chosen> {
  const chosen = new Map<number, Chosen>();
  for (const planned of plan.photos) {
    for (const face of planned.photo.faces) {
      if (face.personId === null || !planned.people.includes(face.personId)) continue;
      const was = chosen.get(face.personId);
      if (!was || face.box[2] * face.box[3] > was.box[2] * was.box[3]) chosen.set(face.personId, { planned, box: face.box });
    }
  }
  return chosen;
}

/** Pure: the square to cut, in pixels of the exported image (`size`), inside it. */
export function coverSquare(
  box: readonly [number, number, number, number],
  photo: { width: number; height: number },
  size: { width: number; height: number },
): { left: number; top: number; width: number; height: number } {
  const scale = size.width / photo.width;
  const [x, y, w, h] = box.map((v) => v * scale) as [number, number, number, number];
  const side = Math.min(Math.round(Math.max(w, h) * (1 + 2 * COVER_MARGIN)), size.width, size.height);
  const left = Math.round(Math.min(Math.max(0, x + w / 2 - side / 2), size.width - side));
  const top = Math.round(Math.min(Math.max(0, y + h / 2 - side / 2), size.height - side));
  return { left, top, width: side, height: side };
}

/** Pure: where each person's card face is in the gallery, in the order chosen. */
export const coversOf = (chosen: ReadonlyMap<number, Chosen>): Map<number, string> =>
  new Map([...chosen.keys()].map((personId) => [personId, coverOf(personId)]));

/** Pure: the covers to cut from each photo, by photo id (a group photo can be several people's). */
export function coversByPhoto(chosenCovers: ReadonlyMap<number, Chosen>): Map<number, Array<[number, Chosen]>> {
  const byPhoto = new Map<number, Array<[number, Chosen]>>();
  for (const [personId, chosen] of chosenCovers) {
    const list = byPhoto.get(chosen.planned.photo.id) ?? [];
    list.push([personId, chosen]);
    byPhoto.set(chosen.planned.photo.id, list);
  }
  return byPhoto;
}

/**
 * Cuts one person's card face from the image the export wrote, unless an earlier run did.
 * `image`: that image's bytes when in memory (read from the gallery otherwise); `size`: its upright size when known.
 */
export async function writeCover(
  root: string,
  personId: number,
  { planned, box }: Chosen,
  image?: Buffer | null,
  size?: { width: number; height: number } | null,
): Promise<void> {
  const target = join(root, coverOf(personId));
  if (existsSync(target)) return;
  const decoded = sharp(image ?? (await readFile(join(root, planned.files[0]!.places[0]!)))).rotate();
  const upright = size ?? uprightOf(await decoded.clone().metadata());
  const bytes = await decoded
    .extract(coverSquare(box, planned.photo, upright))
    .resize(COVER_PX, COVER_PX)
    .jpeg({ quality: 82 })
    .toBuffer();
  await mkdir(dirname(target), { recursive: true });
  await writeFile(`${target}.partial`, bytes);
  await rename(`${target}.partial`, target);
}

/**
 * Writes the cards' faces that are not there yet (cut while their photos were written, or by an
 * earlier run), where coversOf says. `sizes`: the exported images' upright sizes by photo id, when known.
 */
export async function writePersonCovers(
  root: string,
  chosenCovers: ReadonlyMap<number, Chosen>,
  sizes: ReadonlyMap<number, { width: number; height: number }>,
): Promise<void> {
  const chosen = [...chosenCovers];
  // Two at a time: each decodes a whole preview (~10 ms of sharp), and two keep both cores busy
  // without holding many decoded images (21 one after another took 0.2–0.3 s of a 2,000-photo gallery).
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < chosen.length) {
      const [personId, cover] = chosen[next++]!;
      await writeCover(root, personId, cover, null, sizes.get(cover.planned.photo.id));
    }
  };
  // Both settle before a failure is reported (a full disk): nothing is written after the message.
  const stopOnFailure = (err: unknown): never => {
    failed = true;
    throw err;
  };
  const settled = await Promise.allSettled([worker().catch(stopOnFailure), worker().catch(stopOnFailure)]);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
}

/** A JPEG's size as seen upright (EXIF orientations 5 to 8 swap width and height). */
const uprightOf = (m: Metadata): { width: number; height: number } =>
  (m.orientation ?? 1) >= 5 ? { width: m.height!, height: m.width! } : { width: m.width!, height: m.height! };
