// The `shutterfind` command.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DataDirBusyError } from '../core/index.js';
import { SettingsError } from '../config/index.js';
import { formatIngestSummary, runIngest } from './commands/ingest.js';
import { runRetry } from './commands/retry.js';
import { runServe } from './commands/serve.js';
import { findElectron } from './commands/start.js';
import { formatStatus, runStatus } from './commands/status.js';
import { appVersion, commandContext, type GlobalOptions } from './context.js';
import { dieWithLauncher } from './launcher-watch.js';
import { printJson, UserFacingError } from './output.js';

const DEFAULT_EVENT = 'default';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where Shutterfind keeps its database and media (default: the OS app-data folder, or $SHUTTERFIND_DATA_DIR)')
    .option('--json', 'print machine-readable JSON on stdout')
    .option('-v, --verbose', 'log debug detail');
}

function fail(err: unknown, json: boolean): never {
  const known = err instanceof UserFacingError || err instanceof DataDirBusyError || err instanceof SettingsError;
  const message = err instanceof Error ? err.message : String(err);
  if (json) printJson({ error: message });
  else process.stderr.write(`shutterfind: ${message}\n`);
  if (!known && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof UserFacingError ? err.exitCode : 1);
}

export function buildProgram(): Command {
  const program = new Command('shutterfind')
    .description('Event photography on your laptop: hot folders, previews, faces and kiosks')
    .version(appVersion())
    .showHelpAfterError();

  withCommonOptions(
    program
      .command('serve')
      .description('watch hot folders, process photos as they land, and serve the local API')
      .option('--event <name>', 'event the photos belong to', DEFAULT_EVENT)
      .option('--watch <dir>', 'a folder the camera tool writes into (repeatable)', collect, [])
      .addOption(new Option('--port <n>', 'HTTP port').argParser(parsePort)),
  ).action(async (opts: GlobalOptions & { event: string; watch: string[]; port?: number }) => {
    try {
      await runServe(commandContext(opts, 'live'), { event: opts.event, watch: opts.watch, port: opts.port });
    } catch (err) {
      fail(err, Boolean(opts.json));
    }
  });

  withCommonOptions(
    program
      .command('ingest')
      .description('import folders once and wait until every photo is processed')
      .argument('<dir...>', 'folders to import (searched recursively)')
      .requiredOption('--event <name>', 'event the photos belong to'),
  ).action(async (dirs: string[], opts: GlobalOptions & { event: string }) => {
    try {
      const summary = await runIngest(commandContext(opts, 'summary'), dirs, opts.event);
      if (opts.json) printJson(summary);
      else process.stdout.write(`${formatIngestSummary(summary)}\n`);
    } catch (err) {
      fail(err, Boolean(opts.json));
    }
  });

  withCommonOptions(
    program
      .command('status')
      .description("show an event's photos by state, queue depth, throughput and errors")
      .requiredOption('--event <name>', 'event to report on'),
  ).action((opts: GlobalOptions & { event: string }) => {
    try {
      const status = runStatus(commandContext(opts, 'none'), opts.event);
      if (opts.json) printJson(status);
      else process.stdout.write(`${formatStatus(status)}\n`);
    } catch (err) {
      fail(err, Boolean(opts.json));
    }
  });

  withCommonOptions(
    program
      .command('retry')
      .description("process an event's failed photos again (after fixing what the errors said)")
      .requiredOption('--event <name>', 'event whose failed photos to retry'),
  ).action(async (opts: GlobalOptions & { event: string }) => {
    try {
      const summary = await runRetry(commandContext(opts, 'summary'), opts.event);
      if (opts.json) printJson(summary);
      else {
        process.stdout.write(
          `Retried ${summary.requeued + summary.reexamined} photo(s): ${summary.ready} now ready, ${summary.stillFailed} still failed\n`,
        );
      }
    } catch (err) {
      fail(err, Boolean(opts.json));
    }
  });

  withCommonOptions(
    program.command('start').description('start the desktop app, or the headless engine where Electron is not installed'),
  ).action(async (opts: GlobalOptions) => {
    const desktop = findElectron();
    const why = desktop.available ? 'the desktop shell is not part of this version yet' : desktop.reason;
    process.stderr.write(`Desktop window unavailable (${why}): running the headless engine (\`shutterfind serve\`) instead.\n`);
    try {
      await runServe(commandContext(opts, 'live'), { event: DEFAULT_EVENT, watch: [] });
    } catch (err) {
      fail(err, Boolean(opts.json));
    }
  });

  return program;
}

dieWithLauncher();
await buildProgram().parseAsync(process.argv);
