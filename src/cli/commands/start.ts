// `npm start`: the desktop app where Electron's binary is on disk, otherwise the headless engine.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../config/index.js';
import { describeProgress, fetchElectron, type FetchProgress } from './electron-fetch.js';

export type DesktopAvailability =
  | { available: true; binary: string }
  /** `fetchable`: the electron package (node_modules/electron) is there, its binary not yet: fetchElectron can get it. */
  | { available: false; reason: string; fetchable?: string };

/**
 * Where Electron's binary is, without loading the `electron` package: since Electron 42 its
 * index.js downloads the ~100 MB binary as a side effect of loading the package. The package
 * records the binary's path relative to its dist/ folder in path.txt once it has been fetched.
 */
export function findElectron(packageDir: string | null = electronPackageDir()): DesktopAvailability {
  if (packageDir === null) return { available: false, reason: 'the electron package is not installed' };
  let relative: string;
  try {
    relative = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim();
  } catch {
    return {
      available: false,
      reason: "Electron's binary has not been fetched yet (`npx install-electron` fetches it)",
      fetchable: packageDir,
    };
  }
  const binary = join(packageDir, 'dist', relative);
  return existsSync(binary)
    ? { available: true, binary }
    : { available: false, reason: `Electron's binary is missing (${binary})`, fetchable: packageDir };
}

/** node_modules/electron, found without loading it; null when it is not installed. */
export function electronPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * Electron's binary for `npm start`: when the electron package is installed and the app built but
 * the binary was never fetched, it is fetched now, once, saying so with its progress on stderr;
 * a machine offline gets the reason instead, for the one fallback line (nothing is printed before
 * the first byte arrives, so offline `npm start` stays one line).
 */
export async function desktopForStart(
  main: string,
  mainBuilt: boolean,
  out: { write(text: string): unknown; isTTY?: boolean } = process.stderr,
  packageDir: string | null = electronPackageDir(),
): Promise<DesktopAvailability> {
  const found = findElectron(packageDir);
  if (found.available || !found.fetchable || !mainBuilt) return found;
  let shown = -1;
  const onProgress = (p: FetchProgress) => {
    // A terminal gets a line redrawn at each percent; a log gets a line every 10%.
    const step = out.isTTY ? 1 : 10;
    const percent = p.total ? Math.floor((p.transferred / p.total) * 100) : 0;
    if (shown === -1) out.write('Fetching Electron for the desktop window (once, about 100 MB)…\n');
    if (percent < shown + step && shown !== -1) return;
    shown = percent;
    out.write(out.isTTY ? `\r  ${describeProgress(p)}   ` : `  ${describeProgress(p)}\n`);
  };
  const outcome = await fetchElectron(found.fetchable, onProgress);
  if (shown !== -1 && out.isTTY) out.write('\n');
  if (!outcome.ok) return { available: false, reason: `${outcome.why}; \`npx install-electron\` tries again` };
  out.write(`Electron ${outcome.version} is ready.\n`);
  return findElectron(found.fetchable);
}

/** The desktop app's main process, built by `npm run build` (src/main/tsconfig.json). */
export function desktopMainScript(root: string = packageRoot()): string {
  return join(root, 'dist', 'src', 'main', 'main.js');
}

export type StartPlan = { run: 'desktop'; binary: string; main: string } | { run: 'headless'; why: string };

export function planStart(desktop: DesktopAvailability, main: string, mainBuilt: boolean): StartPlan {
  if (!desktop.available) return { run: 'headless', why: desktop.reason };
  if (!mainBuilt) return { run: 'headless', why: `the desktop app is not built (${main} is missing: run \`npm run build\`)` };
  return { run: 'desktop', binary: desktop.binary, main };
}

/**
 * Runs the desktop app and waits for it to quit. SHUTTERFIND_NODE tells it which Node runs the
 * engine from a checkout: native modules here are built for Node's ABI, not Electron's.
 */
export function runDesktop(binary: string, main: string): Promise<number> {
  const child = spawn(binary, [main], { stdio: 'inherit', env: { ...process.env, SHUTTERFIND_NODE: process.execPath } });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`Could not start the desktop app (${binary}): ${err.message}`)));
    child.on('exit', (code, signal) => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
