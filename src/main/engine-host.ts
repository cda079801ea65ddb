// Keeps the engine process running for the desktop shell: starts it, restarts it after a crash
// with backoff (the windows show "reconnecting" meanwhile and nothing is lost: every photo is in
// SQLite before it counts), and stops it cleanly (the engine's stop checkpoints the WAL).
import { engineMessageSchema, type EngineChannel, type EngineMessage, type EngineReady, type StartRequest } from './engine-protocol.js';
import { nextAttempt, restartDelay } from './restart-backoff.js';

export type EngineState =
  | { state: 'starting' }
  | { state: 'running'; ready: EngineReady }
  /** The engine crashed; the next start is in `retryInMs`. Windows say "reconnecting". */
  | { state: 'reconnecting'; attempt: number; retryInMs: number; exitCode: number | null }
  /** Starting again will not help (data dir busy, port taken): the message says what to do. */
  | { state: 'failed'; message: string }
  | { state: 'stopped' };

export type EngineActivity = Extract<EngineMessage, { type: 'activity' }>;

export interface EngineHostOptions {
  spawn: () => EngineChannel;
  request: Omit<StartRequest, 'type'>;
  onState?: (state: EngineState) => void;
  onActivity?: (activity: EngineActivity) => void;
  /** A clean stop that takes longer than this (a photo stuck in a worker) ends with a kill. */
  stopTimeoutMs?: number;
  now?: () => number;
}

export interface EngineHost {
  current(): EngineState;
  /** The engine's address once it is (again) running; rejects if it failed for good or was stopped. */
  whenRunning(): Promise<EngineReady>;
  /** How many times the engine was started again after a crash. */
  restarts(): number;
  stop(): Promise<void>;
}

/** Long enough for the last photos in flight to finish on a 2-core laptop, short enough for a quit. */
const DEFAULT_STOP_TIMEOUT_MS = 30_000;

export function startEngineHost(options: EngineHostOptions): EngineHost {
  const now = options.now ?? Date.now;
  let state: EngineState = { state: 'starting' };
  let request: Omit<StartRequest, 'type'> = { ...options.request };
  let channel: EngineChannel | null = null;
  let startedAt = 0;
  let attempt = 0;
  let restarts = 0;
  let stopRequested = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let waiters: { resolve: (r: EngineReady) => void; reject: (e: Error) => void }[] = [];
  let exited: Promise<void> = Promise.resolve();

  const setState = (next: EngineState): void => {
    state = next;
    options.onState?.(next);
    if (next.state === 'running') {
      for (const w of waiters) w.resolve(next.ready);
      waiters = [];
    } else if (next.state === 'failed' || next.state === 'stopped') {
      const why = next.state === 'failed' ? next.message : 'the engine was stopped';
      for (const w of waiters) w.reject(new Error(why));
      waiters = [];
    }
  };

  const launch = (): void => {
    retryTimer = null;
    startedAt = now();
    let failedMessage: string | null = null;
    const ch = options.spawn();
    channel = ch;
    exited = new Promise((resolveExit) => {
      ch.onExit((code) => {
        resolveExit();
        if (channel === ch) channel = null;
        if (stopRequested) return setState({ state: 'stopped' });
        if (failedMessage !== null) return setState({ state: 'failed', message: failedMessage });
        attempt = nextAttempt(attempt, now() - startedAt);
        const retryInMs = restartDelay(attempt);
        setState({ state: 'reconnecting', attempt, retryInMs, exitCode: code });
        restarts += 1;
        retryTimer = setTimeout(launch, retryInMs);
      });
    });
    ch.onMessage((raw) => {
      const parsed = engineMessageSchema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'ready') {
        // Restarts ask for the same port: the windows' origin (and the navigation policy) stay valid.
        request = { ...request, port: Number(new URL(message.url).port) };
        setState({ state: 'running', ready: message });
      } else if (message.type === 'activity') {
        options.onActivity?.(message);
      } else if (message.type === 'failed') {
        failedMessage = message.message;
      }
    });
    ch.send({ type: 'start', ...request });
  };

  launch();

  return {
    current: () => state,
    restarts: () => restarts,
    whenRunning: () => {
      if (state.state === 'running') return Promise.resolve(state.ready);
      if (state.state === 'failed') return Promise.reject(new Error(state.message));
      if (state.state === 'stopped') return Promise.reject(new Error('the engine was stopped'));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    stop: async () => {
      stopRequested = true;
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = null;
        setState({ state: 'stopped' });
        return;
      }
      const ch = channel;
      if (!ch) return;
      ch.send({ type: 'stop' });
      const timeout = setTimeout(() => ch.kill(), options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timeout);
    },
  };
}
