// The console's live stream (/api/live, server-sent events) as a test reads it: the events of one
// type as they arrive, until the one the test waits for.
import type { LiveEvent } from '../../src/api/index.js';

export type LiveEventOf<T extends LiveEvent['type']> = Extract<LiveEvent, { type: T }>;

export interface LiveEventWatch<E> {
  /** Every event of the type so far, in order (it grows while the stream is read). */
  seen: E[];
  /** The first event `isAwaited` accepts; rejects if the stream ends before it. */
  awaited: Promise<E>;
  /** Closes the stream. */
  stop(): void;
}

/**
 * Opens the live stream (`open` is given the signal that closes it) and reads its `type` events
 * until one is awaited. Resolves once the stream is open, so an action taken after it is seen.
 */
export async function watchLiveEvents<T extends LiveEvent['type']>(
  open: (signal: AbortSignal) => Promise<Response>,
  type: T,
  isAwaited: (event: LiveEventOf<T>) => boolean,
): Promise<LiveEventWatch<LiveEventOf<T>>> {
  const controller = new AbortController();
  const res = await open(controller.signal);
  if (!res.ok || !res.body) throw new Error(`The live stream did not open: HTTP ${res.status}.`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const seen: LiveEventOf<T>[] = [];
  const awaited = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The live stream ended before the awaited ${type} event (${seen.length} seen).`);
      buffer += value;
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!block.startsWith(`event: ${type}\n`) || !data) continue;
        const event = JSON.parse(data.slice('data: '.length)) as LiveEventOf<T>;
        // The event line and the data's own type must agree: the console dispatches on the first.
        if (event.type !== type) throw new Error(`A live event sent as "${type}" carries data of type "${event.type}".`);
        seen.push(event);
        if (isAwaited(event)) return event;
      }
    }
  })();
  // A test that stops watching before the awaited event came must not see an unhandled rejection.
  awaited.catch(() => undefined);
  return { seen, awaited, stop: () => controller.abort() };
}
