// `npm start`: the desktop app where Electron's binary is on disk, otherwise the headless engine.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type DesktopAvailability = { available: true; binary: string } | { available: false; reason: string };

/**
 * Where Electron's binary is, without loading the `electron` package: since Electron 42 its
 * index.js downloads the ~100 MB binary as a side effect of loading the package. The package
 * records the binary's path relative to its dist/ folder in path.txt once it has been fetched.
 */
export function findElectron(): DesktopAvailability {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { available: false, reason: 'the electron package is not installed' };
  }
  let relative: string;
  try {
    relative = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim();
  } catch {
    return { available: false, reason: "Electron's binary has not been fetched yet" };
  }
  const binary = join(packageDir, 'dist', relative);
  return existsSync(binary) ? { available: true, binary } : { available: false, reason: `Electron's binary is missing (${binary})` };
}
