// The face engine end to end through the real CLI: photos dropped into a watched folder get
// their faces found, embedded and clustered; a selfie finds its person's photo and no other.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

interface FacesJson {
  model: string;
  metric: string;
  threshold: number;
  images: {
    path: string;
    width: number;
    height: number;
    faces: { box: [number, number, number, number]; score: number; quality: number; embedding?: number[] }[];
    error?: string;
  }[];
}
interface SearchJson {
  matches: { photoId: number; path: string; distance: number; box: [number, number, number, number] }[];
  tookMs: number;
}

let root: string;
let hot: string;
let dataDir: string;
let samples: string[];
/** Face boxes of every sample photo, from `shutterfind faces`. */
let facesOf: FacesJson;

/**
 * A kiosk-like selfie of one face of a sample photo: the face with some shoulders around it, a
 * different exposure, a tilt, a softer lens and heavier compression than the event photo.
 */
async function selfieOf(photo: string, box: [number, number, number, number], name: string): Promise<string> {
  const [x, y, w, h] = box;
  const meta = await sharp(photo).metadata();
  const left = Math.max(0, Math.round(x - w * 0.6));
  const top = Math.max(0, Math.round(y - h * 0.5));
  const width = Math.min(meta.width! - left, Math.round(w * 2.2));
  const height = Math.min(meta.height! - top, Math.round(h * 2.2));
  const bytes = await sharp(photo)
    .extract({ left, top, width, height })
    .resize({ width: 480 })
    .modulate({ brightness: 0.8, saturation: 0.9 })
    .rotate(6, { background: '#777' })
    .blur(0.8)
    .jpeg({ quality: 60 })
    .toBuffer();
  const path = join(root, name);
  await writeFile(path, bytes);
  return path;
}

beforeAll(async () => {
  root = await makeTempDir();
  hot = join(root, 'hot');
  dataDir = join(root, 'data');
  samples = samplePhotoPaths();
  await mkdir(hot);
  facesOf = parseJsonOutput<FacesJson>(await runCli(['faces', ...samples, '--json', '--data-dir', dataDir]));
}, 180_000);

afterAll(async () => {
  await removeDir(root);
});

describe('shutterfind faces', () => {
  it('prints the documented JSON: model, metric, threshold, and per image its size and faces', async () => {
    expect(facesOf).toMatchObject({
      model: 'faceplugin-512+mobilefacenet-192-onet-pca128',
      metric: 'cosine',
      threshold: expect.any(Number),
    });
    expect(facesOf.images.map((i) => [i.path, i.width, i.faces.length])).toEqual(samples.map((p, i) => [p, 1920, [3, 3, 3, 4, 5, 4][i]]));
    const r = parseJsonOutput<FacesJson>(await runCli(['faces', samples[4]!, '--embeddings', '--json', '--data-dir', dataDir]));
    const embedding = r.images[0]!.faces[0]!.embedding!;
    expect(embedding).toHaveLength(128);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 3);
  });

  it('reports a file that is not an image on its own entry and still answers for the others', async () => {
    const notImage = join(root, 'notes.jpg');
    await writeFile(notImage, 'shopping list');
    const run = await runCli(['faces', notImage, samples[1]!, '--json', '--data-dir', dataDir]);
    const r = parseJsonOutput<FacesJson>(run);
    expect(run.code).toBe(1);
    expect(r.images[0]).toMatchObject({ path: notImage, faces: [], error: expect.stringMatching(/Cannot read .*notes\.jpg/) });
    expect(r.images[1]!.faces).toHaveLength(3);
  });
});

