// The desktop shell's engine host over a REAL forked engine process (the same messages the app
// sends over Electron's utilityProcess): start, crash and restart, clean stop.
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineHost, type EngineHost, type EngineState } from '../../../src/main/engine-host.js';
import { forkEngineChannel } from '../../../src/main/fork-channel.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

// The built child, as the packaged app runs it (workers load from dist/ too): `npm run build` first.
const ENTRY = fileURLToPath(new URL('../../../dist/src/main/engine-process.js', import.meta.url));

interface Health {
  ok: boolean;
  event: string;
  photos: { ready: number } | null;
}

let root: string;
const hosts: EngineHost[] = [];

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` (or npx tsc -p tsconfig.build.json) first`);
  root = await makeTempDir();
});
afterAll(async () => {
  for (const host of hosts) await host.stop();
  await removeDir(root);
});

function host(dataDir: string, watch: string[], states: EngineState[] = [], log: string[] = []): EngineHost {
  const h = startEngineHost({
    spawn: () => forkEngineChannel(ENTRY, { env: { ...process.env, NO_COLOR: '1' }, onStderr: (s) => log.push(s) }),
    request: { dataDir, event: 'gala', watch, port: 0, lan: false },
    onState: (s) => states.push(s),
  });
  hosts.push(h);
  return h;
}

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

describe('the engine under the desktop shell', () => {
  it('starts in its own process, comes back on the same address after a kill -9 with its photos, and stops with the WAL checkpointed', async () => {
    const hot = join(root, 'hot');
    const dataDir = join(root, 'data');
    await mkdir(hot);
    const states: EngineState[] = [];
    const log: string[] = [];
    const engine = host(dataDir, [hot], states, log);

    const first = await engine.whenRunning();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.pid).not.toBe(process.pid);
    expect((await health(first.url)).ok).toBe(true);
    // The operator token came over the channel and signs the console in.
    const overview = await fetch(`${first.url}/api/overview`, { headers: { authorization: `Bearer ${first.operatorToken}` } });
    expect(overview.status).toBe(200);

    await copyFile(samplePhotoPaths()[0]!, join(hot, 'IMG_0001.JPG'));
    await waitFor(async () => (await health(first.url)).photos?.ready === 1, 'the first photo to be ready', 120_000);

    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => states.some((s) => s.state === 'reconnecting'), 'the windows to be told "reconnecting"');
    const second = await waitFor(
      async () => {
        const s = engine.current();
        return s.state === 'running' && s.ready.pid !== first.pid ? s.ready : undefined;
      },
      'the engine to be started again',
      60_000,
    );
    expect(engine.restarts()).toBe(1);
    expect(second.url).toBe(first.url);
    expect(second.operatorToken).toBe(first.operatorToken);
    const after = await health(second.url);
    expect(after).toMatchObject({ ok: true, event: 'gala', photos: { ready: 1 } });

    // Still watching after the restart: a photo dropped now is processed too.
    await copyFile(samplePhotoPaths()[1]!, join(hot, 'IMG_0002.JPG'));
    await waitFor(async () => (await health(second.url)).photos?.ready === 2, 'the photo shot after the crash to be ready', 120_000);

    await engine.stop();
    expect(engine.current()).toEqual({ state: 'stopped' });
    const wal = join(dataDir, 'shutterfind.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    expect(existsSync(join(dataDir, 'engine.lock'))).toBe(false);
    await expect(fetch(`${second.url}/health`)).rejects.toThrow();
  }, 300_000);

  it('does not restart in a loop when starting again cannot help, and says why', async () => {
    const dataDir = join(root, 'busy');
    const owner = host(dataDir, []);
    const ownerReady = await owner.whenRunning();
    const states: EngineState[] = [];
    const second = host(dataDir, [], states);
    await expect(second.whenRunning()).rejects.toThrow(new RegExp(`Another Shutterfind \\(pid ${ownerReady.pid}\\) is using the data dir`));
    expect(second.restarts()).toBe(0);
    expect(states.at(-1)?.state).toBe('failed');
    await owner.stop();
  }, 120_000);
});
