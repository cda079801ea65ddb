// `shutterfind export` as an organiser runs it: the real command (compiled CLI) on a data dir with
// the six sample photos and named people, writing per-person folders, printing a summary or JSON,
// completing an export on a second run, and saying clearly what is wrong with a bad request.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { runCli } from '../../support/cli.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const EVENT = 'party';
let root: string;
let dataDir: string;
let named: string;

beforeAll(async () => {
  root = await makeTempDir();
  dataDir = join(root, 'data');
  const engine = await startTestEngine(dataDir, 'one-shot', { faces: { enabled: true } });
  try {
    const session = await engine.openEvent(EVENT);
    for (const p of samplePhotoPaths()) session.intake.submit(p, null);
    await session.intake.settled();
    await engine.whenIdle(session.event.id);
    const [most] = engine.people.list(session.event.id).sort((a, b) => b.photoCount - a.photoCount);
    named = engine.people.rename(session.event.id, most!.id, 'Maria José').name!;
    // The organiser's gallery look, as the console's Export → Gallery look saves it.
    engine.catalogue.updateSettings(session.event.id, { gallery: { accent: '#0f766e', background: '#0b1f3a' } });
    const logo = await sharp({ create: { width: 120, height: 60, channels: 3, background: '#fef3c7' } })
      .png()
      .toBuffer();
    await engine.galleryBranding.saveLogo(session.event.id, logo);
  } finally {
    await engine.stop();
  }
}, 240_000);

afterAll(async () => {
  await removeDir(root);
});

describe('shutterfind export', () => {
  it('writes a folder per person with a manifest, and says what it did', async () => {
    const to = join(root, 'stick');
    const r = await runCli(['export', '--data-dir', dataDir, '--event', EVENT, '--to', to, '--named-only']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Exported "party" \(previews as folders\): 6 photo\(s\), 1 person folder\(s\)/);
    expect(r.stdout).toContain('6 file(s) written');
    expect(await readdir(join(to, 'People'))).toEqual([named]);
    expect((await readdir(join(to, 'All photos'))).sort()).toEqual(samplePhotoPaths().map((_, i) => `sample${i + 1}.jpg`));
    const manifest = JSON.parse(await readFile(join(to, 'manifest.json'), 'utf8')) as { photos: unknown[] };
    expect(manifest.photos).toHaveLength(6);

    const again = await runCli(['export', '--data-dir', dataDir, '--event', EVENT, '--to', to, '--named-only', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0, alreadyThere: 6, photos: 6, people: 1 });
  });

  it('refuses an unknown person, naming the people there are', async () => {
    const r = await runCli(['export', '--data-dir', dataDir, '--event', EVENT, '--to', join(root, 'x'), '--people', 'Nobody']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`No person "Nobody" in event "party"`);
    expect(r.stderr).toContain(named);
  });

  it('makes the HTML gallery with the look set in the console, and a flag changes one part of it', async () => {
    const to = join(root, 'html');
    const r = await runCli(['export', '--data-dir', dataDir, '--event', EVENT, '--to', to, '--as', 'html']);
    expect(r.code, r.stderr).toBe(0);
    const index = await readFile(join(to, 'index.html'), 'utf8');
    expect(index).toContain('#0b1f3a');
    expect(index).toContain('#0f766e');
    expect(index).toMatch(/<img class="logo" src="assets\/logo\.png"/);
    expect((await sharp(join(to, 'assets', 'logo.png')).metadata()).width).toBe(120);

    const other = join(root, 'html-accent');
    const flagged = await runCli(['export', '--data-dir', dataDir, '--event', EVENT, '--to', other, '--as', 'html', '--accent', '#c026d3']);
    expect(flagged.code, flagged.stderr).toBe(0);
    const page = await readFile(join(other, 'index.html'), 'utf8');
    expect(page).toContain('#c026d3');
    expect(page).not.toContain('#0f766e');
    expect(page).toContain('#0b1f3a');
  });

  it('refuses --originals with --previews', async () => {
    const r = await runCli(['export', '--data-dir', dataDir, '--event', EVENT, '--to', join(root, 'y'), '--originals', '--previews']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Choose --originals or --previews, not both.');
  });
});
