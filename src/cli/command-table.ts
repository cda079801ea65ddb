// Every `shutterfind` command in one table: its arguments and options, how much it logs on the
// terminal, what it runs and how its result reads. cli/index.ts turns each row into a commander
// command with the common options (--data-dir, --json, --verbose) and one error path.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runAsBackgroundWork } from '../core/index.js';
import { formatExport, runExport } from './commands/export.js';
import { formatBursts, formatRegroup, runListBursts, runRegroupBursts } from './commands/bursts.js';
import { CLOUD_COMMANDS } from './commands/cloud.js';
import { formatFaces, runFaces, runVerify } from './commands/faces.js';
import { formatIngestSummary, runIngest } from './commands/ingest.js';
import { formatModels, queueSceneBackfill, runModelsAdd, runModelsList } from './commands/models.js';
import { formatPeople, formatRecluster, runPeople, runRecluster, runRenamePerson } from './commands/people.js';
import { formatRepair, runRepair } from './commands/repair.js';
import { formatSceneSearch, runSceneSearch } from './commands/scene-search.js';
import { formatSearch, runSearch } from './commands/search.js';
import { desktopForStart, desktopMainScript, planStart, runDesktop } from './commands/start.js';
import { formatStatus, runStatus } from './commands/status.js';
import { formatSync, formatSyncEnroll, runSyncEnroll, runSyncOnce } from './commands/sync.js';
import { formatRetry, runRetry } from './commands/retry.js';
import { formatReprocess, runReprocess } from './commands/reprocess.js';
import { formatMark, formatRecords, recordsCsv, runDoNotPublish, runPublish, runRecords } from './commands/records.js';
import type { PhotoStage } from '../core/index.js';
import type { CommandContext, TerminalLogs } from './context.js';
import { human, UserFacingError } from './output.js';

export const DEFAULT_EVENT = 'default';

/**
 * The local server (Fastify, TLS certificate generation, QR codes) loads only for the commands
 * that serve: it was ~250 ms of every other command's start, `status` and `ingest` included.
 */
const loadServe = () => import('./commands/serve.js');

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of 1 or more');
  return n;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** What a command printed: `human` for the terminal, `json` for --json; `exitCode` when it partly failed. */
export interface CommandResult {
  json: unknown;
  human?: string;
  exitCode?: number;
}

type Options = Record<string, unknown>;

export interface CommandSpec {
  /** Space-separated for a subcommand ("models add"). */
  name: string;
  description: string;
  /** Commander argument syntax with its description, e.g. ['<dir...>', 'folders to import']. */
  arguments?: [string, string][];
  options?: (cmd: Command) => Command;
  /** See TerminalLogs; a function when it depends on the options. */
  logs: TerminalLogs | ((opts: Options) => TerminalLogs);
  run(ctx: CommandContext, opts: Options, args: string[]): Promise<CommandResult | void>;
}

const shown = <T>(json: T, format: (r: T) => string): CommandResult => ({ json, human: format(json) });
const eventOption = (what: string) => (cmd: Command) => cmd.requiredOption('--event <name>', what);
const str = (v: unknown): string => v as string;

