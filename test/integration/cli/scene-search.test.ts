// Scene search end to end through the real CLI, on the tiny CLIP-shaped model the fixtures
// generate: off (and saying how to turn it on) until a model is installed; `models add`
// verifies and installs it; earlier photos are back-filled; new photos are embedded as they are
// processed; text search, "more like this" and a face filter return the expected photos.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { writeTinyClipModel } from '../../fixtures/tiny-clip.js';
import { parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

interface SceneJson {
  matches: { photoId: number; path: string; score: number }[];
  tookMs: number;
}
interface StatusJson {
  photos: { ready: number };
  scene: { model: string | null; embedded: number; ofPhotos: number; howToTurnOn: string | null };
}

let root: string;
let card: string;
let dataDir: string;
let modelDir: string;

/** A colour scene with some texture, so it is a real JPEG rather than one flat block. */
async function scene(path: string, rgb: [number, number, number]): Promise<void> {
  const [r, g, b] = rgb;
  const svg = `<svg width="1200" height="800" xmlns="http://www.w3.org/2000/svg"><rect width="1200" height="800" fill="rgb(${r},${g},${b})"/>${Array.from({ length: 30 }, (_, i) => `<circle cx="${(i * 97) % 1200}" cy="${(i * 53) % 800}" r="${20 + (i % 7) * 6}" fill="rgba(255,255,255,0.15)"/>`).join('')}</svg>`;
  await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(path);
}

const ingest = async () =>
  parseJsonOutput<{ ready: number; failed: unknown[] }>(await runCli(['ingest', card, '--event', 'gala', '--json', '--data-dir', dataDir]));
const status = async () => parseJsonOutput<StatusJson>(await runCli(['status', '--event', 'gala', '--json', '--data-dir', dataDir]));
const search = async (...args: string[]) => runCli(['search', '--event', 'gala', ...args, '--json', '--data-dir', dataDir]);
const names = (r: SceneJson) => r.matches.map((m) => m.path.split('/').pop());

beforeAll(async () => {
  root = await makeTempDir();
  card = join(root, 'card');
  dataDir = join(root, 'data');
  modelDir = join(root, 'tiny-clip');
  await mkdir(card);
  await scene(join(card, 'red-car.jpg'), [220, 20, 30]);
  await scene(join(card, 'green-lawn.jpg'), [30, 190, 40]);
  await scene(join(card, 'yellow-tent.jpg'), [235, 220, 30]);
  await copyFile(samplePhotoPaths()[0]!, join(card, 'guests.jpg'));
  await writeTinyClipModel(modelDir, { precision: 'fp32' });
}, 120_000);

afterAll(async () => {
  await removeDir(root);
});

describe('scene search', () => {
  it('is off without a model, and both status and search say how to turn it on', async () => {
    expect((await ingest()).ready).toBe(4);
    const s = await status();
    expect(s.scene).toEqual({ model: null, embedded: 0, ofPhotos: 4, howToTurnOn: expect.stringMatching(/^shutterfind models add /) });
    const r = await search('--text', 'red');
    expect(r.code).toBe(2);
    expect(parseJsonOutput<{ error: string }>(r).error).toMatch(/Scene search is off.*shutterfind models add/);
  });

  it('installs a verified model, back-fills earlier photos, and embeds new ones as they are processed', async () => {
    const add = await runCli(['models', 'add', modelDir, '--name', 'tiny', '--json', '--data-dir', dataDir]);
    expect(add.code, add.stderr).toBe(0);
    const list = parseJsonOutput<{ models: { name: string }[] }>(await runCli(['models', 'list', '--json', '--data-dir', dataDir]));
    expect(list.models.map((m) => m.name)).toEqual(['tiny']);

    await scene(join(card, 'blue-pool.jpg'), [20, 40, 230]);
    expect((await ingest()).ready).toBe(5);
    expect((await status()).scene).toEqual({ model: 'tiny', embedded: 5, ofPhotos: 5, howToTurnOn: null });
    // The four earlier photos went through back-fill jobs; the new one was embedded in its own job.
    const db = new BetterSqlite3(join(dataDir, 'shutterfind.db'), { readonly: true });
    try {
      const backfilled = db
        .prepare(
          "SELECT p.file_name AS name FROM jobs j JOIN photos p ON p.id = j.photo_id WHERE j.kind = 'photo.scene' AND j.state = 'done' ORDER BY name",
        )
        .all();
      expect(backfilled).toEqual(['green-lawn.jpg', 'guests.jpg', 'red-car.jpg', 'yellow-tent.jpg'].map((name) => ({ name })));
    } finally {
      db.close();
    }
  });

  it('ranks photos by a text description', async () => {
    const red = parseJsonOutput<SceneJson>(await search('--text', 'a red car', '--limit', '2'));
    expect(names(red)).toEqual(['red-car.jpg', expect.any(String)]);
    const yellow = parseJsonOutput<SceneJson>(await search('--text', 'lemon yellow'));
    expect(names(yellow)[0]).toBe('yellow-tent.jpg');
    expect(yellow.matches[0]!.score).toBeGreaterThan(yellow.matches[1]!.score);
  });

  it('finds more like a photo, without the photo itself', async () => {
    const all = parseJsonOutput<SceneJson>(await search('--text', 'blue'));
    const blue = all.matches.find((m) => m.path.endsWith('blue-pool.jpg'))!;
    const like = parseJsonOutput<SceneJson>(await search('--like', String(blue.photoId)));
    expect(names(like)).not.toContain('blue-pool.jpg');
    expect(like.matches).toHaveLength(4);
  });

  it("combines a scene query with a face filter: only that person's photos are ranked", async () => {
    const people = parseJsonOutput<{ persons: { id: number }[] }>(
      await runCli(['people', '--event', 'gala', '--json', '--data-dir', dataDir]),
    );
    expect(people.persons.length).toBe(3);
    const r = parseJsonOutput<SceneJson>(await search('--text', 'red', '--person', String(people.persons[0]!.id)));
    expect(names(r)).toEqual(['guests.jpg']);
  });
});

describe('a model added while serve runs', () => {
  it('is taken up without a restart: earlier photos are back-filled and new ones embedded', async () => {
    const hot = join(root, 'hot');
    const liveData = join(root, 'live-data');
    await mkdir(hot);
    await scene(join(hot, 'red-1.jpg'), [210, 30, 30]);
    await scene(join(hot, 'green-1.jpg'), [30, 200, 40]);
    const child = startCli(['serve', '--event', 'live', '--watch', hot, '--data-dir', liveData, '--port', '0']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Until the engine has created the event, status answers with an error: keep waiting.
    const liveStatus = async (): Promise<StatusJson | undefined> => {
      const r = await runCli(['status', '--event', 'live', '--json', '--data-dir', liveData]);
      return r.code === 0 ? parseJsonOutput<StatusJson>(r) : undefined;
    };
    try {
      await waitFor(async () => (await liveStatus())?.photos.ready === 2, 'the first two photos', 60_000, 300);
      const add = await runCli(['models', 'add', modelDir, '--name', 'tiny', '--json', '--data-dir', liveData]);
      expect(add.code, add.stderr).toBe(0);
      await scene(join(hot, 'blue-1.jpg'), [20, 40, 230]);
      const s = await waitFor(
        async () => {
          const st = await liveStatus();
          return st?.photos.ready === 3 && st.scene.embedded === 3 ? st : undefined;
        },
        'all three photos to have scene embeddings without a restart',
        60_000,
        300,
      );
      expect(s.scene).toMatchObject({ model: 'tiny', embedded: 3, ofPhotos: 3 });
      const blue = parseJsonOutput<SceneJson>(
        await runCli(['search', '--event', 'live', '--text', 'blue', '--limit', '1', '--json', '--data-dir', liveData]),
      );
      expect(names(blue)).toEqual(['blue-1.jpg']);
      expect(stderr).toMatch(/Scene search on: CLIP model "tiny"/);
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
