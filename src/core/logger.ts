// Structured logs: one JSON object per line in <data-dir>/logs, readable text on a terminal.
import { mkdirSync, openSync } from 'node:fs';
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

/** The log file's descriptor, or null (with a warning) when it cannot be opened: logging to the terminal still works. */
function openLogFile(dir: string, file: string): number | null {
  try {
    mkdirSync(dir, { recursive: true });
    return openSync(file, 'a');
  } catch (err) {
    process.stderr.write(`shutterfind: cannot open the log file ${file} (${(err as Error).message}); logging to the terminal only\n`);
    return null;
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  const streams: pino.StreamEntry[] = [];
  if (options.logDir) {
    const file = join(options.logDir, 'shutterfind.log');
    const fd = openLogFile(options.logDir, file);
    if (fd !== null) {
      // Opened here, synchronously: given a path, sonic-boom opens the file in the background,
      // and a command failing within milliseconds crashed in pino's exit flush ("sonic boom is
      // not ready yet") after printing its own message.
      const destination = pino.destination({ dest: fd, sync: false });
      let warned = false;
      // A full data drive must not take the app down through its own log file.
      destination.on('error', (err: Error) => {
        if (warned) return;
        warned = true;
        process.stderr.write(`shutterfind: cannot write the log file ${file}: ${err.message}\n`);
      });
      streams.push({ level: 'debug', stream: destination });
    }
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
