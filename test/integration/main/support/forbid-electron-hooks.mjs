// The ESM half of forbid-electron.mjs: a resolve hook that records and refuses `import 'electron'`.
import { appendFileSync } from 'node:fs';

let marker;

export function initialize(data) {
  marker = data.marker;
}

export async function resolve(specifier, context, next) {
  if (specifier === 'electron' || specifier.startsWith('electron/')) {
    appendFileSync(marker, `import '${specifier}'\n`);
    throw new Error(`the electron package was imported from plain Node (${specifier})`);
  }
  return next(specifier, context);
}
