// `npx shutterfind` and `npm start` in a checkout print only Shutterfind's own output: npm's
// warning about the project's .npmrc came before every command. The CUDA download of
// onnxruntime-node stays skipped (package.json's allowScripts, and the .npmrc line for older npm).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm around the shutterfind command', () => {
  it('`npx shutterfind --version` prints the version and no npm warning', async () => {
    const { version } = JSON.parse(await readFile(`${REPO}/package.json`, 'utf8')) as { version: string };
    const { stdout, stderr } = await run('npx', ['shutterfind', '--version'], { cwd: REPO });
    expect(stdout.trim()).toBe(version);
    expect(stderr).not.toMatch(/npm warn/i);
  }, 60_000);

  it("still tells onnxruntime-node's install script to skip the CUDA download, and denies that script", async () => {
    const { stdout, stderr } = await run(
      'npm',
      ['exec', '--', 'node', '-e', 'console.log(process.env.npm_config_onnxruntime_node_install)'],
      {
        cwd: REPO,
      },
    );
    expect(stdout.trim()).toBe('skip');
    expect(stderr).not.toMatch(/npm warn/i);
    const manifest = JSON.parse(await readFile(`${REPO}/package.json`, 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(manifest.allowScripts?.['onnxruntime-node']).toBe(false);
  }, 60_000);
});
