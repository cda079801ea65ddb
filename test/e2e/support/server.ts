// The real `shutterfind serve` for browser tests: a child process on a temp data dir and a
// temp watched folder, reached over loopback like the photographer's own browser reaches it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiError, Overview } from '../../../src/api/index.js';
import { CLI } from './paths.js';

export const EVENT = 'Smith wedding';
/** Start-up opens the database, the worker pool and the face models: seconds on a 2-core machine. */
const START_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 30_000;
const POLL_MS = 100;
/** Kept for error messages: what the server said before something went wrong. */
const LOG_TAIL_CHARS = 6_000;

interface ServerJson {
  url: string;
  publicUrl: string;
  kioskUrl: string;
  kioskHttpsPort: number | null;
  operatorToken: string;
  pid: number;
}

export interface RunningServer {
  url: string;
  publicUrl: string;
  /** The kiosk's HTTPS port with `lan`, else null. */
  kioskHttpsPort: number | null;
  operatorToken: string;
  event: string;
  dataDir: string;
  watchDir: string;
  api: OperatorApi;
  /** The server's recent stdout and stderr, for failure messages. */
  logTail(): string;
  /** SIGTERM, wait for a clean exit (SIGKILL past the deadline), remove the temp dirs. */
  stop(): Promise<void>;
}

/** Polls `check` until it returns a value, failing with `what` after the deadline. */
export async function waitUntil<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string | (() => string),
  timeoutMs: number,
  intervalMs = POLL_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function startServer(options: { event?: string; lan?: boolean; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const event = options.event ?? EVENT;
  const dataDir = await mkdtemp(join(tmpdir(), 'shutterfind-e2e-data-'));
  const watchDir = await mkdtemp(join(tmpdir(), 'shutterfind-e2e-watch-'));
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--data-dir', dataDir, '--event', event, '--watch', watchDir, '--port', '0', ...(options.lan ? ['--lan'] : [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...options.env } },
  );
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-LOG_TAIL_CHARS);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((e) => (exit = e));

  const removeDirs = async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rm(watchDir, { recursive: true, force: true });
  };

  let info: ServerJson;
  try {
    info = await waitUntil(
      async () => {
        if (exit) throw new Error(`shutterfind serve exited (code ${exit.code}, signal ${exit.signal}) before listening:\n${log}`);
        return readServerJson(join(dataDir, 'server.json'));
      },
      () => `shutterfind serve to write server.json; its output so far:\n${log}`,
      START_DEADLINE_MS,
    );
  } catch (err) {
    await stopChild(child, exited);
    await removeDirs();
    throw err;
  }

  const api = new OperatorApi(info.url, info.operatorToken, event);
  return {
    url: info.url,
    publicUrl: info.publicUrl,
    kioskHttpsPort: info.kioskHttpsPort,
    operatorToken: info.operatorToken,
    event,
    dataDir,
    watchDir,
    api,
    logTail: () => log,
    stop: async () => {
      await stopChild(child, exited);
      await removeDirs();
    },
  };
}

/** server.json once it is complete; the server may be part-way through writing it. */
async function readServerJson(path: string): Promise<ServerJson | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const json = JSON.parse(text) as Partial<ServerJson>;
    return json.url && json.operatorToken ? (json as ServerJson) : null;
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<'overdue'>((resolve) => (timer = setTimeout(() => resolve('overdue'), STOP_DEADLINE_MS)));
  const outcome = await Promise.race([exited.then(() => 'exited' as const), overdue]);
  clearTimeout(timer);
  if (outcome === 'overdue') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`shutterfind serve did not stop within ${STOP_DEADLINE_MS} ms of SIGTERM (killed)`);
  }
}

export class ApiRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}: ${body}`);
  }

  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as ApiError).error.code;
    } catch {
      return undefined;
    }
  }
}

/** The operator's side of the API, as a script holding the operator token uses it. */
export class OperatorApi {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
    readonly event: string,
  ) {}

  /** `path` with `?event=` added (every event-scoped operator route takes it). */
  withEvent(path: string): string {
    return `${path}${path.includes('?') ? '&' : '?'}event=${encodeURIComponent(this.event)}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiRequestError(method, path, res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  overview(): Promise<Overview> {
    return this.get<Overview>(this.withEvent('/api/overview'));
  }
}

/**
 * Waits until the event has at least `count` ready photos; fails at once when one fails
 * (it would never become ready) with the server's reason.
 */
export async function waitForReadyPhotos(server: RunningServer, count: number, timeoutMs = 120_000): Promise<Overview> {
  let last: Overview | undefined;
  return waitUntil(
    async () => {
      last = await server.api.overview();
      if (last.photos.failed > 0) {
        const errors = await server.api.get<unknown>(server.api.withEvent('/api/errors'));
        throw new Error(`${last.photos.failed} photo(s) failed while waiting for ${count} ready: ${JSON.stringify(errors)}`);
      }
      return last.photos.ready >= count ? last : undefined;
    },
    () => `${count} ready photos; last overview: ${JSON.stringify(last?.photos)}\nserver output:\n${server.logTail()}`,
    timeoutMs,
    250,
  );
}
