// The engine's own process under the desktop shell (Electron's utilityProcess, or a forked Node
// child): starts the engine and its local server as `shutterfind serve` does, tells the shell its
// address and operator token over the channel (never on disk beyond what serve already writes),
// and stops cleanly (jobs finished, WAL checkpointed) when asked.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger, DataDirBusyError, openEngine, packageRoot, type Engine } from '../core/index.js';
import { dataDirLayout } from '../config/index.js';
import { PortUnavailableError, startServer, type RunningServer } from '../server/index.js';
import { shellMessageSchema, type EngineMessage, type StartRequest } from './engine-protocol.js';

/** Electron's `process.parentPort` in a utility process (typed here: this file never loads electron). */
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

interface ToShell {
  post(message: EngineMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

function channelToShell(): ToShell {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort) return { post: (m) => parentPort.postMessage(m), onMessage: (l) => parentPort.on('message', (e) => l(e.data)) };
  if (!process.send) throw new Error('engine-process must be started by the desktop shell (utilityProcess or fork with an IPC channel)');
  return { post: (m) => void process.send!(m), onMessage: (l) => void process.on('message', l) };
}

function appVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

async function startEngine(request: StartRequest, shell: ToShell): Promise<{ engine: Engine; server: RunningServer }> {
  const log = createLogger({ logDir: dataDirLayout(request.dataDir).logs, terminal: 'stderr', level: 'info' });
  const engine = await openEngine({ dataDir: request.dataDir, log, mode: 'watch' });
  let server: RunningServer;
  try {
    const session = await engine.openEvent(request.event);
    for (const dir of request.watch) await session.hotFolders.add(resolve(dir));
    await session.hotFolders.start();
    server = await startServer(engine, { eventName: request.event, version: appVersion(), port: request.port, lan: request.lan });
  } catch (err) {
    await engine.stop();
    throw err;
  }
  let lastPhotoAt: number | null = null;
  let failuresInARow = 0;
  engine.bus.on('photo', (o) => {
    if (o.status !== 'ready' && o.status !== 'failed') return;
    lastPhotoAt = Date.now();
    failuresInARow = o.status === 'failed' ? failuresInARow + 1 : 0;
    shell.post({ type: 'activity', lastPhotoAt, failuresInARow });
  });
  log.info(`Shutterfind engine (pid ${process.pid}) serving event "${request.event}" at ${server.url} for the desktop app`);
  return { engine, server };
}

function main(): void {
  const shell = channelToShell();
  let running: Promise<{ engine: Engine; server: RunningServer } | null> | null = null;
  let stopping = false;

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const started = await running;
    if (started) {
      await started.server.close();
      await started.engine.stop();
    }
    shell.post({ type: 'stopped' });
    // Let the message leave before the process goes.
    setImmediate(() => process.exit(0));
  };

  shell.onMessage((raw) => {
    const parsed = shellMessageSchema.safeParse(raw);
    if (!parsed.success) return void process.stderr.write(`shutterfind engine: ignored a message it does not understand\n`);
    const message = parsed.data;
    if (message.type === 'stop') return void stop();
    if (running) return;
    running = startEngine(message, shell).then(
      (started) => {
        shell.post({
          type: 'ready',
          url: started.server.url,
          kioskUrl: started.server.kioskUrl,
          publicUrl: started.server.publicUrl,
          operatorToken: started.server.operatorToken,
          pid: process.pid,
        });
        return started;
      },
      (err: unknown) => {
        const known = err instanceof DataDirBusyError || err instanceof PortUnavailableError;
        const message = err instanceof Error ? err.message : String(err);
        if (!known && err instanceof Error) process.stderr.write(`${err.stack}\n`);
        shell.post({ type: 'failed', message });
        setImmediate(() => process.exit(1));
        return null;
      },
    );
  });
  // The shell went away without asking (it crashed): stop cleanly rather than run headless forever.
  process.on('disconnect', () => void stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
}

main();
