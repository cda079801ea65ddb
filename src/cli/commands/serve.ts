// `shutterfind serve`: the main job, headless. Watch hot folders, process, serve the local
// API, the console, kiosks and attendee galleries.
import { resolve } from 'node:path';
import { openEngine, type Engine } from '../../core/index.js';
import { PortUnavailableError, startServer } from '../../server/index.js';
import { appVersion, type CommandContext } from '../context.js';
import { UserFacingError } from '../output.js';

export interface ServeOptions {
  event: string;
  watch: string[];
  port?: number | undefined;
  lan?: boolean | undefined;
}

export async function runServe(ctx: CommandContext, options: ServeOptions): Promise<void> {
  const engine: Engine = await openEngine({ dataDir: ctx.dataDir, log: ctx.log, mode: 'watch' });
  const session = await engine.openEvent(options.event);
  for (const dir of options.watch) await session.hotFolders.add(resolve(dir));
  await session.hotFolders.start();

  let server;
  try {
    server = await startServer(engine, {
      eventName: options.event,
      version: appVersion(),
      port: options.port ?? engine.settings.server.port,
      lan: options.lan ?? engine.settings.server.lan,
    });
  } catch (err) {
    await engine.stop();
    // A taken port is the user's to fix, not a bug: one line, no stack trace.
    throw err instanceof PortUnavailableError ? new UserFacingError(err.message) : err;
  }

  // Signal handlers go in before anything says the server is up: a SIGTERM between the
  // "serving" line and the handlers (seen under load while the banner was being made) killed the
  // process outright instead of stopping it cleanly.
  const stopped = new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      ctx.log.info(`${signal} received: finishing photos in progress, then stopping`);
      void (async () => {
        await server.close();
        await engine.stop();
        ctx.log.info('Stopped cleanly');
        resolveStop();
      })();
    };
    // `on`, not `once`: a Ctrl+C reaches both the launcher and the engine, and the launcher
    // forwards it too; a second signal must not cut the clean stop short.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  });

  engine.bus.on('photo', (o) => {
    if (o.status === 'ready') ctx.log.info({ photoId: o.photoId, ms: Math.round(o.timings.totalMs) }, 'photo ready');
  });
  const folders = session.hotFolders.list();
  ctx.log.info(
    `Shutterfind ${appVersion()} (pid ${process.pid}) serving event "${options.event}" at ${server.url} (data: ${ctx.dataDir}); ` +
      (folders.length
        ? `watching ${folders.map((f) => `${f.path} [${f.state}]`).join(', ')}`
        : 'no folders watched yet: add one with --watch DIR or from the console'),
  );
  process.stderr.write(`${await server.banner()}\n`);
  await stopped;
}
