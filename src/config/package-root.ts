import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file whose package.json is Shutterfind's. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'shutterfind') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Shutterfind's package.json above ${from}; the installation is incomplete.`);
    dir = parent;
  }
}
