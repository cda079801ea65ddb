#!/usr/bin/env node
// Entry point for `shutterfind` / `npx shutterfind`: runs the compiled CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/src/cli/index.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('shutterfind: not built yet. Run `npm install` (it builds), or `npm run build`.\n');
  process.exit(1);
}
await import(cli);
