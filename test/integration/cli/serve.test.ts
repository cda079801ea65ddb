import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { runCli, startCli } from '../../support/cli.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

let root: string;

beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeDir(root);
});

interface Health {
  ok: boolean;
  event: string;
  photos: { ready: number } | null;
  queue: { depth: number } | null;
}

describe('shutterfind serve (the main job, headless)', () => {
  it('watches a folder, reports health over HTTP, and stops cleanly on SIGTERM with the WAL checkpointed', async () => {
    const hot = join(root, 'hot');
    const dataDir = join(root, 'data');
    await mkdir(hot);
    const child = startCli(['serve', '--event', 'gala', '--watch', hot, '--data-dir', dataDir, '--port', '0']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await waitFor(() => /serving event "gala" at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1], 'the serving line', 30_000);
    expect(stderr).toContain(`watching ${hot} [watching]`);

    await copyFile(samplePhotoPaths()[0]!, join(hot, 'IMG_0001.JPG'));
    const health = await waitFor(async () => {
      const h = (await (await fetch(`${url}/health`)).json()) as Health;
      return h.photos?.ready === 1 ? h : undefined;
    }, 'the photo to be ready');
    expect(health).toMatchObject({ ok: true, event: 'gala', queue: { depth: 0 } });

    // Only the loopback interface: the venue network gets nothing until LAN mode is switched on.
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/Stopped cleanly/);
    const wal = join(dataDir, 'shutterfind.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    expect(existsSync(join(dataDir, 'engine.lock'))).toBe(false);
  });

  it('refuses a second engine on the same data dir, saying which process holds it', async () => {
    const dataDir = join(root, 'data2');
    const child = startCli(['serve', '--data-dir', dataDir, '--port', '0']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const enginePid = await waitFor(() => /\(pid (\d+)\) serving event/.exec(stderr)?.[1], 'first engine up', 30_000);
    const second = await runCli(['ingest', root, '--event', 'x', '--data-dir', dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`Another Shutterfind \\(pid ${enginePid}\\) is using the data dir`));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('npm start falls back to the headless engine with one clear line when Electron is missing', async () => {
    const child = startCli(['start', '--data-dir', join(root, 'data3')]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => stderr.includes('serving event'), 'headless engine up', 30_000);
    expect(stderr).toMatch(/Desktop window unavailable \(.+\): running the headless engine/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // It ends because everything it opened was closed, not because the exit guard gave up on a
    // timer or thread still holding it.
    expect(stderr).toMatch(/Stopped cleanly/);
    expect(stderr).not.toMatch(/still pending/);
  });
});
