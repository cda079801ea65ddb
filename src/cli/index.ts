// The `shutterfind` command.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DataDirBusyError, runAsBackgroundWork } from '../core/index.js';
import { dataDirLayout, resolveDataDir, SettingsError } from '../config/index.js';
import { DatabaseDamagedError, isDatabaseDamage } from '../store/index.js';
import { formatBursts, formatRegroup, runListBursts, runRegroupBursts } from './commands/bursts.js';
import { formatFaces, runFaces, runVerify } from './commands/faces.js';
import { formatIngestSummary, runIngest } from './commands/ingest.js';
import { formatModels, queueSceneBackfill, runModelsAdd, runModelsList } from './commands/models.js';
import { formatPeople, formatRecluster, runPeople, runRecluster, runRenamePerson } from './commands/people.js';
import { formatSceneSearch, runSceneSearch } from './commands/scene-search.js';
import { formatSearch, runSearch } from './commands/search.js';
import { formatRepair, runRepair } from './commands/repair.js';
import { runRetry } from './commands/retry.js';
import { findElectron } from './commands/start.js';
import { formatStatus, runStatus } from './commands/status.js';
import { appVersion, commandContext, type GlobalOptions } from './context.js';
import { exitAfterGrace } from './exit-guard.js';
import { dieWithLauncher } from './launcher-watch.js';
import { human, printJson, UserFacingError } from './output.js';

const DEFAULT_EVENT = 'default';

/**
 * The local server (Fastify, TLS certificate generation, QR codes) loads only for the commands
 * that serve: it was ~250 ms of every other command's start, `status` and `ingest` included.
 */
