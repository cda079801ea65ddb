// `npm start`: the desktop app where Electron's binary is on disk, else the headless engine with
// one line saying why, and never a load of the electron package from plain Node (which would
// start a ~100 MB download).
import { spawn, spawnSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planStart, runDesktop } from '../../../src/cli/commands/start.js';
import { CLI } from '../../support/cli.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

const FORBID_ELECTRON = fileURLToPath(new URL('./support/forbid-electron.mjs', import.meta.url));

let root: string;
beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeDir(root);
});

/** Node with the electron package made unloadable; each attempt is written to the returned file. */
function guardedEnv(marker: string): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--import=${FORBID_ELECTRON}`, SHUTTERFIND_ELECTRON_LOADS: marker };
}

describe('what npm start runs', () => {
  it.each([
    ['the desktop app when the binary is there and the app is built', { available: true, binary: '/e/electron' } as const, true, 'desktop'],
    [
      'the engine when the binary is there but the app is not built',
      { available: true, binary: '/e/electron' } as const,
      false,
      'headless',
    ],
    [
      'the engine when the binary was never fetched',
      { available: false, reason: "Electron's binary has not been fetched yet" } as const,
      true,
      'headless',
    ],
  ])('%s', (_what, desktop, built, run) => {
    const plan = planStart(desktop, '/app/dist/src/main/main.js', built);
    expect(plan.run).toBe(run);
    if (plan.run === 'headless') expect(plan.why).toMatch(desktop.available ? /npm run build/ : /not been fetched/);
  });

  it('the guard used below does catch a require or an import of electron', () => {
    const marker = join(root, 'control.log');
    const required = spawnSync(process.execPath, ['-e', "require('electron')"], { env: guardedEnv(marker) });
    const imported = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('electron')"], { env: guardedEnv(marker) });
    expect(required.status).not.toBe(0);
    expect(imported.status).not.toBe(0);
    return expect(readFile(marker, 'utf8')).resolves.toBe("require('electron')\nimport 'electron'\n");
  });

  it('falls back here to the headless engine with one line, without ever loading the electron package', async () => {
    const marker = join(root, 'loads.log');
    const child = spawn(process.execPath, [CLI, 'start', '--data-dir', join(root, 'data')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: guardedEnv(marker),
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => stderr.includes('serving event'), 'the headless engine to be up', 60_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const fallback = stderr.split('\n').filter((line) => line.includes('Desktop window unavailable'));
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatch(/^Desktop window unavailable \(.+\): running the headless engine \(`shutterfind serve`\) instead\.$/);
    expect(existsSync(marker)).toBe(false);
  }, 90_000);

  it('starts the desktop app on the built main script, telling it which Node runs the engine, and passes on its exit code', async () => {
    // A stand-in for Electron's binary: a real executable that reports how it was started.
    const binary = join(root, 'electron');
    const report = join(root, 'electron-started.txt');
    await writeFile(binary, `#!/bin/sh\nprintf '%s\\n%s\\n' "$1" "$SHUTTERFIND_NODE" > '${report}'\nexit 3\n`);
    await chmod(binary, 0o755);
    expect(await runDesktop(binary, '/app/dist/src/main/main.js')).toBe(3);
    expect(await readFile(report, 'utf8')).toBe(`/app/dist/src/main/main.js\n${process.execPath}\n`);
  });
});
