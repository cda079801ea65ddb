// `shutterfind export` as an organiser runs it: the real command (compiled CLI) on a data dir with
// the six sample photos and named people, writing per-person folders, printing a summary or JSON,
// completing an export on a second run, and saying clearly what is wrong with a bad request.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

  it('refuses --originals with --previews', async () => {
    const r = await runCli(['export', '--data-dir', dataDir, '--event', EVENT, '--to', join(root, 'y'), '--originals', '--previews']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Choose --originals or --previews, not both.');
  });
});
