import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../../src/cli/commands/ingest.js';
import { writeBadFiles, type BadFile } from '../../fixtures/bad-files.js';
import { makeCameraJpeg, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeCr3, makeRaf, makeTiffRaw } from '../../fixtures/raw-files.js';
import { parseJsonOutput, runCli } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

type IngestJson = IngestSummary;

interface StatusJson {
  event: string;
  photos: { total: number; pending: number; ready: number; failed: number; duplicates: number };
  queue: { depth: number };
  errors: { path: string; error: string }[];
}

let root: string;
let folder: string;
let dataDir: string;
let bad: BadFile[];
let goodNames: string[];
/** As root, chmod 000 stops nothing: that file is then simply a good photo. */
const permissionsApply = process.getuid?.() !== 0;

beforeAll(async () => {
  root = await makeTempDir();
  folder = join(root, 'Card 1');
  dataDir = join(root, 'data');
  await mkdir(join(folder, 'DCIM', '100CANON'), { recursive: true });
  await mkdir(join(folder, 'bad'), { recursive: true });
  goodNames = [];
  // The six real group photos, two of them at full 24 MP camera size, one with a unicode name.
  const samples = samplePhotoPaths();
  for (const [i, sample] of samples.entries()) {
    const name = i === 0 ? 'Première danse – Zoë & Paweł.jpg' : `IMG_000${i + 1}.JPG`;
    const dest = join(folder, 'DCIM', '100CANON', name);
    if (i < 2) await writeFile(dest, await makeCameraJpeg(sample, { seed: i + 1 }));
    else await copyFile(sample, dest);
    goodNames.push(name);
  }
  // RAW files, through their embedded previews.
  const preview = await sharp(samples[3]!).jpeg({ quality: 90 }).toBuffer();
  const raws: [string, Buffer][] = [
    ['IMG_1001.CR2', makeTiffRaw(preview, { byteOrder: 'II', variant: 'cr2' })],
    ['IMG_1002.CR3', makeCr3(preview)],
    ['DSC_1003.NEF', makeTiffRaw(preview, { byteOrder: 'MM', variant: 'nef' })],
    ['DSC01004.ARW', makeTiffRaw(preview, { byteOrder: 'II', variant: 'arw' })],
    ['DSCF1005.RAF', makeRaf(preview)],
    ['P1006.ORF', makeTiffRaw(preview, { byteOrder: 'II', variant: 'orf' })],
    ['L1007.DNG', makeTiffRaw(preview, { byteOrder: 'II', variant: 'dng' })],
  ];
  // Each RAW wraps the same preview but differs in its container, so none is a duplicate.
  for (const [name, bytes] of raws) await writeFile(join(folder, name), bytes);
  goodNames.push(...raws.map(([n]) => n));
  // A PNG and a TIFF export.
  await sharp(samples[4]!).png().toFile(join(folder, 'export.png'));
  await sharp(samples[5]!).tiff({ compression: 'lzw' }).toFile(join(folder, 'export.tif'));
  goodNames.push('export.png', 'export.tif');
  // A copy of a photo under another name is a duplicate, not a second photo.
  await copyFile(samples[2]!, join(folder, 'copy of IMG_0003.JPG'));
  // Files that are not photos at all are not even looked at.
  await writeFile(join(folder, 'notes.txt'), 'shot list');
  await writeFile(join(folder, '._IMG_0002.JPG'), 'AppleDouble');
  bad = await writeBadFiles(join(folder, 'bad'), await sharp(samples[0]!).jpeg().toBuffer());
  if (!permissionsApply) {
    goodNames.push(...bad.filter((b) => b.kind === 'no-permission').map((b) => b.name));
    bad = bad.filter((b) => b.kind !== 'no-permission');
  }
}, 300_000);

afterAll(async () => {
  await removeDir(root);
});

describe('shutterfind ingest (one-shot import)', () => {
  let first: IngestJson;

  it('reports every good photo ready and every bad file with its reason', async () => {
    const r = await runCli(['ingest', folder, '--event', 'demo', '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    first = parseJsonOutput<IngestJson>(r);
    expect(first.event).toBe('demo');
    expect(first.added).toBe(goodNames.length + bad.filter((b) => b.kind === 'corrupt' || b.kind === 'decompression-bomb').length);
    expect(first.ready).toBe(goodNames.length);
    expect(first.duplicates).toBe(1);
    const failedByName = new Map(first.failed.map((f) => [basename(f.path), f.error]));
    const expectedBad = bad;
    expect([...failedByName.keys()].sort()).toEqual(expectedBad.map((b) => b.name).sort());
    for (const b of expectedBad) {
      const error = failedByName.get(b.name)!;
      expect(error, b.name).toMatch(b.expectError);
      expect(error, b.name).toContain(b.name);
    }
    expect(first.tookMs).toBeGreaterThan(0);
  });

  it('shows the same picture in status, with the errors listed', async () => {
    const r = await runCli(['status', '--event', 'demo', '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = parseJsonOutput<StatusJson>(r);
    expect(s.photos.ready).toBe(goodNames.length);
    expect(s.photos.failed).toBe(first.failed.length);
    expect(s.photos.duplicates).toBe(1);
    expect(s.photos.pending).toBe(0);
    expect(s.queue.depth).toBe(0);
    expect(s.errors.map((e) => basename(e.path)).sort()).toEqual(first.failed.map((f) => basename(f.path)).sort());
  });

  it('takes nothing twice when the same folder is imported again', async () => {
    const r = await runCli(['ingest', folder, '--event', 'demo', '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const again = parseJsonOutput<IngestJson>(r);
    expect(again.added).toBe(0);
    expect(again.ready).toBe(goodNames.length);
    expect(again.failed.length).toBe(first.failed.length);
    const s = parseJsonOutput<StatusJson>(await runCli(['status', '--event', 'demo', '--data-dir', dataDir, '--json']));
    expect(s.photos.total).toBe(goodNames.length + first.failed.length);
  });

  it('prints a readable summary for a person at a terminal', async () => {
    const r = await runCli(['ingest', folder, '--event', 'demo', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Event "demo": 0 new photo\(s\), \d+ ready/);
    expect(r.stdout).toContain('notes.jpg');
  });

  it('explains a folder that does not exist, with a non-zero exit code', async () => {
    const r = await runCli(['ingest', join(root, 'nope'), '--event', 'demo', '--data-dir', dataDir, '--json']);
    expect(r.code).toBe(2);
    expect(parseJsonOutput<{ error: string }>(r).error).toMatch(/not a folder/);
  });

  it('explains an unknown event in status', async () => {
    const r = await runCli(['status', '--event', 'nope', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No event named "nope".*Events: demo/);
  });
});