describe('faces in a watched folder, then search by selfie', () => {
  beforeAll(async () => {
    const child = startCli(['serve', '--event', 'gala', '--watch', hot, '--data-dir', dataDir, '--port', '0']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /serving event "gala"/.test(stderr), 'the engine to start', 30_000);
    for (const [i, p] of samples.entries()) await copyFile(p, join(hot, `IMG_${1000 + i}.JPG`));
    await waitFor(
      async () => {
        const s = parseJsonOutput<{ photos: { ready: number } }>(
          await runCli(['status', '--event', 'gala', '--json', '--data-dir', dataDir]),
        );
        return s.photos.ready === samples.length;
      },
      'all six photos to be ready',
      120_000,
      500,
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 180_000);

  it('finds, embeds and clusters every face; status shows the count, the provider and the detector', async () => {
    const status = parseJsonOutput<{ faces: { found: number; persons: number; provider: { active: string; detector: string } } }>(
      await runCli(['status', '--event', 'gala', '--json', '--data-dir', dataDir]),
    );
    // On the CPU, auto runs the int8 detector (exact on every CPU, int8-arithmetic.test.ts).
    const detector = 'int8';
    // 21 people for 22 faces: the woman on the right of sample 1 and the one in the middle of
    // sample 3 look like one woman, and the calibrated descriptors group them (cosine 0.036).
    expect(status.faces).toMatchObject({ found: 22, persons: 21, provider: { active: 'cpu', detector } });
    const human = await runCli(['status', '--event', 'gala', '--data-dir', dataDir]);
    expect(human.stdout).toContain(`on CPU, ${detector} detector`);
    const people = parseJsonOutput<{ persons: { faceCount: number; photoCount: number; coverCrop: string }[] }>(
      await runCli(['people', '--event', 'gala', '--json', '--data-dir', dataDir]),
    );
    // Six photos of 21 people: the look-alike woman is in two photos, everyone else in one, each with a face crop.
    expect(people.persons.map((p) => [p.faceCount, p.photoCount])).toEqual([[2, 2], ...Array(20).fill([1, 1])]);
    for (const p of people.persons) expect(p.coverCrop).toMatch(/^media\/faces\/.+\.webp$/);
  });

  it("a selfie of each sample's first person returns that person's photo, and no other", async () => {
    const found: string[][] = [];
    for (const [i, image] of facesOf.images.entries()) {
      const selfie = await selfieOf(image.path, image.faces[0]!.box, `selfie-${i}.jpg`);
      const r = parseJsonOutput<SearchJson>(
        await runCli(['search', '--event', 'gala', '--selfie', selfie, '--json', '--data-dir', dataDir]),
      );
      found.push(r.matches.map((m) => m.path));
      if (r.matches[0]) {
        // The box is the selfie person's face in that photo.
        const [x, y] = r.matches[0].box;
        const [ex, ey] = image.faces[0]!.box;
        expect(Math.hypot(x - ex, y - ey)).toBeLessThan(20);
        expect(r.tookMs).toBeGreaterThan(0);
      }
    }
    expect(found).toEqual(samples.map((_, i) => [join(hot, `IMG_${1000 + i}.JPG`)]));
  });

  it('turns away a selfie without a face, and one with several people, with a reason', async () => {
    const wall = join(root, 'wall.jpg');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c8b89a' } })
      .jpeg()
      .toFile(wall);
    const none = await runCli(['search', '--event', 'gala', '--selfie', wall, '--json', '--data-dir', dataDir]);
    expect(none.code).toBe(2);
    expect(parseJsonOutput<{ error: string }>(none).error).toMatch(/^No face found in the selfie/);

    const group = await runCli(['search', '--event', 'gala', '--selfie', samples[4]!, '--json', '--data-dir', dataDir]);
    expect(group.code).toBe(2);
    expect(parseJsonOutput<{ error: string }>(group).error).toMatch(/^5 faces in the picture: only one person/);
  });

  it('a command that fails at once says only what went wrong (no crash from the log file on exit)', async () => {
    const r = await runCli(['search', '--event', 'gala', '--data-dir', dataDir]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: 'shutterfind: Give --selfie IMG, --text "..." or --like PHOTO_ID.\n',
    });
  });

  it('verify says the same person across a selfie and its photo, and different people apart', async () => {
    const a = await selfieOf(samples[5]!, facesOf.images[5]!.faces[1]!.box, 'verify-a.jpg');
    const same = await sharp(samples[5]!)
      .extract(
        (([x, y, w, h]) => ({
          left: Math.round(x - w / 2),
          top: Math.round(y - h / 2),
          width: Math.round(w * 2),
          height: Math.round(h * 2),
        }))(facesOf.images[5]!.faces[1]!.box),
      )
      .toFile(join(root, 'verify-b.jpg'));
    expect(same.width).toBeGreaterThan(0);
    const other = await selfieOf(samples[2]!, facesOf.images[2]!.faces[0]!.box, 'verify-c.jpg');
    const yes = parseJsonOutput<{ verified: boolean; distance: number; threshold: number }>(
      await runCli(['verify', a, join(root, 'verify-b.jpg'), '--json', '--data-dir', dataDir]),
    );
    const no = parseJsonOutput<{ verified: boolean; distance: number; threshold: number }>(
      await runCli(['verify', a, other, '--json', '--data-dir', dataDir]),
    );
    expect(yes).toMatchObject({ verified: true, metric: 'cosine', model: 'faceplugin-512+mobilefacenet-192-onet-pca128' });
    expect(no).toMatchObject({ verified: false });
    expect(yes.distance).toBeLessThan(no.distance);
  });
});
