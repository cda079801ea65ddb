// `shutterfind sync enroll` and `shutterfind sync`: an event enrolled with a cloud endpoint, and
// one sync of it with a progress bar. Both write to the data dir, so they follow the one-writer
// rule: with no engine running they open one (no photo workers); when a `serve` owns the data dir
// they ask it over its local API; when another command holds it, they say to wait.
import {
  NoDeviceTokenError,
  NotEnrolledError,
  SyncGapError,
  SyncStoppedError,
  SyncPausedError,
  SyncRequestError,
  type Engine,
  type SyncSummary,
} from '../../core/index.js';
import type { SyncView } from '../../api/index.js';
import type { CommandContext } from '../context.js';
import { withDataDirOwner } from '../engine-access.js';
import { createProgress, human, UserFacingError } from '../output.js';

export interface SyncReport {
  event: string;
  /** 'serve': the running console did it; 'engine': this process did. */
  via: 'serve' | 'engine';
  /** null when a running `serve` did the sync (it reports the view only). */
  summary: SyncSummary | null;
  view: SyncView;
  /** Everything acknowledged by the endpoint: no operation and no file left. */
  complete: boolean;
}

export interface EnrolOptions {
  event: string;
  endpoint: string;
  code: string;
  name?: string;
}

/** Errors sync explains itself: shown as they are, without a stack. */
const explained = (err: unknown): boolean =>
  err instanceof SyncRequestError ||
  err instanceof SyncGapError ||
  err instanceof NotEnrolledError ||
  err instanceof SyncPausedError ||
  err instanceof SyncStoppedError ||
  err instanceof NoDeviceTokenError ||
  err instanceof RangeError;

async function withSyncEngine<T>(
  ctx: CommandContext,
  inEngine: (engine: Engine) => Promise<T>,
  onServe: (serve: ServeApi) => Promise<T>,
): Promise<T> {
  return withDataDirOwner(
    ctx,
    async (engine) => {
      try {
        return await inEngine(engine);
      } catch (err) {
        if (explained(err)) throw new UserFacingError((err as Error).message);
        throw err;
      }
    },
    (serve) => onServe(serveApi(serve)),
  );
}

interface ServeApi {
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

function serveApi(info: { url: string; operatorToken: string; pid: number }): ServeApi {
  return {
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(`${info.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${info.operatorToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (err) {
        throw new UserFacingError(
          `The running \`shutterfind serve\` (pid ${info.pid}) did not answer at ${info.url}: ${(err as Error).message}.`,
        );
      }
      if (response.status === 404 && path.startsWith('/api/sync')) {
        throw new UserFacingError(
          `The running \`shutterfind serve\` (pid ${info.pid}) cannot sync on request (an older version): stop the console first, then run this again.`,
        );
      }
      const answer = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      if (!response.ok) {
        throw new UserFacingError(
          `The running \`shutterfind serve\` (pid ${info.pid}) refused: ${answer?.error?.message ?? `HTTP ${response.status}`}`,
        );
      }
      return answer as T;
    },
  };
}

const eventQuery = (name: string) => `event=${encodeURIComponent(name)}`;

export async function runSyncEnroll(ctx: CommandContext, o: EnrolOptions): Promise<SyncView> {
  const input = { endpoint: o.endpoint, joinCode: o.code, ...(o.name ? { deviceName: o.name } : {}) };
  return withSyncEngine(
    ctx,
    async (engine) => engine.sync.enroll(engine.catalogue.events.named(o.event).id, input),
    async (serve) => {
      const { eventId } = await serve.call<SyncView>('GET', `/api/sync?${eventQuery(o.event)}`);
      return serve.call<SyncView>('POST', '/api/sync/enrol', { eventId, ...input });
    },
  );
}

const isComplete = (v: SyncView): boolean => v.state !== 'error' && v.state !== 'offline' && v.opsLeft === 0 && v.blobsLeft === 0;

export async function runSyncOnce(ctx: CommandContext, eventName: string): Promise<SyncReport> {
  const progress = createProgress('Syncing', !ctx.json);
  let total = -1;
  let done = 0;
  const show = (sent: number, left: number) => {
    if (sent + left !== total) progress.setTotal((total = sent + left));
    for (; done < sent; done++) progress.tick();
  };
  try {
    return await withSyncEngine<SyncReport>(
      ctx,
      async (engine) => {
        const event = engine.catalogue.events.named(eventName);
        const summary = await engine.sync.runOnce(event.id, (p) => show(p.opsSent + p.blobsSent, p.opsLeft + p.blobsLeft));
        const view = engine.sync.view(event.id);
        return { event: eventName, via: 'engine', summary, view, complete: isComplete(view) && summary.filesChanged === 0 };
      },
      async (serve) => {
        await serve.call<SyncView>('POST', `/api/sync/run?${eventQuery(eventName)}`);
        // The console runs it; follow it until it is done.
        let view = await serve.call<SyncView>('GET', `/api/sync?${eventQuery(eventName)}`);
        while (view.state === 'syncing') {
          await new Promise((resolve) => setTimeout(resolve, 500));
          view = await serve.call<SyncView>('GET', `/api/sync?${eventQuery(eventName)}`);
          show(0, view.opsLeft + view.blobsLeft);
        }
        return { event: eventName, via: 'serve', summary: null, view, complete: isComplete(view) };
      },
    );
  } finally {
    progress.stop();
  }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function formatSyncEnroll(v: SyncView): string {
  return [
    human`Enrolled with ${v.endpoint} as "${v.deviceName}" (cloud event ${v.cloudEventId}).`,
    human`  Take-home links now point to ${v.publicBaseUrl}/g/…; ${v.opsLeft} operation(s) and ${v.blobsLeft} file(s) (${mb(v.bytesLeft)}) to send.`,
    human`  Run \`shutterfind sync --event …\` (or keep \`shutterfind serve\` running) to send them.`,
  ].join('\n');
}

export function formatSync(r: SyncReport): string {
  const lines: string[] = [];
  if (r.summary) {
    const s = r.summary;
    lines.push(
      human`Synced "${r.event}" with ${r.view.endpoint}: ${s.opsSent} operation(s), ${s.blobsSent} file(s) (${mb(s.bytesSent)}), ${s.deliveriesSent} delivery(ies) reported sent, in ${(s.tookMs / 1000).toFixed(1)} s.`,
    );
  } else {
    lines.push(human`The running console synced "${r.event}" with ${r.view.endpoint}.`);
  }
  const changing = r.summary?.filesChanged ?? 0;
  lines.push(
    r.complete
      ? 'Everything is on the endpoint.'
      : changing > 0 && isComplete(r.view)
        ? human`${changing} file(s) changed each time they were sent (being written again?): run the sync again once they are written.`
        : human`Not everything arrived: ${r.view.opsLeft} operation(s) and ${r.view.blobsLeft} file(s) left${r.view.lastError ? ` (${r.view.lastError})` : ''}.`,
  );
  return lines.join('\n');
}
