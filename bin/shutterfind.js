#!/usr/bin/env node
// Entry point for `shutterfind` / `npx shutterfind`: runs the compiled CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/src/cli/index.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('shutterfind: not built yet. Run `npm install` (it builds), or `npm run build`.\n');
  process.exit(1);
}

// glibc gives every thread that allocates its own malloc arena (up to 8 per core); libvips'
// large image buffers then fragment across them and resident memory creeps up with every photo
// (the 2,000-photo burst benchmark: 550 MB with the default, 409 MB with two arenas). The
// allocator reads this only at process start, so the CLI starts itself again with it set.
const tuneAllocator = process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined;

if (!tuneAllocator) {
  await import(cli);
} else {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, MALLOC_ARENA_MAX: '2', SHUTTERFIND_LAUNCHER_PID: String(process.pid) },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    process.stderr.write(`shutterfind: could not start: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
