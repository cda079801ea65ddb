// Event photos for bench:match, composed at camera size from the held-out identities' portraits:
// each photo a textured background with several people at realistic face sizes, every person's
// photos repeated across the event (a guest is photographed many times), and the truth recorded
// (which person is where). One portrait of each person is kept out of the event: it is their
// selfie. Composed once per seed and size and cached.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../support/random-vectors.js';
import { byIdentity, type Portrait } from './face-identities.js';

export const CAMERA_WIDTH = 6000;
export const CAMERA_HEIGHT = 4000;
/** Face width in the data set's 250 px portraits (the detector's boxes: median ~105 px). */
const PORTRAIT_FACE_PX = 105;
const PORTRAIT_PX = 250;

export interface PlacedPortrait {
  identity: string;
  portrait: string;
  /** Where the portrait was pasted, in photo pixels. */
  x: number;
  y: number;
  size: number;
  facePx: number;
}

export interface ComposedPhoto {
  file: string;
  name: string;
  people: PlacedPortrait[];
}

export interface ComposedEvent {
  photos: ComposedPhoto[];
  /** The selfie of each person: a portrait that is in no event photo. */
  selfies: { identity: string; file: string; portrait: string }[];
}

export interface EventPlan {
  photos: number;
  peoplePerPhoto: number;
  /** Face widths drawn log-uniformly in this range (camera pixels). */
  minFacePx: number;
  maxFacePx: number;
  seed: number;
}

/** A person is photographed at most once per photo; photos are filled row by row. */
function placePeople(random: () => number, people: { identity: string; portrait: string }[], plan: EventPlan): PlacedPortrait[] {
  const margin = 40;
  const drawn = people.map((p) => {
    const facePx = Math.round(plan.minFacePx * Math.exp(random() * Math.log(plan.maxFacePx / plan.minFacePx)));
    return { ...p, facePx, size: Math.round((PORTRAIT_PX * facePx) / PORTRAIT_FACE_PX) };
  });
  drawn.sort((a, b) => b.size - a.size);
  const placed: PlacedPortrait[] = [];
  let x = margin;
  let y = margin;
  let rowHeight = 0;
  for (const d of drawn) {
    if (x + d.size + margin > CAMERA_WIDTH) {
      x = margin;
      y += rowHeight + margin;
      rowHeight = 0;
    }
    if (y + d.size + margin > CAMERA_HEIGHT) continue; // no room left: this person sits this photo out
    const jitter = Math.floor(random() * margin);
    placed.push({ ...d, x: x + jitter, y: y + jitter });
    x += d.size + margin * 2;
    rowHeight = Math.max(rowHeight, d.size + jitter);
  }
  return placed;
}

/** A smooth, coloured, slightly noisy background: no faces, some texture for the detector to reject. */
async function background(random: () => number): Promise<Buffer> {
  const w = 30;
  const h = 20;
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = 40 + Math.floor(random() * 180);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .resize(CAMERA_WIDTH, CAMERA_HEIGHT, { kernel: 'cubic' })
    .raw()
    .toBuffer();
}

export async function composeEvent(
  portraits: readonly Portrait[],
  plan: EventPlan,
  cacheDir: string,
  log: (s: string) => void,
): Promise<ComposedEvent> {
  const dir = join(cacheDir, `event-${plan.photos}x${plan.peoplePerPhoto}-${plan.minFacePx}-${plan.maxFacePx}-s${plan.seed}`);
  const manifest = join(dir, 'event.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as ComposedEvent;
  mkdirSync(join(dir, 'photos'), { recursive: true });
  const random = seededRandom(plan.seed);
  const people = [...byIdentity(portraits)].filter(([, ps]) => ps.length >= 2).sort(([a], [b]) => a.localeCompare(b));
  const selfies = people.map(([identity, ps]) => ({ identity, file: ps[0]!.file, portrait: ps[0]!.path }));
  // Each person's other portraits, used in turn so that every one of them appears in the event.
  const inEvent = people.map(([identity, ps]) => ({ identity, portraits: ps.slice(1), next: 0 }));
  const photos: ComposedPhoto[] = [];
  for (let n = 0; n < plan.photos; n++) {
    const order = inEvent
      .map((p) => ({ p, r: random() }))
      .sort((a, b) => a.r - b.r)
      .slice(0, plan.peoplePerPhoto);
    const chosen = order.map(({ p }) => {
      const portrait = p.portraits[p.next++ % p.portraits.length]!;
      return { identity: p.identity, portrait: portrait.path, file: portrait.file };
    });
    const placed = placePeople(random, chosen, plan);
    const fileOf = new Map(chosen.map((c) => [c.portrait, c.file]));
    const layers = await Promise.all(
      placed.map(async (p) => ({
        input: await sharp(fileOf.get(p.portrait)!).resize(p.size, p.size, { kernel: 'lanczos3' }).toBuffer(),
        left: p.x,
        top: p.y,
      })),
    );
    const name = `EVT_${String(n + 1).padStart(4, '0')}.jpg`;
    const file = join(dir, 'photos', name);
    await sharp(await background(random), { raw: { width: CAMERA_WIDTH, height: CAMERA_HEIGHT, channels: 3 } })
      .composite(layers)
      .jpeg({ quality: 90, mozjpeg: false })
      .toFile(file);
    photos.push({ file, name, people: placed });
    if ((n + 1) % 50 === 0) log(`  composed ${n + 1} of ${plan.photos} event photos`);
  }
  const event: ComposedEvent = { photos, selfies };
  writeFileSync(manifest, JSON.stringify(event));
  return event;
}
