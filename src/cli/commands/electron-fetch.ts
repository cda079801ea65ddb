// Fetching Electron's binary once, for `npm start` on a machine that never had it: since Electron
// 42, `npm install electron` downloads nothing, and loading the package would start a silent
// ~100 MB download. Here the download goes through @electron/get (the library Electron's own
// installer uses, with the same cache, mirror settings and the package's own checksums), with
// progress shown to the photographer; then Electron's own installer (its install.js, run as a
// child) finds the archive in that cache and unpacks it where the package expects it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FetchProgress {
  /** Bytes received so far. */
  transferred: number;
  /** Size of the archive, when the server said it. */
  total: number | null;
}

/**
 * A download that receives nothing for this long is given up (a venue's captive portal or a
 * stalled Wi-Fi would otherwise hold `npm start` for ever); a slow one that keeps moving is not.
 */
export const STALL_MS = 60_000;

export type FetchOutcome = { ok: true; version: string } | { ok: false; why: string };

/** The first line of an error, without its stack: what the photographer reads in the fallback line. */
const oneLine = (text: string): string =>
  text
    .split('\n')
    .find((l) => l.trim())
    ?.trim() ?? 'no reason given';

/**
 * Downloads (or takes from @electron/get's cache) the Electron build for this machine and unpacks
 * it into `packageDir` (node_modules/electron). Never throws: a machine offline gets `ok: false`
 * with one sentence, and nothing half-unpacked (the installer writes path.txt last).
 */
export async function fetchElectron(
  packageDir: string,
  onProgress: (p: FetchProgress) => void,
  stallMs: number = STALL_MS,
): Promise<FetchOutcome> {
  let version = 'unknown';
  const stalled = new AbortController();
  let stallTimer: NodeJS.Timeout | null = null;
  const moving = () => {
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stalled.abort(new Error(`nothing arrived for ${Math.round(stallMs / 1000)} s`)), stallMs);
  };
  try {
    moving();
    version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
    const checksums = JSON.parse(readFileSync(join(packageDir, 'checksums.json'), 'utf8')) as Record<string, string>;
    const { downloadArtifact } = await import('@electron/get');
    // The same choices as Electron's install.js, so its own run below finds the archive cached.
    const remoteChecksums = Boolean(
      process.env['electron_use_remote_checksums'] || process.env['npm_config_electron_use_remote_checksums'],
    );
    await downloadArtifact({
      version,
      artifactName: 'electron',
      platform: process.env['ELECTRON_INSTALL_PLATFORM'] || process.env['npm_config_platform'] || process.platform,
      arch: process.env['ELECTRON_INSTALL_ARCH'] || process.env['npm_config_arch'] || process.arch,
      ...(process.env['electron_config_cache'] ? { cacheRoot: process.env['electron_config_cache'] } : {}),
      ...(remoteChecksums ? {} : { checksums }),
      downloadOptions: {
        quiet: true,
        signal: stalled.signal,
        getProgressCallback: async (p: { transferred: number; total: number | null }) => {
          moving();
          onProgress({ transferred: p.transferred, total: p.total });
        },
      },
    });
  } catch (err) {
    const reason = stalled.signal.aborted ? String((stalled.signal.reason as Error).message) : describeError(err);
    return { ok: false, why: `Electron ${version} could not be fetched (${oneLine(reason)})` };
  } finally {
    if (stallTimer) clearTimeout(stallTimer);
  }
  const unpacked = await runInstaller(packageDir);
  return unpacked === null ? { ok: true, version } : { ok: false, why: `Electron ${version} could not be unpacked (${unpacked})` };
}

/** Node's fetch says only "fetch failed": its cause says what (ENOTFOUND github.com, ECONNREFUSED…). */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; hostname?: string; message?: string } | undefined;
  if (!cause) return err.message;
  const detail = [cause.code, cause.hostname].filter(Boolean).join(' ') || cause.message;
  return detail ? `${err.message}: ${detail}` : err.message;
}

/** Electron's own installer, from the cache filled above: null when it succeeded, else its last words. */
function runInstaller(packageDir: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageDir, 'install.js')], {
      cwd: packageDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ELECTRON_GET_NO_PROGRESS: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (code) => resolve(code === 0 ? null : oneLine(stderr || `its installer exited with code ${code}`)));
  });
}

/** "37% of 98 MB" (or "12 MB" when the size is not known). */
export function describeProgress(p: FetchProgress): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
  return p.total ? `${Math.floor((p.transferred / p.total) * 100)}% of ${mb(p.total)}` : mb(p.transferred);
}
