// `shutterfind cloud …`: run the reference cloud endpoint (serve), create a cloud event for an
// organiser, and revoke a lost laptop. The endpoint's code (Fastify, PostgreSQL, S3, SMTP) loads
// only for these commands: every other command starts without it.
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadOrCreateOperatorToken } from '../../config/index.js';
import type { CommandContext, TerminalLogs } from '../context.js';
import { human, UserFacingError } from '../output.js';

const loadCloud = () => import('../../cloud/index.js');

export const DEFAULT_CLOUD_PORT = 8787;

type Options = Record<string, unknown>;

/** Rows of the command table (cli/command-table.ts spreads them in). */
interface CloudCommand {
  name: string;
  description: string;
  options: (cmd: Command) => Command;
  logs: TerminalLogs;
  run(ctx: CommandContext, opts: Options): Promise<{ json: unknown; human?: string } | void>;
}

const databaseOption = (cmd: Command) =>
  cmd.addOption(
    new Option('--database <url>', 'the cloud PostgreSQL database, postgres://user:password@host:5432/db')
      .env('SHUTTERFIND_CLOUD_DATABASE')
      .makeOptionMandatory(),
  );

function parseCloudPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

export interface CloudServeOptions {
  database: string;
  blobs: string;
  port?: number;
  host?: string;
  publicUrl?: string;
  smtp?: string;
  from?: string;
  trustProxy?: boolean;
}

/** Runs the endpoint until SIGINT/SIGTERM; several instances may run on one database (and one blob store). */
export async function runCloudServe(ctx: CommandContext, o: CloudServeOptions): Promise<void> {
  const cloud = await loadCloud();
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? DEFAULT_CLOUD_PORT;
  if (!o.publicUrl && (host === '0.0.0.0' || host === '::')) {
    throw new UserFacingError(
      `Listening on all interfaces (--host ${host}) needs --public-url: the address laptops and attendees use, e.g. https://photos.example.org`,
      2,
    );
  }
  const publicBaseUrl = (o.publicUrl ?? `http://${host}:${port}`).replace(/\/+$/, '');
  if (o.smtp && !o.from)
    throw new UserFacingError('--smtp needs --from: the sender attendees see, e.g. --from "Photos <photos@example.org>"', 2);
  const blobs = cloud.openBlobStore(o.blobs, { publicBaseUrl, signingSecret: partSigningSecret(o.blobs) });
  const mailer = o.smtp && o.from ? cloud.createMailer({ smtpUrl: o.smtp, from: o.from }) : undefined;
  let server: Awaited<ReturnType<typeof cloud.startCloudServer>>;
  try {
    server = await cloud.startCloudServer({
      databaseUrl: o.database,
      blobs,
      publicBaseUrl,
      host,
      port,
      ...(mailer ? { mailer } : {}),
      ...(o.trustProxy ? { trustProxy: true } : {}),
      onError: (err, where) => ctx.log.error({ err }, `cloud endpoint: ${where} failed: ${err.message}`),
      logger: ctx.log,
    });
  } catch (err) {
    mailer?.close();
    throw new UserFacingError(`Cannot start the cloud endpoint: ${(err as Error).message}`);
  }
  const stopped = new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      ctx.log.info(`${signal} received: stopping the cloud endpoint`);
      void server.close().then(() => {
        ctx.log.info('Stopped cleanly');
        resolveStop();
      });
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  });
  ctx.log.info(
    `Shutterfind cloud endpoint listening at ${server.url} (public address ${publicBaseUrl}); blobs in ${blobs.description}; ` +
      (mailer ? `emails through ${new URL(o.smtp!).host}` : 'no SMTP configured: attendees’ emails wait until --smtp is given'),
  );
  await stopped;
}

/**
 * Every instance on one directory store must sign part addresses with one secret: it is kept in
 * the store's directory (0600, a hidden name no blob key can reach), or given by environment.
 */
function partSigningSecret(blobs: string): string {
  const fromEnv = process.env.SHUTTERFIND_CLOUD_SIGNING_SECRET;
  if (fromEnv) return fromEnv;
  if (blobs.startsWith('s3://')) return 'unused-by-s3';
  return loadOrCreateOperatorToken(join(blobs, '.part-signing-secret'));
}

export interface CreatedEventReport {
  cloudEventId: string;
  name: string;
  joinCode: string;
  joinCodeExpiresAt: string;
  organiserToken: string;
  organiserPage: string;
  organiserApi: string;
}

export async function runCloudCreateEvent(o: {
  database: string;
  name: string;
  originals?: boolean;
  faceSearch?: boolean;
  publicUrl?: string;
}): Promise<CreatedEventReport> {
  const cloud = await loadCloud();
  const db = cloud.openCloudDatabase(o.database);
  try {
    await cloud.migrateCloudDatabase(db);
    const created = await cloud.createCloudEvent(db, {
      name: o.name,
      uploadOriginals: Boolean(o.originals),
      cloudFaceSearch: Boolean(o.faceSearch),
    });
    const base = (o.publicUrl ?? `http://127.0.0.1:${DEFAULT_CLOUD_PORT}`).replace(/\/+$/, '');
    return {
      cloudEventId: created.cloudEventId,
      name: o.name,
      joinCode: created.joinCode,
      joinCodeExpiresAt: created.joinCodeExpiresAt.toISOString(),
      organiserToken: created.organiserToken,
      organiserPage: `${base}/organiser/${created.cloudEventId}`,
      organiserApi: `${base}${cloud.ORGANISER_API_PREFIX}/${created.cloudEventId}`,
    };
  } catch (err) {
    throw new UserFacingError(`Cannot create the cloud event: ${(err as Error).message}`);
  } finally {
    await db.close();
  }
}

