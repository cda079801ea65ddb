// The operator's live stream (GET /api/live, server-sent events). Each SSE event is named after
// LiveEvent.type and carries the whole LiveEvent as JSON; the browser's EventSource reconnects by itself.
import type { LiveEvent } from '@api';

/** 'closed': the server refused the stream (e.g. 401); EventSource does not retry that by itself. */
export type LiveConnection = 'connecting' | 'open' | 'reconnecting' | 'closed';

export type LiveHandlers = {
  [K in LiveEvent['type']]?: (event: Extract<LiveEvent, { type: K }>) => void;
};

// Every LiveEvent type, checked by the compiler: a type added to the API and forgotten here
// would be sent by the server and never heard (as 'photo-merged' once was).
const LISTENED: Record<LiveEvent['type'], true> = {
  photo: true,
  overview: true,
  'file-failed': true,
  source: true,
  delivery: true,
  'kiosk-match': true,
  'people-regrouped': true,
  export: true,
  'photo-merged': true,
  sync: true,
};
const EVENT_TYPES = Object.keys(LISTENED) as LiveEvent['type'][];

export function openLiveStream(url: string, handlers: LiveHandlers, onConnection: (state: LiveConnection) => void): () => void {
  const source = new EventSource(url);
  onConnection('connecting');
  source.onopen = () => onConnection('open');
  source.onerror = () => onConnection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      let event: LiveEvent;
      try {
        event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
      } catch {
        console.warn(`Live event "${type}" with unreadable data ignored`);
        return;
      }
      // The union cannot be narrowed through the handler map's index, hence the cast.
      (handlers[type] as ((e: LiveEvent) => void) | undefined)?.(event);
    });
  }
  return () => source.close();
}
