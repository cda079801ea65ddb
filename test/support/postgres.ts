// A real PostgreSQL 15 for the cloud endpoint's tests: a fresh cluster on a temp dir and a free
// loopback port, stopped and removed by the test. One server per test file; tests that want a
// clean slate create a database of their own (`createDatabase`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const PG_BIN = process.env.SHUTTERFIND_PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** How long a fresh cluster may take to accept connections on a busy 2-core machine. */
const READY_TIMEOUT_MS = 30_000;

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** A new empty database on this server, and its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let databaseCounter = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb refuses to run as root (and so does the server): as root, both run as the `postgres`
 * user through runuser, on a temp dir handed to that user.
 */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', command, ...args]];
  return [command, args];
}

export async function startPostgres(): Promise<TestPostgres> {
  const initdb = join(PG_BIN, 'initdb');
  if (!existsSync(initdb)) {
    throw new Error(
      `PostgreSQL 15 is not installed (no ${initdb}): install the Debian package postgresql (apt-get install -y postgresql), or set SHUTTERFIND_PG_BIN to its bin folder.`,
    );
  }
  const root = await mkdtemp(join(tmpdir(), 'shutterfind-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  await mkdir(socketDir);
  if (process.getuid?.() === 0) {
    const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (owner.status !== 0)
      throw new Error('Running as root, the tests need the `postgres` user to run PostgreSQL: install the Debian package postgresql.');
    await chown(root, Number(owner.stdout.trim()), Number(group.stdout.trim()));
    await chown(socketDir, Number(owner.stdout.trim()), Number(group.stdout.trim()));
  }

  const [initCmd, initArgs] = asPostgresUser(initdb, [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    await rm(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }

  const port = await freePort();
  // Durability is not what these tests measure: fsync and friends off make a cluster start and
  // every COMMIT fast on a shared disk.
  const [serverCmd, serverArgs] = asPostgresUser(join(PG_BIN, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    socketDir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=32MB',
  ]);
  const server = spawn(serverCmd, serverArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let serverLog = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    serverLog = (serverLog + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const killOnExit = () => stopServer(server, dataDir);
  process.once('exit', killOnExit);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilAccepting(url, server, () => serverLog);
  } catch (err) {
    stopServer(server, dataDir);
    await exited;
    await rm(root, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    async createDatabase(name?: string) {
      const db = name ?? `test_${process.pid}_${++databaseCounter}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${db}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${db}`;
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      stopServer(server, dataDir);
      await exited;
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Stops the postmaster itself (its pid is in postmaster.pid): when it runs under runuser, a
 * signal to runuser would become a "smart" shutdown that waits for every client. SIGQUIT is an
 * immediate shutdown: the cluster is thrown away anyway.
 */
function stopServer(server: ChildProcess, dataDir: string): void {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const pid = postmasterPid(dataDir);
  try {
    if (pid) process.kill(pid, 'SIGQUIT');
    else server.kill('SIGKILL');
  } catch {
    // Already gone: nothing to stop.
  }
}

function postmasterPid(dataDir: string): number | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function waitUntilAccepting(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL exited while starting (${server.exitCode}): ${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS} ms: ${(err as Error).message}\n${log()}`, {
          cause: err,
        });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
