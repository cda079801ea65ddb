// Burst grouping end to end: a real burst of five near-identical frames (own grain, small
// shifts, one soft and one badly blurred frame, 0.3 s apart) and three unrelated photos are
// ingested with faces on; regrouping collapses the burst into one group shown by its sharp frame.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBursts, runListBursts, runRegroupBursts, type BurstsReport } from '../../../src/cli/commands/bursts.js';
import type { CommandContext } from '../../../src/cli/context.js';
import { dataDirLayout } from '../../../src/config/index.js';
import { createLogger } from '../../../src/core/index.js';
import { createRepositories, openDatabase } from '../../../src/store/index.js';
import { makeBurstFrame } from '../../fixtures/burst-photos.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { parseJsonOutput, runCli } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

// Faces stay on (the best frame is chosen by face sharpness); 1200 px keeps detection quick.
const LONG_SIDE = 1200;
const T0 = Date.UTC(2024, 5, 15, 18, 30, 10, 100);
const BURST = ['BURST_1.JPG', 'BURST_2.JPG', 'BURST_3.JPG', 'BURST_4.JPG', 'BURST_5.JPG'];
const SHARP = 'BURST_3.JPG';

let root: string;
let dataDir: string;
let ctx: CommandContext;
const idOf = new Map<string, number>();

