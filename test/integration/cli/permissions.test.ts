// A photo the app is not allowed to read gets a clear error; the rest of the folder is imported.
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { CLI } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

/**
 * Root reads everything (CI runs as root), so there the app runs without the capabilities
 * that bypass file permissions, through util-linux's setpriv: file modes then apply to it.
 */
const DROP_OVERRIDES = ['--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];
const asRoot = process.getuid?.() === 0;

let root: string;

beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeDir(root);
});

function runWithoutOverrides(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const command = asRoot ? ['setpriv', ...DROP_OVERRIDES, process.execPath, CLI, ...args] : [process.execPath, CLI, ...args];
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a photo the app may not read', () => {
  it('is reported with a permission error while the readable photos are imported', async () => {
    const folder = join(root, 'card');
    const dataDir = join(root, 'data');
    await mkdir(folder);
    await copyFile(samplePhotoPaths()[0]!, join(folder, 'IMG_0001.JPG'));
    await copyFile(samplePhotoPaths()[1]!, join(folder, 'IMG_0002.JPG'));
    await chmod(join(folder, 'IMG_0002.JPG'), 0o000);

    const r = await runWithoutOverrides(['ingest', folder, '--event', 'perm', '--data-dir', dataDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { ready: number; failed: { path: string; error: string }[] };
    expect(summary.ready).toBe(1);
    expect(summary.failed).toEqual([
      { path: join(folder, 'IMG_0002.JPG'), error: expect.stringMatching(/IMG_0002\.JPG: permission denied/) as unknown as string },
    ]);

    // The photographer fixes the permissions and asks for a retry: the photo is taken now.
    await chmod(join(folder, 'IMG_0002.JPG'), 0o644);
    const retry = await runWithoutOverrides(['retry', '--event', 'perm', '--data-dir', dataDir, '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ event: 'perm', reexamined: 1, ready: 1, stillFailed: 0 });
    const status = await runWithoutOverrides(['status', '--event', 'perm', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ photos: { total: 2, ready: 2, failed: 0 }, errors: [] });
  });
});