export const COMMANDS: CommandSpec[] = [
  {
    name: 'serve',
    description: 'watch hot folders, process photos as they land, and serve the local API',
    options: (cmd) =>
      cmd
        .option('--event <name>', 'event the photos belong to', DEFAULT_EVENT)
        .option('--watch <dir>', 'a folder the camera tool writes into (repeatable)', collect, [])
        .addOption(new Option('--port <n>', 'HTTP port (0 picks a free one)').argParser(parsePort))
        .option('--lan', 'open the server to the venue network (kiosk tablets, phones) and print its address and QR code'),
    logs: 'live',
    run: async (ctx, o) => {
      await (
        await loadServe()
      ).runServe(ctx, {
        event: str(o.event),
        watch: o.watch as string[],
        port: o.port as number | undefined,
        lan: o.lan as boolean | undefined,
      });
    },
  },
  {
    name: 'ingest',
    description: 'import folders once and wait until every photo is processed',
    arguments: [['<dir...>', 'folders to import (searched recursively)']],
    options: eventOption('event the photos belong to'),
    logs: 'summary',
    run: async (ctx, o, [dirs]) => shown(await runIngest(ctx, dirs as unknown as string[], str(o.event)), formatIngestSummary),
  },
  {
    name: 'status',
    description: "show an event's photos by state, queue depth, throughput and errors",
    options: eventOption('event to report on'),
    logs: 'none',
    run: async (ctx, o) => shown(await runStatus(ctx, str(o.event)), formatStatus),
  },
  {
    name: 'retry',
    description: "process an event's failed photos again (after fixing what the errors said)",
    options: eventOption('event whose failed photos to retry'),
    logs: 'summary',
    run: async (ctx, o) => shown(await runRetry(ctx, str(o.event)), formatRetry),
  },
  {
    name: 'reprocess',
    description:
      'run one stage again for every photo of an event (after a model or threshold change); photos keep their other results and stay ready',
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event whose photos to process again')
        .addOption(
          new Option(
            '--stage <stage>',
            'previews (previews, thumbnail, metadata), faces (find and describe faces) or scene (scene-search embedding)',
          )
            .choices(['previews', 'faces', 'scene'])
            .makeOptionMandatory(),
        ),
    logs: 'summary',
    run: async (ctx, o) => shown(await runReprocess(ctx, { event: str(o.event), stage: o.stage as PhotoStage }), formatReprocess),
  },
  {
    name: 'repair',
    description:
      'rescue a damaged database (copy everything still readable into a new one, keeping the damaged file beside it) and make RAW+JPEG captures stored as two photos one',
    options: (cmd) => cmd.option('--force', 'rebuild the database even when SQLite finds no damage'),
    logs: 'summary',
    run: async (ctx, o) => shown(await runRepair(ctx, { force: Boolean(o.force) }), formatRepair),
  },
  {
    name: 'start',
    description: 'start the desktop app, or the headless engine where Electron is not installed',
    logs: 'live',
    run: async (ctx) => {
      const main = desktopMainScript();
      const plan = planStart(await desktopForStart(main, existsSync(main)), main, existsSync(main));
      if (plan.run === 'desktop') {
        const exitCode = await runDesktop(plan.binary, plan.main);
        return { json: { desktop: 'closed', exitCode }, exitCode };
      }
      process.stderr.write(human`Desktop window unavailable (${plan.why}): running the headless engine (\`shutterfind serve\`) instead.\n`);
      await (await loadServe()).runServe(ctx, { event: DEFAULT_EVENT, watch: [] });
    },
  },
  {
    name: 'faces',
    description: 'find the faces in image files (boxes, scores, quality; --embeddings for the 128-d vectors)',
    arguments: [['<image...>', 'image files']],
    options: (cmd) => cmd.option('--embeddings', "include each face's L2-normalised 128-d embedding"),
    logs: 'none',
    run: async (ctx, o, [images]) => {
      const report = await runFaces(ctx, images as unknown as string[], Boolean(o.embeddings));
      return { ...shown(report, formatFaces), ...(report.images.some((i) => i.error) ? { exitCode: 1 } : {}) };
    },
  },
  {
    name: 'verify',
    description: 'whether two photos show the same person (the main face of each)',
    arguments: [
      ['<a>', 'first image'],
      ['<b>', 'second image'],
    ],
    logs: 'none',
    run: async (ctx, _o, [a, b]) =>
      shown(
        await runVerify(ctx, str(a), str(b)),
        (r) => `${r.verified ? 'Same person' : 'Different people'} (distance ${r.distance.toFixed(3)}, threshold ${r.threshold})`,
      ),
  },
  {
    name: 'search',
    description: "find an event's photos: of the person in a selfie, by a scene description, or like another photo",
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event to search')
        .option('--selfie <image>', 'a photo with one clearly visible face')
        .option('--text <words>', 'describe the scene, e.g. "cake cutting" (needs a CLIP model: `shutterfind models add`)')
        .addOption(new Option('--like <photoId>', 'photos that look like this one').argParser(parsePositive))
        .addOption(new Option('--person <id>', "only this person's photos (ids from `shutterfind people`)").argParser(parsePositive))
        .addOption(new Option('--limit <n>', 'most photos to return').argParser(parsePositive).default(500))
        .option('--collapse-bursts', 'show one photo per burst of near-identical frames (its best frame)'),
    logs: 'none',
    run: async (ctx, o) => {
      const limit = o.limit as number;
      if (o.text !== undefined || o.like !== undefined) {
        const r = await runSceneSearch(ctx, str(o.event), {
          limit,
          ...(o.text !== undefined ? { text: str(o.text) } : {}),
          ...(o.like !== undefined ? { like: o.like as number } : {}),
          ...(o.person !== undefined ? { person: o.person as number } : {}),
          ...(o.selfie !== undefined ? { selfie: str(o.selfie) } : {}),
          collapseBursts: Boolean(o.collapseBursts),
        });
        return shown(r, formatSceneSearch);
      }
      if (o.selfie === undefined) throw new UserFacingError('Give --selfie IMG, --text "..." or --like PHOTO_ID.', 2);
      return shown(await runSearch(ctx, str(o.event), str(o.selfie), limit, o.collapseBursts ? 'burst' : 'photo'), formatSearch);
    },
  },
  {
    name: 'people',
    description: "list an event's persons (face clusters) with face and photo counts",
    options: eventOption('event to list'),
    logs: 'none',
    run: async (ctx, o) => shown(await runPeople(ctx, str(o.event)), formatPeople),
  },
  {
    name: 'recluster',
    description: "group all of an event's faces into persons again, keeping ids and names where the faces are the same",
    options: eventOption('event to re-cluster'),
    logs: 'summary',
    run: async (ctx, o) => {
      // Seconds to minutes on every core: a serve on this laptop (ingest, kiosks) goes first.
      runAsBackgroundWork();
      return shown(await runRecluster(ctx, str(o.event)), formatRecluster);
    },
  },
  {
    name: 'rename-person',
    description: 'give a person a name (an empty name clears it)',
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event the person belongs to')
        .requiredOption('--person <id>', 'person id, as `shutterfind people` lists it', parsePositive)
        .requiredOption('--name <name>', 'the name to show'),
    logs: 'none',
    run: async (ctx, o) =>
      shown(
        await runRenamePerson(ctx, str(o.event), o.person as number, str(o.name)),
        (r) => human`Person #${r.person.id} in "${r.event}" is now ${r.person.name ?? 'unnamed'}`,
      ),
  },
  {
    name: 'do-not-publish',
    description: "don't publish a person: their face is blurred in galleries, the kiosk, exports and ZIPs, in later photos too",
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event the person belongs to')
        .requiredOption('--person <id>', 'person id, as `shutterfind people` lists it', parsePositive)
        .option('--note <text>', 'why, for the record (e.g. "asked by email")'),
    logs: 'none',
    run: async (ctx, o) =>
      shown(await runDoNotPublish(ctx, str(o.event), o.person as number, o.note === undefined ? null : str(o.note)), formatMark),
  },
  {
    name: 'publish',
    description: 'publish a person again after "do-not-publish" (the opt-out stays on record as revoked)',
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event the person belongs to')
        .requiredOption('--person <id>', 'person id, as `shutterfind people` lists it', parsePositive)
        .option('--reason <text>', 'why, for the record'),
    logs: 'none',
    run: async (ctx, o) =>
      shown(await runPublish(ctx, str(o.event), o.person as number, o.reason === undefined ? null : str(o.reason)), formatMark),
  },
  {
    name: 'records',
    description:
      "the organiser's records: who asked not to be published (--opt-outs) or what went to which kiosk visit, with consent and contact (--deliveries)",
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event to report on')
        .option('--opt-outs', '"do not publish" records, revoked ones included (the default)')
        .option('--deliveries', 'kiosk visits: consent, photos taken home, deliveries, whether contact and selfie are kept')
        .option('--csv', 'CSV for a spreadsheet instead of text (redirect it to a file)'),
    logs: 'none',
    run: async (ctx, o) => {
      if (o.optOuts && o.deliveries) throw new UserFacingError('Give --opt-outs or --deliveries, not both.', 2);
      const r = await runRecords(ctx, str(o.event), o.deliveries ? 'deliveries' : 'opt-outs');
      return { json: r, human: o.csv ? recordsCsv(r).trimEnd() : formatRecords(r) };
    },
  },
  {
    name: 'bursts',
    description: "list an event's bursts of near-identical frames and the frame shown for each",
    options: (cmd) =>
      cmd.requiredOption('--event <name>', 'event to look at').option('--regroup', 'group the whole event into bursts again first'),
    logs: (o) => (o.regroup ? 'summary' : 'none'),
    run: async (ctx, o) => {
      const regrouped = o.regroup ? formatRegroup(await runRegroupBursts(ctx, str(o.event))) : null;
      const r = await runListBursts(ctx, str(o.event));
      return { json: r, human: [regrouped, formatBursts(r)].filter(Boolean).join('\n') };
    },
  },
  {
    name: 'export',
    description:
      'hand an event to its organiser: a folder per person (or a ZIP, or an offline HTML gallery), a manifest and XMP; run it again to complete an interrupted export',
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event to export')
        .requiredOption('--to <dir>', 'destination folder (a USB stick, a shared drive)')
        .addOption(new Option('--as <layout>', 'folders, zip or html').choices(['folders', 'zip', 'html']).default('folders'))
        .option('--people <ids or names>', 'only these people, comma-separated (ids or names from `shutterfind people`)')
        .option('--originals', 'the camera files (hard links where possible, copies otherwise; never modified), with .xmp sidecars')
        .option('--previews', 'the 2048 px JPEG previews, with XMP embedded (the default)')
        .option('--only-picks', 'only the best frame of each burst (and photos outside bursts)')
        .option('--named-only', 'no folder for people nobody has named yet')
        .option('--no-xmp', 'no XMP face regions, keywords or picks')
        .option(
          '--watermark [text]',
          "draw a watermark on every exported preview (the event's own text, or this one); originals stay untouched",
        )
        .option(
          '--accent <colour>',
          "the HTML gallery's accent colour (a CSS colour: #c2410c, rgb(…), a name); default: the console's Export → Gallery look",
        )
        .option('--background <colour>', "the HTML gallery's background colour; default: the console's Gallery look")
        .option('--logo <file>', "a PNG, JPEG, SVG or WebP logo shown at the top of the HTML gallery; default: the console's Gallery look"),
    logs: 'summary',
    run: async (ctx, o) => {
      if (o.originals && o.previews) throw new UserFacingError('Choose --originals or --previews, not both.', 2);
      const people =
        typeof o.people === 'string'
          ? o.people
              .split(',')
              .map((p) => p.trim())
              .filter(Boolean)
          : [];
      const report = await runExport(ctx, {
        event: str(o.event),
        to: str(o.to),
        as: o.as as 'folders' | 'zip' | 'html',
        files: o.originals ? 'originals' : 'previews',
        people,
        onlyPicks: Boolean(o.onlyPicks),
        unnamedPeople: !o.namedOnly,
        xmp: o.xmp !== false,
        branding: {
          ...(typeof o.accent === 'string' ? { accent: o.accent } : {}),
          ...(typeof o.background === 'string' ? { background: o.background } : {}),
          ...(typeof o.logo === 'string' ? { logo: resolve(o.logo) } : {}),
        },
        ...(o.watermark === true || typeof o.watermark === 'string' ? { watermark: o.watermark } : {}),
      });
      return shown(report, formatExport);
    },
  },
  {
    name: 'sync',
    description:
      'send an event to its cloud endpoint once (operations, then thumbnails, previews and originals when asked); exit 0 when all arrived',
    // Positional (as the program is): `sync enroll --event E` gives --event to enroll, not to this command.
    // Not a required option: commander checks a parent's required options for its subcommands too.
    options: (cmd) => cmd.enablePositionalOptions().option('--event <name>', 'event to sync (required)'),
    logs: 'summary',
    run: async (ctx, o) => {
      if (typeof o.event !== 'string') throw new UserFacingError('Name the event to sync: shutterfind sync --event <name>', 2);
      const report = await runSyncOnce(ctx, o.event);
      return { ...shown(report, formatSync), ...(report.complete ? {} : { exitCode: 1 }) };
    },
  },
  {
    name: 'sync enroll',
    description: 'connect an event to a cloud endpoint with the join code its organiser gave',
    options: (cmd) =>
      cmd
        .requiredOption('--event <name>', 'event to connect')
        .requiredOption('--endpoint <url>', 'the cloud endpoint, e.g. https://photos.example.org')
        .requiredOption('--code <join code>', 'the join code from the organiser')
        .option('--name <device name>', "how the organiser sees this laptop (default: the computer's name)"),
    logs: 'summary',
    run: async (ctx, o) =>
      shown(
        await runSyncEnroll(ctx, {
          event: str(o.event),
          endpoint: str(o.endpoint),
          code: str(o.code),
          ...(typeof o.name === 'string' ? { name: o.name } : {}),
        }),
        formatSyncEnroll,
      ),
  },
  {
    name: 'models add',
    description: 'install a CLIP model from a folder or a base URL, after checking its files, tensors and tokenizer',
    arguments: [['<source>', 'folder or http(s) base URL holding vision_model.onnx, text_model.onnx and tokenizer files']],
    options: (cmd) => cmd.option('--name <name>', 'name to install it under (default: the folder or URL name)'),
    logs: 'none',
    run: async (ctx, o, [source]) => {
      const report = await runModelsAdd(ctx, str(source), o.name as string | undefined);
      const backfill = await queueSceneBackfill(ctx);
      const note =
        backfill.via === 'serve'
          ? 'The running `serve` takes the model up within seconds and embeds earlier photos in the background.'
          : backfill.queued
            ? `${backfill.queued} earlier photo(s) queued for scene search: the next \`serve\` or \`ingest\` embeds them in the background.`
            : '';
      return { json: { ...report, backfillQueued: backfill.queued }, human: [formatModels(report), note].filter(Boolean).join('\n') };
    },
  },
  {
    name: 'models list',
    description: 'list installed CLIP models (* = the active one)',
    logs: 'none',
    run: async (ctx) => shown(runModelsList(ctx), formatModels),
  },
  // The cloud endpoint: cloud serve, cloud create-event, cloud revoke-device.
  ...CLOUD_COMMANDS,
];
