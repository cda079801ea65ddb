// The `shutterfind` command.
import { Command } from 'commander';
import { dataDirLayout, resolveDataDir, SettingsError } from '../config/index.js';
import { DatabaseDamagedError, DataDirBusyError, isDatabaseDamage, NoDataError, UnknownEventError } from '../core/index.js';
import { COMMANDS, type CommandSpec } from './command-table.js';
import { appVersion, commandContext, type GlobalOptions } from './context.js';
import { exitAfterGrace } from './exit-guard.js';
import { dieWithLauncher } from './launcher-watch.js';
import { human, printJson, UserFacingError } from './output.js';

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option(
      '--data-dir <dir>',
      'where Shutterfind keeps its database and media (default: the OS app-data folder, or $SHUTTERFIND_DATA_DIR)',
    )
    .option('--json', 'print machine-readable JSON on stdout')
    .option('-v, --verbose', 'log debug detail');
}

function fail(err: unknown, opts: GlobalOptions): never {
  const json = Boolean(opts.json);
  // A damaged page met after opening (a query, not the open itself) says what to do all the same.
  if (isDatabaseDamage(err) && !(err instanceof DatabaseDamagedError)) {
    const dataDir = resolveDataDir(opts.dataDir);
    err = new DatabaseDamagedError(dataDirLayout(dataDir).database, dataDir, err as Error);
  }
  const known =
    err instanceof UserFacingError ||
    err instanceof DataDirBusyError ||
    err instanceof SettingsError ||
    err instanceof DatabaseDamagedError ||
    err instanceof NoDataError ||
    err instanceof UnknownEventError;
  const message = err instanceof Error ? err.message : String(err);
  if (json) printJson({ error: message });
  else process.stderr.write(human`shutterfind: ${message}\n`);
  if (!known && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof UserFacingError ? err.exitCode : 1);
}

/** Runs a command's body; any error is reported as `fail` does (and ends the process). */
async function guarded(opts: GlobalOptions, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    fail(err, opts);
  }
}

/** One row of the command table as a commander command: common options, one error path, --json or text. */
function register(program: Command, spec: CommandSpec): void {
  const words = spec.name.split(' ');
  let parent = program;
  for (const word of words.slice(0, -1)) {
    parent = parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(`${word} commands`);
  }
  let cmd = parent.command(words.at(-1)!).description(spec.description);
  for (const [syntax, description] of spec.arguments ?? []) cmd = cmd.argument(syntax, description);
  cmd = withCommonOptions(spec.options ? spec.options(cmd) : cmd);
  cmd.action(async (...received: unknown[]) => {
    // commander passes the arguments, then the options, then the command itself.
    const opts = received.at(-2) as GlobalOptions & Record<string, unknown>;
    const args = received.slice(0, -2) as string[];
    await guarded(opts, async () => {
      const logs = typeof spec.logs === 'function' ? spec.logs(opts) : spec.logs;
      const result = await spec.run(commandContext(opts, logs), opts, args);
      if (!result) return;
      if (opts.json) printJson(result.json);
      else if (result.human) process.stdout.write(`${result.human}\n`);
      if (result.exitCode) process.exitCode = result.exitCode;
    });
  });
}

export function buildProgram(): Command {
  const program = new Command('shutterfind')
    .description('Event photography on your laptop: hot folders, previews, faces and kiosks')
    .version(appVersion())
    // Options belong to the command they follow: `sync enroll --event E` is enroll's --event, not sync's.
    .enablePositionalOptions()
    .showHelpAfterError();
  for (const spec of COMMANDS) register(program, spec);
  program.commands.find((c) => c.name() === 'models')?.description('CLIP models for scene search (installed into the data dir)');
  return program;
}

dieWithLauncher();
await buildProgram().parseAsync(process.argv);
exitAfterGrace();
