// A card shot RAW+JPEG, imported with `shutterfind ingest`: one photo per capture in the import
// summary, in `status`, and in what a selfie finds (the kiosk's own search path).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeCr3, makeTiffRaw } from '../../fixtures/raw-files.js';
import { parseJsonOutput, runCli } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;
let card: string;
let dataDir: string;

beforeAll(async () => {
  root = await makeTempDir();
  card = join(root, 'EOS_DIGITAL', 'DCIM', '100CANON');
  dataDir = join(root, 'data');
  await mkdir(card, { recursive: true });
  // Three captures of the same group (sample 1), each shot RAW+JPEG, plus one JPEG-only frame.
  const sample = samplePhotoPaths()[0]!;
  for (let i = 0; i < 3; i++) {
    const jpeg = await makeSmallPhoto(sample, 1600, 10 + i);
    await writeFile(join(card, `IMG_010${i}.JPG`), jpeg);
    const raw = i === 2 ? makeTiffRaw(jpeg, { variant: 'cr2', byteOrder: 'II' }) : makeCr3(jpeg);
    await writeFile(join(card, `IMG_010${i}.${i === 2 ? 'CR2' : 'CR3'}`), raw);
  }
  await writeFile(join(card, 'IMG_0103.JPG'), await makeSmallPhoto(samplePhotoPaths()[1]!, 1600, 20));
}, 120_000);

afterAll(async () => {
  await removeDir(root);
});

describe('importing a RAW+JPEG card', () => {
  it('shows one photo per capture in the import, in status and in what a selfie finds', async () => {
    const ingest = await runCli(['ingest', card, '--event', 'gala', '--data-dir', dataDir, '--json']);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(parseJsonOutput(ingest)).toMatchObject({ added: 4, paired: 3, duplicates: 0, failed: [], ready: 4 });

    const status = await runCli(['status', '--event', 'gala', '--data-dir', dataDir, '--json']);
    expect(parseJsonOutput(status)).toMatchObject({ photos: { total: 4, ready: 4, failed: 0, withRaw: 3 } });

    // A selfie: the first face of the group, cut from another rendering of the sample.
    const source = await makeSmallPhoto(samplePhotoPaths()[0]!, 1600, 99);
    const faces = parseJsonOutput<{ images: { faces: { box: [number, number, number, number] }[] }[] }>(
      await runCli(['faces', join(card, 'IMG_0100.JPG'), '--data-dir', dataDir, '--json']),
    );
    // The largest face, cut with a margin: a selfie has one dominant face.
    const [x, y, w, h] = faces.images[0]!.faces.map((f) => f.box).sort((a, b) => b[2] - a[2])[0]!;
    const selfie = join(root, 'selfie.jpg');
    const pad = Math.round(w * 0.6);
    await sharp(source)
      .extract({
        left: Math.max(0, Math.round(x - pad)),
        top: Math.max(0, Math.round(y - pad)),
        width: Math.round(w + 2 * pad),
        height: Math.round(h + 2 * pad),
      })
      .resize(480)
      .jpeg()
      .toFile(selfie);
    const search = await runCli(['search', '--event', 'gala', '--selfie', selfie, '--data-dir', dataDir, '--json']);
    expect(search.code, search.stderr).toBe(0);
    const found = parseJsonOutput<{ matches: { path: string }[] }>(search).matches.map((m) => m.path.split('/').pop());
    // Each capture once, by its JPEG; never its RAW beside it.
    expect(found.sort()).toEqual(['IMG_0100.JPG', 'IMG_0101.JPG', 'IMG_0102.JPG']);
  });
});
