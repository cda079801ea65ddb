// What every command needs: the data dir, a logger, and a way to fail cleanly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLogger, type Logger } from '../core/index.js';
import { dataDirLayout, packageRoot, resolveDataDir } from '../config/index.js';

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface CommandContext {
  dataDir: string;
  json: boolean;
  log: Logger;
}

/**
 * 'live': a long-running command whose warnings are news (serve). 'summary': a command that
 * lists every failed file at the end anyway (ingest, retry), so the terminal shows only errors
 * and the progress bar is not torn up by per-file warnings. 'none': read-only commands.
 */
export type TerminalLogs = 'live' | 'summary' | 'none';

export function commandContext(opts: GlobalOptions, terminal: TerminalLogs): CommandContext {
  const dataDir = resolveDataDir(opts.dataDir);
  const json = Boolean(opts.json);
  const log = createLogger({
    logDir: dataDirLayout(dataDir).logs,
    terminal: terminal === 'none' ? 'none' : 'stderr',
    // In --json mode only warnings reach stderr, so a script's stdout stays pure JSON.
    level: opts.verbose ? 'debug' : terminal === 'summary' ? 'error' : json ? 'warn' : 'info',
  });
  return { dataDir, json, log };
}

export function appVersion(): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return version;
}
