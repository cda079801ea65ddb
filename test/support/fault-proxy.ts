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
  /** One link of this speed shared by all connections, both directions (a token bucket). */
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
 * How far the bucket may fill while nobody sends: 50 ms of the link. It absorbs the lateness of
 * Node's timers and of the process itself on a loaded 2-core machine (at 20 ms, a load average of
 * 10 cost 3–8% of a 50 Mbit/s link), while an idle link cannot save up a burst that would distort
 * a measurement.
 */
const BUCKET_FILL_SECONDS = 0.05;

/** A shared token bucket in bytes. Sending may overdraw it; the next sender waits off the debt. */
class TokenBucket {
  private tokens = 0;
  private last = performance.now();
  private readonly capacity: number;

  constructor(private readonly bytesPerSecond: number) {
    this.capacity = Math.max(BANDWIDTH_SLICE_BYTES * 2, bytesPerSecond * BUCKET_FILL_SECONDS);
  }

  /** Takes `n` bytes if the bucket is not in debt and returns 0, or returns the ms to wait first. */
  take(n: number): number {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
    if (this.tokens < 0) return Math.max(1, Math.ceil((-this.tokens / this.bytesPerSecond) * 1000));
    this.tokens -= n;
    return 0;
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
}

export async function startFaultProxy(options: { target: { host: string; port: number } }): Promise<FaultProxy> {
  let fault: Fault = { kind: 'none' };
  let bucket: TokenBucket | null = null;
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
      if (current.kind === 'bandwidth' && bucket) {
        piece = piece.subarray(0, BANDWIDTH_SLICE_BYTES);
        const wait = bucket.take(piece.length);
        if (wait > 0) return waitTimer(lane, wait);
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
      bucket = next.kind === 'bandwidth' ? new TokenBucket(next.bitsPerSecond / 8) : null;
      resetBudget = next.kind === 'reset-after-bytes' ? next.bytes : 0;
      for (const lane of lanes) {
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
