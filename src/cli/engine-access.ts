// One writer: a command that changes an event goes through the engine that owns the data dir. When
// no engine runs, the command opens one itself (no photo workers: it only edits); when a `serve`
// owns the data dir, the command asks it over its local API with the operator token it keeps in
// the data dir, so the running console shows the change at once and nothing is written by two
// processes; when another command (an `ingest`) owns it, the command says to wait.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApiError } from '../api/index.js';
import { dataDirLayout } from '../config/index.js';
import { DataDirBusyError, openEngine, type Engine, type PersonWithSamples, type PhotoStage, type StageQueued } from '../core/index.js';
import type { CommandContext } from './context.js';
import { UserFacingError } from './output.js';

export interface ReclusterResult {
  persons: number;
  faces: number;
  kept: number;
  created: number;
  removed: number;
}

export interface RegroupResult {
  photos: number;
  bursts: number;
  photosInBursts: number;
}

/** The edits commands make, whoever carries them out. Every call names the event. */
export interface EngineEdits {
  /** 'serve': a running `serve` made the change; 'engine': this process did. */
  readonly via: 'serve' | 'engine';
  renamePerson(eventName: string, personId: number, name: string | null): Promise<{ id: number; name: string | null }>;
  recluster(eventName: string): Promise<ReclusterResult>;
  regroupBursts(eventName: string): Promise<RegroupResult>;
  /** Scene embeddings for earlier photos after a CLIP model is installed; how many were queued. */
  queueSceneBackfill(): Promise<number>;
  /** One stage queued again for every photo of the event (the engine runs it in the background). */
  reprocess(eventName: string, stage: PhotoStage): Promise<StageQueued>;
  /** "Do not publish" for a person (the organiser's mark); marking twice changes nothing. */
  markDoNotPublish(eventName: string, personId: number, note: string | null): Promise<{ id: number; photoCount: number }>;
  /** The person published again: their opt-outs revoked (kept on record); how many. */
  publishPerson(eventName: string, personId: number, reason: string | null): Promise<number>;
}

/** The person is not in the event (both ways of editing say it the same way). */
export class NoSuchPersonError extends Error {
  override name = 'NoSuchPersonError';
}

const serverInfoSchema = z.object({ url: z.string().url(), operatorToken: z.string().min(1), pid: z.number().int() });

/** The `serve` that owns the data dir, as it described itself in server.json, if it answers. */
export async function runningServe(dataDir: string): Promise<z.infer<typeof serverInfoSchema> | null> {
  const path = dataDirLayout(dataDir).serverInfo;
  if (!existsSync(path)) return null;
  let info;
  try {
    info = serverInfoSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return null;
  }
  try {
    const health = await fetch(`${info.url}/health`, { signal: AbortSignal.timeout(3_000) });
    return health.ok ? info : null;
  } catch {
    return null;
  }
}

function editsOnServe(info: z.infer<typeof serverInfoSchema>): EngineEdits {
  const call = async <T>(method: string, path: string, eventName: string, body?: unknown): Promise<T> => {
    const url = `${info.url}${path}${path.includes('?') ? '&' : '?'}event=${encodeURIComponent(eventName)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${info.operatorToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new UserFacingError(
        `The running \`shutterfind serve\` (pid ${info.pid}) did not answer at ${info.url}: ${(err as Error).message}. Try again, or stop it and run this command alone.`,
      );
    }
    if (response.ok) return (await response.json()) as T;
    const problem = (await response.json().catch(() => null)) as ApiError | null;
    const message = problem?.error.message ?? `HTTP ${response.status}`;
    if (response.status === 404 && /person/i.test(message)) throw new NoSuchPersonError(message);
    throw new UserFacingError(`The running \`shutterfind serve\` (pid ${info.pid}) refused: ${message}`);
  };
  return {
    via: 'serve',
    renamePerson: async (eventName, personId, name) => {
      const person = await call<{ id: number; name: string | null }>('PATCH', `/api/people/${personId}`, eventName, { name });
      return { id: person.id, name: person.name };
    },
    recluster: (eventName) => call<ReclusterResult>('POST', '/api/people/recluster', eventName),
    regroupBursts: (eventName) => call<RegroupResult>('POST', '/api/bursts/regroup', eventName),
    // The running engine looks at the models folder every few seconds and back-fills by itself.
    queueSceneBackfill: async () => 0,
    reprocess: (eventName, stage) => call<StageQueued>('POST', '/api/reprocess', eventName, { stage }),
    markDoNotPublish: async (eventName, personId, note) => {
      const r = await call<{ id: number; photoCount: number }>('POST', `/api/people/${personId}/do-not-publish`, eventName, { note });
      return { id: r.id, photoCount: r.photoCount };
    },
    publishPerson: async (eventName, personId, reason) =>
      (await call<{ revoked: number }>('POST', `/api/people/${personId}/publish`, eventName, { reason })).revoked,
  };
}

