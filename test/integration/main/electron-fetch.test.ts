// `npm start` fetching Electron's binary once, for real: @electron/get downloads from a mirror on
// loopback (ELECTRON_MIRROR, as a company mirror would be set) with the SHA-256 it publishes,
// Electron's own install.js unpacks it into a copy of the electron package, and the binary it
// unpacked starts the app. A 404, a wrong checksum and a stalled download each end in one
// sentence and leave no half-installed binary. The "binary" is a shell script in a real zip.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { fetchElectron, type FetchProgress } from '../../../src/cli/commands/electron-fetch.js';
import { desktopForStart, findElectron, runDesktop } from '../../../src/cli/commands/start.js';
import { freePort } from '../cloud/cloud-harness.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const REPO_MODULES = fileURLToPath(new URL('../../../node_modules/', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO_MODULES, 'electron', 'package.json'), 'utf8')) as { version: string }).version;
const ZIP_NAME = `electron-v${VERSION}-${process.platform}-${process.arch}.zip`;

let root: string;
let server: Server;
let port: number;
/** What the mirror answers: the archive, its published checksum, or a stall. */
let mirror: { zip: Buffer; shasum: string; stall?: boolean; missing?: boolean };
let requests: string[] = [];
const savedEnv = { ...process.env };

function zipOf(files: { name: string; content: string; mode?: number }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(Buffer.from(f.content), f.name, f.mode ? { mode: f.mode } : {});
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A copy of the electron package (its own files; @electron/get and the unzipper linked), as node_modules/electron of a checkout. */
async function electronPackage(name: string): Promise<string> {
  const modules = join(root, name, 'node_modules');
  const dir = join(modules, 'electron');
  await mkdir(dir, { recursive: true });
  for (const file of ['package.json', 'install.js', 'checksums.json'])
    await copyFile(join(REPO_MODULES, 'electron', file), join(dir, file));
  await symlink(join(REPO_MODULES, '@electron'), join(modules, '@electron'));
  await symlink(join(REPO_MODULES, '@electron-internal'), join(modules, '@electron-internal'));
  process.env['electron_config_cache'] = join(root, name, 'cache');
  return dir;
}

beforeAll(async () => {
  root = await makeTempDir('shutterfind-electron-fetch-');
  port = await freePort();
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/v${VERSION}/SHASUMS256.txt`) return res.end(`${mirror.shasum} *${ZIP_NAME}\n`);
    if (req.url !== `/v${VERSION}/${ZIP_NAME}` || mirror.missing) return res.writeHead(404).end('Not Found');
    res.writeHead(200, { 'content-length': String(mirror.zip.length) });
    // A stall: half the archive, then nothing (the connection stays open).
    if (mirror.stall) return void res.write(mirror.zip.subarray(0, mirror.zip.length >> 1));
    res.end(mirror.zip);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  Object.assign(process.env, {
    ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
    // The mirror publishes the checksums of what it serves (the package's own are for the real builds).
    electron_use_remote_checksums: '1',
  });
});
afterEach(() => {
  requests = [];
});
afterAll(async () => {
  process.env = savedEnv;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await removeDir(root);
});

async function serve(opts: { stall?: boolean; missing?: boolean; wrongChecksum?: boolean } = {}): Promise<string> {
  const report = join(root, `started-${Math.random().toString(36).slice(2)}.txt`);
  const zip = await zipOf([
    { name: 'electron', content: `#!/bin/sh\nprintf '%s\\n' "$1" > '${report}'\nexit 0\n`, mode: 0o100755 },
    { name: 'version', content: `v${VERSION}` },
  ]);
  const shasum = createHash('sha256')
    .update(opts.wrongChecksum ? Buffer.from('something else') : zip)
    .digest('hex');
  mirror = { zip, shasum, ...(opts.stall ? { stall: true } : {}), ...(opts.missing ? { missing: true } : {}) };
  return report;
}

describe('fetching Electron for npm start', () => {
  it('downloads it once with progress, unpacks it where the package expects it, and the binary starts the app', async () => {
    const report = await serve();
    const dir = await electronPackage('fresh');
    expect(findElectron(dir)).toMatchObject({ available: false, fetchable: dir });
    const progress: FetchProgress[] = [];
    const outcome = await fetchElectron(dir, (p) => progress.push(p));
    expect(outcome).toEqual({ ok: true, version: VERSION });
    // The archive's progress reaches its whole size (the small SHASUMS256.txt reports its own).
    expect(progress).toContainEqual({ transferred: mirror.zip.length, total: mirror.zip.length });
    expect(requests.filter((r) => r.endsWith('.zip'))).toHaveLength(1);

    const found = findElectron(dir);
    expect(found).toEqual({
      available: true,
      binary: join(dir, 'dist', process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron'),
    });
    if (!found.available) return;
    expect(await runDesktop(found.binary, '/app/dist/src/main/main.js')).toBe(0);
    expect(await readFile(report, 'utf8')).toBe('/app/dist/src/main/main.js\n');
  });

  it('tells the photographer once that it is fetching, with its progress, then that Electron is ready', async () => {
    await serve();
    const dir = await electronPackage('told');
    let told = '';
    const desktop = await desktopForStart('/app/main.js', true, { write: (t: string) => (told += t), isTTY: false }, dir);
    expect(desktop).toMatchObject({ available: true });
    const lines = told.trimEnd().split('\n');
    expect(lines[0]).toBe('Fetching Electron for the desktop window (once, about 100 MB)…');
    expect(lines.slice(1, -1).filter((l) => !/^ {2}\d+% of \d+ MB$/.test(l))).toEqual([]);
    expect(lines.at(-1)).toBe(`Electron ${VERSION} is ready.`);
    // Not built yet: nothing is fetched (the window would have nothing to show).
    const unbuilt = await electronPackage('unbuilt');
    requests = [];
    expect(await desktopForStart('/app/main.js', false, { write: () => undefined }, unbuilt)).toMatchObject({ available: false });
    expect(requests).toEqual([]);
  });

  it.each([
    ['the mirror has no such build', { missing: true }, /could not be fetched \(.*404/],
    ['the archive does not match its published checksum', { wrongChecksum: true }, /could not be fetched \(.*(checksum|sha)/i],
    ['the download stalls halfway', { stall: true }, /could not be fetched \(nothing arrived for 1 s\)/],
  ])('says why in one sentence and installs nothing when %s', async (_what, opts, why) => {
    await serve(opts);
    const dir = await electronPackage(`failed-${Object.keys(opts)[0]}`);
    const outcome = await fetchElectron(dir, () => undefined, 1_000);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.why).toMatch(new RegExp(`^Electron ${VERSION.replace(/\./g, '\\.')} `));
    expect(outcome.why).toMatch(why);
    expect(outcome.why).not.toContain('\n');
    expect(existsSync(join(dir, 'path.txt'))).toBe(false);
    expect(findElectron(dir)).toMatchObject({ available: false });
  });
});
