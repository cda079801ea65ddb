// Loaded with NODE_OPTIONS=--import: records and refuses any load of the `electron` package,
// by require() or import. Since Electron 42 loading it starts a ~100 MB download, so plain Node
// (the CLI, `npm start` without the binary) must never load it; only resolving its path is fine.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const marker = process.env.SHUTTERFIND_ELECTRON_LOADS;
const isElectron = (request) => request === 'electron' || request.startsWith('electron/');

const originalLoad = Module._load;
Module._load = function load(request, ...rest) {
  if (isElectron(request)) {
    appendFileSync(marker, `require('${request}')\n`);
    throw new Error(`the electron package was required from plain Node (${request})`);
  }
  return originalLoad.call(this, request, ...rest);
};

register('./forbid-electron-hooks.mjs', import.meta.url, { data: { marker } });
