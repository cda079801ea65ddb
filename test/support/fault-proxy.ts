// A fault-injecting TCP proxy on loopback, between the laptop and the cloud endpoint: `tc netem`
// is not available here, so stalls, resets in the middle of an upload, refused connections, a
// slow link and latency are made in user space, switchable while connections are open.
import net, { type Socket } from 'node:net';

/** What the link does now. Set with `setFault`; applies to open connections at once. */
export type Fault =
  | { kind: 'none' }
  /** Accept connections but forward nothing (in either direction) until the fault changes. */
  | { kind: 'stall' }
  /**
   * Forward `bytes` more bytes client→server (counted across connections from when it is set), then
   * reset both sides of the connection that crossed the mark with an RST. Fires once, then the link is
   * back to `none`, so a retry gets through.
   */
  | { kind: 'reset-after-bytes'; bytes: number }
  /** Reset every new connection as soon as it is accepted; open ones keep working. */
  | { kind: 'refuse' }
  /** One link of this speed shared by all connections, both directions. */
  | { kind: 'bandwidth'; bitsPerSecond: number }
  /** Every chunk, both directions, arrives this much later than it was sent. */
  | { kind: 'latency'; ms: number };

export interface FaultProxy {
  port: number;
  /** `http://127.0.0.1:<port>`, for an HTTP endpoint behind the proxy. */
  url: string;
  setFault(fault: Fault): void;
  /** Bytes delivered by the proxy: 'up' client→server, 'down' server→client, both when omitted. */
  bytesForwarded(direction?: 'up' | 'down'): number;
  /** Connections open now, and accepted since the start (refused ones included). */
  connections(): { open: number; accepted: number };
  close(): Promise<void>;
}

/**
 * A source is paused once this many bytes wait in its lane, so a slow or stalled link pushes back on
 * the sender (as a real one does) instead of the proxy buffering a whole upload.
 */
const LANE_HIGH_WATER_BYTES = 64 * 1024;
/**
 * The most bytes sent in one go on a capped link: small enough that a 10 Mbit/s link is not bursty
 * (16 KiB is 13 ms there), large enough to keep timer wake-ups near 400/s at 50 Mbit/s.
 */
const BANDWIDTH_SLICE_BYTES = 16 * 1024;
/**
 * A link that was busy until at most this long ago goes on from where its last slice ended, so a
 * timer that fires late (a loaded 2-core machine delays Node by tens of ms) costs no link time: the
 * sender catches up. A link idle for longer starts afresh, so it never saves up a burst above its
 * speed (a token bucket that filled while idle overshot a 2 s measurement by 2.5%).
 */
const CATCH_UP_MS = 50;

/**
 * One link shared by every connection, as a timeline: each slice is booked after the one before
 * and written when it would have come out of the far end of the link, never earlier.
 */
class SharedLink {
  private freeAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly bytesPerMs: number) {}

  /** Books `bytes` on the link; returns when they are through it (performance.now() time). */
  book(bytes: number): number {
    const now = performance.now();
    const start = this.freeAt >= now - CATCH_UP_MS ? this.freeAt : now;
    this.freeAt = start + bytes / this.bytesPerMs;
    return this.freeAt;
  }
}

interface Chunk {
  data: Buffer;
  arrivedAt: number;
}

/** One direction of one connection: what came from `from` and still has to be written to `to`. */
interface Lane {
  direction: 'up' | 'down';
  from: Socket;
  to: Socket;
  queue: Chunk[];
  queuedBytes: number;
  sourceEnded: boolean;
  /** Waiting for `to` to drain, or for a timer (latency, bandwidth); pump does nothing until then. */
  waiting: 'drain' | 'timer' | null;
  timer: NodeJS.Timeout | null;
  /** Bytes of the head chunk booked on the capped link, written once the link has carried them. */
  bookedBytes: number;
}