export function formatCreatedEvent(r: CreatedEventReport): string {
  return [
    human`Cloud event "${r.name}" created (${r.cloudEventId}).`,
    human`Join code for the laptops: ${r.joinCode} (valid until ${r.joinCodeExpiresAt.slice(0, 10)}; several laptops may use it)`,
    human`  on each laptop: shutterfind sync enroll --event <name> --endpoint <public address> --code ${r.joinCode}`,
    human`Organiser token (shown once, keep it safe): ${r.organiserToken}`,
    human`Organiser page: ${r.organiserPage}`,
  ].join('\n');
}

export async function runCloudRevokeDevice(o: {
  database: string;
  event: string;
  device: string;
}): Promise<{ cloudEventId: string; deviceId: string; revoked: true }> {
  const cloud = await loadCloud();
  const db = cloud.openCloudDatabase(o.database);
  try {
    await cloud.migrateCloudDatabase(db);
    if (!(await cloud.cloudEventById(db.pool, o.event)))
      throw new UserFacingError(`No cloud event ${o.event} in this database: check --event (the id printed by cloud create-event).`);
    if (!(await cloud.revokeDevice(db.pool, o.event, { deviceId: o.device }))) {
      throw new UserFacingError(`Cloud event ${o.event} has no laptop ${o.device}: its organiser page lists the laptops' ids.`);
    }
    return { cloudEventId: o.event, deviceId: o.device, revoked: true };
  } finally {
    await db.close();
  }
}

const str = (v: unknown): string => v as string;

export const CLOUD_COMMANDS: CloudCommand[] = [
  {
    name: 'cloud serve',
    description:
      'run the cloud endpoint that laptops sync to (PostgreSQL + a blob directory or S3); start several on one database if you like',
    options: (cmd) =>
      databaseOption(cmd)
        .requiredOption(
          '--blobs <dir|s3://bucket/prefix>',
          'where photos are kept: a directory, or S3-compatible storage (AWS_* environment for credentials)',
        )
        .addOption(new Option('--port <n>', 'HTTP port').argParser(parseCloudPort).default(DEFAULT_CLOUD_PORT))
        .option('--host <address>', 'address to listen on (0.0.0.0 behind a reverse proxy on another machine)', '127.0.0.1')
        .option('--public-url <url>', 'the address laptops and attendees use, e.g. https://photos.example.org (default: http://host:port)')
        .option('--smtp <url>', "send attendees' emails through this SMTP server, e.g. smtp://user:pass@mail.example.org:587")
        .option('--from <address>', 'the sender of those emails, e.g. "Photos <photos@example.org>"')
        .option('--trust-proxy', 'behind one reverse proxy: take the client address from its X-Forwarded-For (for per-address limits)'),
    logs: 'live',
    run: async (ctx, o) => {
      await runCloudServe(ctx, {
        database: str(o.database),
        blobs: str(o.blobs),
        port: o.port as number,
        host: str(o.host),
        ...(typeof o.publicUrl === 'string' ? { publicUrl: o.publicUrl } : {}),
        ...(typeof o.smtp === 'string' ? { smtp: o.smtp } : {}),
        ...(typeof o.from === 'string' ? { from: o.from } : {}),
        ...(o.trustProxy === true ? { trustProxy: true } : {}),
      });
    },
  },
  {
    name: 'cloud create-event',
    description: 'create a cloud event: prints the join code for the laptops and the organiser token',
    options: (cmd) =>
      databaseOption(cmd)
        .requiredOption('--name <name>', 'the event as attendees and the organiser see it')
        .option('--originals', 'let laptops upload the camera originals too (default: thumbnails and previews only)')
        .option('--face-search', 'let laptops upload face descriptors (links the same person across laptops)')
        .option('--public-url <url>', 'the endpoint’s public address, for the organiser page link'),
    logs: 'none',
    run: async (_ctx, o) => {
      const report = await runCloudCreateEvent({
        database: str(o.database),
        name: str(o.name),
        originals: Boolean(o.originals),
        faceSearch: Boolean(o.faceSearch),
        ...(typeof o.publicUrl === 'string' ? { publicUrl: o.publicUrl } : {}),
      });
      return { json: report, human: formatCreatedEvent(report) };
    },
  },
  {
    name: 'cloud revoke-device',
    description: "revoke a laptop's access to a cloud event (a lost or stolen laptop): its token stops working at once",
    options: (cmd) =>
      databaseOption(cmd)
        .requiredOption('--event <id>', 'the cloud event id (printed by cloud create-event)')
        .requiredOption('--device <id>', "the laptop's device id (on the organiser page)"),
    logs: 'none',
    run: async (_ctx, o) => {
      const report = await runCloudRevokeDevice({ database: str(o.database), event: str(o.event), device: str(o.device) });
      return { json: report, human: human`Laptop ${report.deviceId} can no longer sync to cloud event ${report.cloudEventId}.` };
    },
  },
];
