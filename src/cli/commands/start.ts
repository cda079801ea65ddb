// `npm start`: the desktop app where Electron's binary is installed, otherwise the headless engine.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export type DesktopAvailability = { available: true; binary: string } | { available: false; reason: string };

export function findElectron(): DesktopAvailability {
  const require = createRequire(import.meta.url);
  let binary: unknown;
  try {
    // The electron package exports the path of the binary its install step downloaded.
    binary = require('electron');
  } catch {
    return { available: false, reason: 'the electron package is not installed' };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    return { available: false, reason: "Electron's binary was not downloaded (no internet during npm install?)" };
  }
  return { available: true, binary };
}