export async function startFaultProxy(options: { target: { host: string; port: number } }): Promise<FaultProxy> {
  let fault: Fault = { kind: 'none' };
  let link: SharedLink | null = null;
  let resetBudget = 0;
  const forwarded = { up: 0, down: 0 };
  let accepted = 0;
  const lanes = new Set<Lane>();
  const sockets = new Set<Socket>();
  /** Each open connection's client socket; removed once both of its sockets are closed. */
  const openConnections = new Map<Socket, number>();

  function pump(lane: Lane): void {
    if (lane.waiting !== null) return;
    if (lane.to.destroyed) {
      dropLane(lane);
      return;
    }
    // Stalled: not even a close goes through. setFault pumps every lane again.
    if (fault.kind === 'stall') return;
    while (lane.queue.length > 0) {
      const current = fault;
      const head = lane.queue[0]!;
      if (current.kind === 'latency') {
        const wait = head.arrivedAt + current.ms - performance.now();
        if (wait > 0) return waitTimer(lane, wait);
      }
      let piece = head.data;
      if (current.kind === 'bandwidth' && link) {
        if (lane.bookedBytes === 0) {
          lane.bookedBytes = Math.min(piece.length, BANDWIDTH_SLICE_BYTES);
          const wait = link.book(lane.bookedBytes) - performance.now();
          if (wait > 0) return waitTimer(lane, Math.ceil(wait));
        }
        piece = piece.subarray(0, lane.bookedBytes);
        lane.bookedBytes = 0;
      }
      let resetAfterWrite = false;
      if (current.kind === 'reset-after-bytes' && lane.direction === 'up') {
        if (piece.length >= resetBudget) {
          piece = piece.subarray(0, resetBudget);
          resetAfterWrite = true;
        }
        resetBudget -= piece.length;
      }
      head.data = head.data.subarray(piece.length);
      if (head.data.length === 0) lane.queue.shift();
      lane.queuedBytes -= piece.length;
      forwarded[lane.direction] += piece.length;
      if (resetAfterWrite) {
        // One-shot: the next connection (the client's retry) goes through.
        fault = { kind: 'none' };
        const { from, to } = lane;
        // Reset once the partial bytes are handed to the kernel, so the server has seen them.
        if (piece.length === 0) resetBoth(from, to);
        else to.write(piece, () => resetBoth(from, to));
        lane.queue = [];
        lane.queuedBytes = 0;
        return;
      }
      if (piece.length > 0 && !lane.to.write(piece)) {
        lane.waiting = 'drain';
        lane.to.once('drain', () => {
          lane.waiting = null;
          pump(lane);
        });
        break;
      }
    }
    if (lane.queuedBytes < LANE_HIGH_WATER_BYTES && lane.from.isPaused()) lane.from.resume();
    if (lane.queue.length === 0 && lane.sourceEnded && lane.waiting === null) {
      if (!lane.to.destroyed) lane.to.end();
      lanes.delete(lane);
    }
  }

  function waitTimer(lane: Lane, ms: number): void {
    lane.waiting = 'timer';
    lane.timer = setTimeout(() => {
      lane.timer = null;
      lane.waiting = null;
      pump(lane);
    }, ms);
  }

  function dropLane(lane: Lane): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    lane.queue = [];
    lane.queuedBytes = 0;
    lanes.delete(lane);
  }

  function resetBoth(a: Socket, b: Socket): void {
    for (const socket of [a, b]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
  }

  function openLane(direction: 'up' | 'down', from: Socket, to: Socket): Lane {
    const lane: Lane = {
      direction,
      from,
      to,
      queue: [],
      queuedBytes: 0,
      sourceEnded: false,
      waiting: null,
      timer: null,
      bookedBytes: 0,
    };
    lanes.add(lane);
    from.on('data', (data: Buffer) => {
      lane.queue.push({ data, arrivedAt: performance.now() });
      lane.queuedBytes += data.length;
      if (lane.queuedBytes >= LANE_HIGH_WATER_BYTES) from.pause();
      pump(lane);
    });
    from.on('end', () => {
      lane.sourceEnded = true;
      pump(lane);
    });
    return lane;
  }

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    accepted += 1;
    client.on('error', () => {
      // Reported through 'close' below; the proxy only passes the failure on.
    });
    if (fault.kind === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true });
    upstream.on('error', () => {
      // As above: 'close' with hadError passes the failure on to the client.
    });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    openConnections.set(client, 2);
    const up = openLane('up', client, upstream);
    const down = openLane('down', upstream, client);
    const onClose = (closed: Socket, other: Socket, towardClosed: Lane, fromClosed: Lane) => (hadError: boolean) => {
      sockets.delete(closed);
      const stillOpen = (openConnections.get(client) ?? 1) - 1;
      if (stillOpen === 0) openConnections.delete(client);
      else openConnections.set(client, stillOpen);
      dropLane(towardClosed);
      if (hadError) {
        // A reset (or a refused upstream) on one side is a reset on the other, as on a real path.
        dropLane(fromClosed);
        if (!other.destroyed) other.resetAndDestroy();
        return;
      }
      // A clean close: deliver what is still queued from it, then end the other side.
      fromClosed.sourceEnded = true;
      pump(fromClosed);
    };
    client.on('close', onClose(client, upstream, down, up));
    upstream.on('close', onClose(upstream, client, up, down));
    client.resume();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Fault proxy: no TCP address after listen');
  const port = address.port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setFault(next: Fault): void {
      fault = next;
      link = next.kind === 'bandwidth' ? new SharedLink(next.bitsPerSecond / 8 / 1000) : null;
      resetBudget = next.kind === 'reset-after-bytes' ? next.bytes : 0;
      for (const lane of lanes) {
        lane.bookedBytes = 0;
        if (lane.waiting === 'timer') {
          if (lane.timer) clearTimeout(lane.timer);
          lane.timer = null;
          lane.waiting = null;
        }
        pump(lane);
      }
    },
    bytesForwarded(direction?: 'up' | 'down'): number {
      return direction ? forwarded[direction] : forwarded.up + forwarded.down;
    },
    connections() {
      return { open: openConnections.size, accepted };
    },
    async close(): Promise<void> {
      for (const lane of [...lanes]) dropLane(lane);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