function editsInEngine(engine: Engine): EngineEdits {
  const event = (name: string) => engine.catalogue.events.named(name);
  return {
    via: 'engine',
    async renamePerson(eventName, personId, name) {
      const e = event(eventName);
      if (!engine.people.find(e.id, personId)) throw new NoSuchPersonError(`There is no person ${personId} in this event.`);
      const person: PersonWithSamples = engine.people.rename(e.id, personId, name);
      return { id: person.id, name: person.name };
    },
    recluster: (eventName) => engine.people.recluster(event(eventName).id),
    regroupBursts: (eventName) => engine.bursts.regroup(event(eventName).id),
    queueSceneBackfill: async () => engine.backfillScenes(),
    reprocess: async (eventName, stage) => engine.reprocess(eventName, stage),
    async markDoNotPublish(eventName, personId, note) {
      const e = event(eventName);
      if (!engine.people.find(e.id, personId)) throw new NoSuchPersonError(`There is no person ${personId} in this event.`);
      const r = engine.publishing.markPerson(e.id, personId, note);
      return { id: r.id, photoCount: r.photoCount };
    },
    async publishPerson(eventName, personId, reason) {
      const e = event(eventName);
      if (!engine.people.find(e.id, personId)) throw new NoSuchPersonError(`There is no person ${personId} in this event.`);
      return engine.publishing.unmarkPerson(e.id, personId, reason);
    },
  };
}

/** The edits of the `serve` that owns the data dir, or null when no `serve` answers for it. */
export async function editsOnRunningServe(dataDir: string): Promise<EngineEdits | null> {
  const serve = await runningServe(dataDir);
  return serve ? editsOnServe(serve) : null;
}

/** The running `serve` that owns the data dir, as commands ask it: its address and operator token. */
export type RunningServe = NonNullable<Awaited<ReturnType<typeof runningServe>>>;

/**
 * Runs a command against the engine that owns the data dir: one opened here for the command (and
 * stopped after it), or the running `serve` (asked over its local API). Another command holding
 * the data dir means: wait.
 */
export async function withDataDirOwner<T>(
  ctx: CommandContext,
  inEngine: (engine: Engine) => Promise<T>,
  onServe: (serve: RunningServe) => Promise<T>,
): Promise<T> {
  let engine: Engine;
  try {
    engine = await openEngine({ dataDir: ctx.dataDir, log: ctx.log, mode: 'one-shot', processPhotos: false });
  } catch (err) {
    if (!(err instanceof DataDirBusyError)) throw err;
    const serve = await runningServe(ctx.dataDir);
    if (serve) return onServe(serve);
    throw new UserFacingError(
      `${err.message.replace(/ Stop it first, or pass a different --data-dir\.$/, '')} It is not a \`serve\` this command can ask: wait for it to finish, then run this again.`,
    );
  }
  try {
    return await inEngine(engine);
  } finally {
    await engine.stop();
  }
}

/** Runs `edit` against the engine that owns the data dir (see withDataDirOwner). */
export async function withEngineEdits<T>(ctx: CommandContext, edit: (edits: EngineEdits) => Promise<T>): Promise<T> {
  if (!existsSync(dataDirLayout(ctx.dataDir).database)) {
    throw new UserFacingError(`No Shutterfind data in ${ctx.dataDir}: run \`shutterfind serve\` or \`shutterfind ingest\` first.`);
  }
  return withDataDirOwner(
    ctx,
    (engine) => edit(editsInEngine(engine)),
    async (serve) => edit(editsOnServe(serve)),
  );
}
