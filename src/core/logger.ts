// Structured logs: one JSON object per line in <data-dir>/logs, readable text on a terminal.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface LoggerOptions {
  logDir: string | null;
  /** Where readable lines go: stderr keeps stdout clean for --json output. */
  terminal: 'stderr' | 'none';
  level?: pino.Level;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  const streams: pino.StreamEntry[] = [];
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    const file = join(options.logDir, 'shutterfind.log');
    const destination = pino.destination({ dest: file, sync: false });
    let warned = false;
    // A full data drive must not take the app down through its own log file.
    destination.on('error', (err: Error) => {
      if (warned) return;
      warned = true;
      process.stderr.write(`shutterfind: cannot write the log file ${file}: ${err.message}\n`);
    });
    streams.push({ level: 'debug', stream: destination });
  }
  if (options.terminal === 'stderr') {
    streams.push({
      level,
      stream: pretty({ destination: 2, colorize: process.stderr.isTTY, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', sync: true }),
    });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  return pino({ level: 'debug', base: { pid: process.pid } }, pino.multistream(streams));
}