beforeAll(async () => {
  root = await makeTempDir();
  dataDir = join(root, 'data');
  const folder = join(root, 'card');
  await mkdir(folder);
  const [party, stage, bar, dance] = samplePhotoPaths() as [string, string, string, string];
  const frames: [string, Promise<Buffer>][] = [
    // The sharp frame sits in the middle, so neither capture order nor a tie picks it.
    ['BURST_1.JPG', makeBurstFrame(party, LONG_SIDE, { capturedAt: T0, seed: 11, blur: 1 })],
    ['BURST_2.JPG', makeBurstFrame(party, LONG_SIDE, { capturedAt: T0 + 300, seed: 12, shift: 0.01, blur: 1 })],
    [SHARP, makeBurstFrame(party, LONG_SIDE, { capturedAt: T0 + 600, seed: 13 })],
    ['BURST_4.JPG', makeBurstFrame(party, LONG_SIDE, { capturedAt: T0 + 900, seed: 14, shift: -0.01, blur: 1 })],
    ['BURST_5.JPG', makeBurstFrame(party, LONG_SIDE, { capturedAt: T0 + 1200, seed: 15, blur: 3 })],
    // Same body 1.5 s later: within the time gap, but a different scene.
    ['NEXT_SCENE.JPG', makeBurstFrame(stage, LONG_SIDE, { capturedAt: T0 + 2700, seed: 16 })],
    // A second body firing during the burst.
    ['OTHER_BODY.JPG', makeBurstFrame(bar, LONG_SIDE, { capturedAt: T0 + 500, seed: 17, serial: '052022009876' })],
    // Same body, a minute later.
    ['LATER.JPG', makeBurstFrame(dance, LONG_SIDE, { capturedAt: T0 + 60_000, seed: 18 })],
  ];
  for (const [name, bytes] of frames) await writeFile(join(folder, name), await bytes);

  const r = await runCli(['ingest', folder, '--event', 'party', '--data-dir', dataDir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(parseJsonOutput<{ ready: number }>(r).ready).toBe(frames.length);

  const db = openDatabase(dataDirLayout(dataDir).database);
  try {
    const repos = createRepositories(db);
    const event = repos.events.findEventByName('party')!;
    for (const p of repos.photos.listPhotos(event.id, { limit: 100 })) idOf.set(p.fileName, p.id);
  } finally {
    db.close();
  }
  ctx = { dataDir, json: true, log: createLogger({ logDir: null, terminal: 'none', level: 'warn' }) };
}, 300_000);

afterAll(async () => {
  await removeDir(root);
});

const names = (photos: { path: string }[]): string[] => photos.map((p) => basename(p.path)).sort();

describe('burst grouping', () => {
  let listed: BurstsReport;

  it('groups bursts by itself as photos are imported, with no command', async () => {
    const afterImport = await runListBursts(ctx, 'party');
    expect(afterImport.bursts.map((b) => [names(b.photos), basename(b.best.path)])).toEqual([[BURST, SHARP]]);
  });

  it('collapses the five near-identical frames into one burst shown by its sharp frame, the others alone', async () => {
    const regroup = await runRegroupBursts(ctx, 'party');
    expect(regroup).toEqual({ event: 'party', photos: 8, bursts: 1, photosInBursts: 5 });
    listed = await runListBursts(ctx, 'party');
    expect(listed.bursts).toHaveLength(1);
    const [burst] = listed.bursts;
    expect(names(burst!.photos)).toEqual(BURST);
    expect(basename(burst!.best.path)).toBe(SHARP);
    expect(formatBursts(listed)).toContain(`5 frames, shown: ${burst!.best.path}`);
  });

  it('shows one photo per burst in kiosk results and exports, in input order, with the rest one tap away', () => {
    const db = openDatabase(dataDirLayout(dataDir).database);
    try {
      const { bursts } = createRepositories(db);
      const results = ['LATER.JPG', 'BURST_5.JPG', 'OTHER_BODY.JPG', 'BURST_1.JPG', SHARP, 'NEXT_SCENE.JPG'].map((n) => idOf.get(n)!);
      expect(bursts.collapseToBestFrames(results)).toEqual(
        ['LATER.JPG', SHARP, 'OTHER_BODY.JPG', 'NEXT_SCENE.JPG'].map((n) => idOf.get(n)!),
      );
      expect(names(bursts.burstOf(idOf.get('BURST_2.JPG')!)!.photos)).toEqual(BURST);
      expect(bursts.burstOf(idOf.get('LATER.JPG')!)).toBeNull();
    } finally {
      db.close();
    }
  });

  it('regrouping again gives the same groups', async () => {
    await runRegroupBursts(ctx, 'party');
    const again = await runListBursts(ctx, 'party');
    expect(again.bursts.map((b) => [b.best.photoId, b.photos.map((p) => p.photoId)])).toEqual(
      listed.bursts.map((b) => [b.best.photoId, b.photos.map((p) => p.photoId)]),
    );
  });

  it('answers `shutterfind bursts --event E --regroup --json` with the same burst', async () => {
    const r = await runCli(['bursts', '--event', 'party', '--regroup', '--json', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const out = parseJsonOutput<BurstsReport>(r);
    expect(out.bursts.map((b) => [basename(b.best.path), names(b.photos)])).toEqual([[SHARP, BURST]]);
  });
});

describe('searching with bursts collapsed', () => {
  it("shows a person's burst once, by its best frame, when asked to as the kiosk does", async () => {
    const sharpPath = join(root, 'card', SHARP);
    const faces = parseJsonOutput<{ images: { faces: { box: [number, number, number, number] }[] }[] }>(
      await runCli(['faces', sharpPath, '--json', '--data-dir', dataDir]),
    );
    const [x, y, w, h] = faces.images[0]!.faces[0]!.box;
    const selfie = join(root, 'selfie.jpg');
    await sharp(sharpPath)
      .extract({
        left: Math.max(0, Math.round(x - w / 2)),
        top: Math.max(0, Math.round(y - h / 2)),
        width: Math.round(w * 2),
        height: Math.round(h * 2),
      })
      .resize({ width: 400 })
      .jpeg({ quality: 80 })
      .toFile(selfie);
    const search = async (...extra: string[]) =>
      parseJsonOutput<{ matches: { path: string }[] }>(
        await runCli(['search', '--event', 'party', '--selfie', selfie, ...extra, '--json', '--data-dir', dataDir]),
      );
    const everyFrame = (await search()).matches.map((m) => basename(m.path));
    const collapsed = (await search('--collapse-bursts')).matches.map((m) => basename(m.path));
    // The person matches in every frame, the badly blurred one too (the calibrated descriptors and
    // query expansion reach it; the previous configuration did not); collapsed, the sharp frame
    // stands for them all.
    expect(everyFrame.filter((n) => BURST.includes(n)).sort()).toEqual([...BURST].sort());
    expect(collapsed.filter((n) => BURST.includes(n))).toEqual([SHARP]);
    expect(collapsed.filter((n) => !BURST.includes(n))).toEqual(everyFrame.filter((n) => !BURST.includes(n)));
  });
});
