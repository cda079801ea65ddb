// Things in a hot folder that are not photo files: named pipes, sockets, device nodes, and links
// that lead out of the folder. None of them may stall ingest, block shutdown, or be read.
import { execFileSync } from 'node:child_process';
import { engineRepositories } from '../../../src/core/index.js';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine, EventSession } from '../../../src/core/index.js';
import { makeSmallPhoto, samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { startCli } from '../../support/cli.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

const isRoot = process.getuid?.() === 0;
let photos: Buffer[];
let root: string;
let hot: string;
let engine: Engine | undefined;
let session: EventSession;
let socketServer: Server | undefined;

beforeAll(async () => {
  photos = await Promise.all([0, 1, 2].map((i) => makeSmallPhoto(samplePhotoPaths()[i]!, 1200, i + 1)));
}, 120_000);

beforeEach(async () => {
  root = await makeTempDir();
  hot = join(root, 'hot');
  await mkdir(hot, { recursive: true });
});

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  socketServer?.close();
  socketServer = undefined;
  await removeDir(root);
});

async function startWatching(settings: Parameters<typeof startTestEngine>[2] = {}): Promise<void> {
  engine = await startTestEngine(join(root, 'data'), 'watch', settings);
  session = await engine.openEvent('gala');
  await session.hotFolders.add(hot);
}

const counts = () => engineRepositories(engine!).photos.countPhotos(session.event.id);
const errorOf = (name: string): string | undefined => engine!.status('gala')?.errors.find((e) => e.path.endsWith(`/${name}`))?.error;

/** Four pipes: as many as libuv has threads, so one blocked open per thread stalls every file read. */
const PIPES = ['p1.jpg', 'p2.jpg', 'p3.jpg', 'p4.jpg'];

describe('files in a hot folder that are not regular files', () => {
  it('refuses named pipes and sockets without opening them, and still takes the photo dropped after them', async () => {
    await startWatching();
    for (const name of PIPES) execFileSync('mkfifo', [join(hot, name)]);
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer!.listen(join(hot, 'sock.jpg'), resolve));
    await writeFile(join(hot, 'IMG_0001.JPG'), photos[0]!);

    await waitFor(() => counts().ready === 1, 'the real photo to be ready despite the pipes', 30_000);
    await waitFor(() => counts().failed === PIPES.length + 1, 'every pipe and the socket reported', 15_000);
    for (const name of PIPES) expect(errorOf(name)).toMatch(new RegExp(`${name}: not a regular file: a named pipe`));
    expect(errorOf('sock.jpg')).toMatch(/sock\.jpg: not a regular file: a socket/);
  });

  it.runIf(isRoot)('refuses a device node named like a photo without opening it', async () => {
    await startWatching();
    // The same device as /dev/null: harmless if it were read, but it must not be.
    execFileSync('mknod', [join(hot, 'dev.jpg'), 'c', '1', '3']);
    await writeFile(join(hot, 'IMG_0002.JPG'), photos[1]!);
    await waitFor(() => counts().ready === 1 && counts().failed === 1, 'the photo ready and the device reported');
    expect(errorOf('dev.jpg')).toMatch(/dev\.jpg: not a regular file: a device/);
  });

  it('stops `serve` within its drain time on SIGTERM with named pipes in the watched folder', async () => {
    for (const name of PIPES) execFileSync('mkfifo', [join(hot, name)]);
    const child = startCli(['serve', '--event', 'gala', '--watch', hot, '--data-dir', join(root, 'data'), '--port', '0']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => /serving event "gala" at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1], 'the serving line', 30_000);
      // A pipe created while watching goes through the watcher rather than the start-up scan.
      execFileSync('mkfifo', [join(hot, 'p5.jpg')]);
      await writeFile(join(hot, 'IMG_0003.JPG'), photos[2]!);
      await waitFor(
        async () => {
          const h = (await (await fetch(`${url}/health`)).json()) as { photos: { ready: number } | null };
          return h.photos?.ready === 1;
        },
        'the photo to be ready while pipes sit in the folder',
        30_000,
      );

      const stopAsked = Date.now();
      child.kill('SIGTERM');
      // Nothing is in flight, so stopping takes well under the scheduler's drain; 10 s is generous.
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
      expect(code, `serve did not exit within 10 s of SIGTERM:\n${stderr}`).toBe(0);
      expect(Date.now() - stopAsked).toBeLessThan(10_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('symbolic links in a hot folder', () => {
  it('refuses a link that leads out of the watched folder, saying why and how to allow it', async () => {
    const secret = join(root, 'outside.jpg');
    await writeFile(secret, photos[0]!);
    await startWatching();
    await symlink(secret, join(hot, 'IMG_LINK.JPG'));
    await writeFile(join(hot, 'IMG_0004.JPG'), photos[1]!);
    await waitFor(() => counts().ready === 1 && counts().failed === 1, 'the photo ready and the link refused');
    expect(errorOf('IMG_LINK.JPG')).toMatch(
      /IMG_LINK\.JPG: a symbolic link to .*outside\.jpg, outside the watched folder.*ingest\.followSymlinks/,
    );
  });

  it('takes a link that stays inside the watched folder', async () => {
    await mkdir(join(hot, 'originals'));
    await writeFile(join(hot, 'originals', 'IMG_0005.JPG'), photos[0]!);
    await startWatching();
    await symlink(join(hot, 'originals', 'IMG_0005.JPG'), join(hot, 'IMG_0005_link.JPG'));
    await waitFor(() => counts().ready === 1 && counts().duplicates === 1, 'the photo and its in-folder link taken as one');
    expect(counts().failed).toBe(0);
  });

  it('follows a link out of the folder when ingest.followSymlinks is on', async () => {
    const elsewhere = join(root, 'card-mirror.jpg');
    await writeFile(elsewhere, photos[2]!);
    await startWatching({ ingest: { followSymlinks: true } });
    await symlink(elsewhere, join(hot, 'IMG_0006.JPG'));
    await waitFor(() => counts().ready === 1, 'the linked photo to be ready');
    expect(counts().failed).toBe(0);
  });
});