const loadServe = () => import('./commands/serve.js');

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of 1 or more');
  return n;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where Shutterfind keeps its database and media (default: the OS app-data folder, or $SHUTTERFIND_DATA_DIR)')
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
  const known = err instanceof UserFacingError || err instanceof DataDirBusyError || err instanceof SettingsError || err instanceof DatabaseDamagedError;
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
      .addOption(new Option('--port <n>', 'HTTP port (0 picks a free one)').argParser(parsePort))
      .option('--lan', 'open the server to the venue network (kiosk tablets, phones) and print its address and QR code'),
  ).action(async (opts: GlobalOptions & { event: string; watch: string[]; port?: number; lan?: boolean }) => {
    await guarded(opts, async () => {
      await (await loadServe()).runServe(commandContext(opts, 'live'), { event: opts.event, watch: opts.watch, port: opts.port, lan: opts.lan });
    });
  });

  withCommonOptions(
    program
      .command('ingest')
      .description('import folders once and wait until every photo is processed')
      .argument('<dir...>', 'folders to import (searched recursively)')
      .requiredOption('--event <name>', 'event the photos belong to'),
  ).action(async (dirs: string[], opts: GlobalOptions & { event: string }) => {
    await guarded(opts, async () => {
      const summary = await runIngest(commandContext(opts, 'summary'), dirs, opts.event);
      if (opts.json) printJson(summary);
      else process.stdout.write(`${formatIngestSummary(summary)}\n`);
    });
  });

  withCommonOptions(
    program
      .command('status')
      .description("show an event's photos by state, queue depth, throughput and errors")
      .requiredOption('--event <name>', 'event to report on'),
  ).action(async (opts: GlobalOptions & { event: string }) => {
    await guarded(opts, async () => {
      const status = runStatus(commandContext(opts, 'none'), opts.event);
      if (opts.json) printJson(status);
      else process.stdout.write(`${formatStatus(status)}\n`);
    });
  });

  withCommonOptions(
    program
      .command('retry')
      .description("process an event's failed photos again (after fixing what the errors said)")
      .requiredOption('--event <name>', 'event whose failed photos to retry'),
  ).action(async (opts: GlobalOptions & { event: string }) => {
    await guarded(opts, async () => {
      const summary = await runRetry(commandContext(opts, 'summary'), opts.event);
      if (opts.json) printJson(summary);
      else {
        process.stdout.write(
          `Retried ${summary.requeued + summary.reexamined} photo(s): ${summary.ready} now ready, ${summary.stillFailed} still failed\n`,
        );
      }
    });
  });

  withCommonOptions(
    program
      .command('repair')
      .description('rescue a damaged database: copy everything still readable into a new one, keeping the damaged file beside it')
      .option('--force', 'rebuild the database even when SQLite finds no damage'),
  ).action(async (opts: GlobalOptions & { force?: boolean }) => {
    await guarded(opts, async () => {
      const report = await runRepair(commandContext(opts, 'summary'), { force: Boolean(opts.force) });
      if (opts.json) printJson(report);
      else process.stdout.write(`${formatRepair(report)}\n`);
    });
  });

  withCommonOptions(
    program.command('start').description('start the desktop app, or the headless engine where Electron is not installed'),
  ).action(async (opts: GlobalOptions) => {
    const desktop = findElectron();
    const why = desktop.available ? 'the desktop shell is not part of this version yet' : desktop.reason;
    process.stderr.write(human`Desktop window unavailable (${why}): running the headless engine (\`shutterfind serve\`) instead.\n`);
    await guarded(opts, async () => {
      await (await loadServe()).runServe(commandContext(opts, 'live'), { event: DEFAULT_EVENT, watch: [] });
    });
  });

  withCommonOptions(
    program
      .command('faces')
      .description('find the faces in image files (boxes, scores, quality; --embeddings for the 128-d vectors)')
      .argument('<image...>', 'image files')
      .option('--embeddings', 'include each face\'s L2-normalised 128-d embedding'),
  ).action(async (images: string[], opts: GlobalOptions & { embeddings?: boolean }) => {
    await guarded(opts, async () => {
      const report = await runFaces(commandContext(opts, 'none'), images, Boolean(opts.embeddings));
      if (opts.json) printJson(report);
      else process.stdout.write(`${formatFaces(report)}\n`);
      if (report.images.some((i) => i.error)) process.exitCode = 1;
    });
  });

  withCommonOptions(
    program
      .command('verify')
      .description('whether two photos show the same person (the main face of each)')
      .argument('<a>', 'first image')
      .argument('<b>', 'second image'),
  ).action(async (a: string, b: string, opts: GlobalOptions) => {
    await guarded(opts, async () => {
      const r = await runVerify(commandContext(opts, 'none'), a, b);
      if (opts.json) printJson(r);
      else process.stdout.write(`${r.verified ? 'Same person' : 'Different people'} (distance ${r.distance.toFixed(3)}, threshold ${r.threshold})\n`);
    });
  });

  withCommonOptions(
    program
      .command('search')
      .description("find an event's photos: of the person in a selfie, by a scene description, or like another photo")
      .requiredOption('--event <name>', 'event to search')
      .option('--selfie <image>', 'a photo with one clearly visible face')
      .option('--text <words>', 'describe the scene, e.g. "cake cutting" (needs a CLIP model: `shutterfind models add`)')
      .addOption(new Option('--like <photoId>', 'photos that look like this one').argParser(parsePositive))
      .addOption(new Option('--person <id>', "only this person's photos (ids from `shutterfind people`)").argParser(parsePositive))
      .addOption(new Option('--limit <n>', 'most photos to return').argParser(parsePositive).default(500))
      .option('--collapse-bursts', 'show one photo per burst of near-identical frames (its best frame), as the kiosk does'),
  ).action(async (opts: GlobalOptions & { event: string; selfie?: string; text?: string; like?: number; person?: number; limit: number; collapseBursts?: boolean }) => {
    await guarded(opts, async () => {
      const ctx = commandContext(opts, 'none');
      if (opts.text !== undefined || opts.like !== undefined) {
        const r = await runSceneSearch(ctx, opts.event, {
          limit: opts.limit,
          ...(opts.text !== undefined ? { text: opts.text } : {}),
          ...(opts.like !== undefined ? { like: opts.like } : {}),
          ...(opts.person !== undefined ? { person: opts.person } : {}),
          ...(opts.selfie !== undefined ? { selfie: opts.selfie } : {}),
          collapseBursts: Boolean(opts.collapseBursts),
        });
        if (opts.json) printJson(r);
        else process.stdout.write(`${formatSceneSearch(r)}\n`);
      } else if (opts.selfie !== undefined) {
        const r = await runSearch(ctx, opts.event, opts.selfie, opts.limit, opts.collapseBursts ? 'burst' : 'photo');
        if (opts.json) printJson(r);
        else process.stdout.write(`${formatSearch(r)}\n`);
      } else {
        throw new UserFacingError('Give --selfie IMG, --text "..." or --like PHOTO_ID.', 2);
      }
    });
  });

  withCommonOptions(
    program
      .command('people')
      .description("list an event's persons (face clusters) with face and photo counts")
      .requiredOption('--event <name>', 'event to list'),
  ).action(async (opts: GlobalOptions & { event: string }) => {
    await guarded(opts, async () => {
      const report = runPeople(commandContext(opts, 'none'), opts.event);
      if (opts.json) printJson(report);
      else process.stdout.write(`${formatPeople(report)}\n`);
    });
  });

  withCommonOptions(
    program
      .command('recluster')
      .description("group all of an event's faces into persons again, keeping ids and names where the faces are the same")
      .requiredOption('--event <name>', 'event to re-cluster'),
  ).action(async (opts: GlobalOptions & { event: string }) => {
    await guarded(opts, async () => {
      // Seconds to minutes on every core: a serve on this laptop (ingest, kiosks) goes first.
      runAsBackgroundWork();
      const summary = await runRecluster(commandContext(opts, 'summary'), opts.event);
      if (opts.json) printJson(summary);
      else process.stdout.write(`${formatRecluster(summary)}\n`);
    });
  });

  withCommonOptions(
    program
      .command('rename-person')
      .description('give a person a name (an empty name clears it)')
      .requiredOption('--event <name>', 'event the person belongs to')
      .requiredOption('--person <id>', 'person id, as `shutterfind people` lists it', parsePositive)
      .requiredOption('--name <name>', 'the name to show'),
  ).action(async (opts: GlobalOptions & { event: string; person: number; name: string }) => {
    await guarded(opts, async () => {
      const result = runRenamePerson(commandContext(opts, 'none'), opts.event, opts.person, opts.name);
      if (opts.json) printJson(result);
      else process.stdout.write(human`Person #${result.person.id} in "${result.event}" is now ${result.person.name ?? 'unnamed'}\n`);
    });
  });

  withCommonOptions(
    program
      .command('bursts')
      .description("list an event's bursts of near-identical frames and the frame shown for each")
      .requiredOption('--event <name>', 'event to look at')
      .option('--regroup', 'group the whole event into bursts again first'),
  ).action(async (opts: GlobalOptions & { event: string; regroup?: boolean }) => {
    await guarded(opts, async () => {
      const ctx = commandContext(opts, opts.regroup ? 'summary' : 'none');
      if (opts.regroup) {
        const summary = await runRegroupBursts(ctx, opts.event);
        if (!opts.json) process.stdout.write(`${formatRegroup(summary)}\n`);
      }
      const r = await runListBursts(ctx, opts.event);
      if (opts.json) printJson(r);
      else process.stdout.write(`${formatBursts(r)}\n`);
    });
  });

  const models = program.command('models').description('CLIP models for scene search (installed into the data dir)');

  withCommonOptions(
    models
      .command('add')
      .description('install a CLIP model from a folder or a base URL, after checking its files, tensors and tokenizer')
      .argument('<source>', 'folder or http(s) base URL holding vision_model.onnx, text_model.onnx and tokenizer files')
      .option('--name <name>', 'name to install it under (default: the folder or URL name)'),
  ).action(async (source: string, opts: GlobalOptions & { name?: string }) => {
    await guarded(opts, async () => {
      const ctx = commandContext(opts, 'none');
      const report = await runModelsAdd(ctx, source, opts.name);
      const queued = queueSceneBackfill(ctx);
      if (opts.json) printJson({ ...report, backfillQueued: queued });
      else {
        process.stdout.write(`${formatModels(report)}\n`);
        if (queued) process.stdout.write(`${queued} earlier photo(s) queued for scene search: a running \`serve\` takes the model up within seconds and embeds them in the background (or the next \`serve\`/\`ingest\`).\n`);
      }
    });
  });

  withCommonOptions(models.command('list').description('list installed CLIP models (* = the active one)')).action(async (opts: GlobalOptions) => {
    await guarded(opts, async () => {
      const report = runModelsList(commandContext(opts, 'none'));
      if (opts.json) printJson(report);
      else process.stdout.write(`${formatModels(report)}\n`);
    });
  });

  return program;
}

dieWithLauncher();
await buildProgram().parseAsync(process.argv);
exitAfterGrace();
