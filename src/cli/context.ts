// What every command needs: the data dir, a logger, and a way to fail cleanly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirLayout, resolveDataDir } from '../config/index.js';
import { createLogger, type Logger } from '../core/logger.js';
import { packageRoot } from '../pipeline/index.js';

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

export function commandContext(opts: GlobalOptions, terminalLogs: boolean): CommandContext {
  const dataDir = resolveDataDir(opts.dataDir);
  const json = Boolean(opts.json);
  const log = createLogger({
    logDir: dataDirLayout(dataDir).logs,
    // In --json mode only warnings reach stderr, so a script's stdout stays pure JSON.
    terminal: terminalLogs ? 'stderr' : 'none',
    level: opts.verbose ? 'debug' : json ? 'warn' : 'info',
  });
  return { dataDir, json, log };
}

export function appVersion(): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return version;
}
