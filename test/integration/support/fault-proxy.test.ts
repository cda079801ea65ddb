// The fault proxy the sync fault tests and bench:sync stand on: real sockets, a real HTTP server
// behind it, and each fault seen the way a client sees a bad network.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { waitFor } from '../../support/temp-dir.js';

interface Received {
  bytes: number;
  firstByteAt: number;
  lastByteAt: number;
}

/** An HTTP server that hashes what it is sent, and answers GET /bytes/<n> with n random bytes. */
async function startEndpoint() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const match = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && match) {
      const body = randomBytes(Number(match[1]));
      res.setHeader('x-sha256', createHash('sha256').update(body).digest('hex'));
      res.end(body);
      return;
    }
    const hash = createHash('sha256');
    const entry: Received = { bytes: 0, firstByteAt: 0, lastByteAt: 0 };
    received.push(entry);
    req.on('data', (chunk: Buffer) => {
      if (entry.bytes === 0) entry.firstByteAt = performance.now();
      entry.bytes += chunk.length;
      entry.lastByteAt = performance.now();
      hash.update(chunk);
    });
    req.on('end', () => res.end(hash.digest('hex')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** When the answer's body started and finished arriving (performance.now()). */
  firstByteAt: number;
  lastByteAt: number;
}

/** One request on a fresh connection (no keep-alive, so each fault meets a new socket). */
function request(url: string, method: 'GET' | 'POST', body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let firstByteAt = 0;
      res.on('data', (c: Buffer) => {
        if (chunks.length === 0) firstByteAt = performance.now();
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          firstByteAt,
          lastByteAt: performance.now(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const MEGABIT = 1_000_000;

describe('the fault proxy', () => {
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
  let proxy: FaultProxy;

  beforeAll(async () => {
    endpoint = await startEndpoint();
  });
  afterAll(async () => {
    await endpoint.close();
  });
  afterEach(async () => {
    await proxy.close();
    endpoint.received.length = 0;
  });

  async function open() {
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: endpoint.port } });
    return proxy;
  }

  it('passes bytes unchanged both ways and counts them', async () => {
    await open();
    const upload = randomBytes(3 * 1024 * 1024 + 17);
    const posted = await request(`${proxy.url}/upload`, 'POST', upload);
    expect(posted.body.toString()).toBe(sha256(upload));

    const downloaded = await request(`${proxy.url}/bytes/2500000`, 'GET');
    expect(downloaded.body.length).toBe(2_500_000);
    expect(sha256(downloaded.body)).toBe(downloaded.headers['x-sha256']);

    expect(proxy.bytesForwarded('up')).toBeGreaterThan(upload.length);
    expect(proxy.bytesForwarded('down')).toBeGreaterThan(2_500_000);
    await waitFor(() => proxy.connections().open === 0, 'both connections to close');
    expect(proxy.connections().accepted).toBe(2);
  });

  for (const megabits of [10, 50]) {
    it(`holds an upload to a ${megabits} Mbit/s link within 5%`, async () => {
      await open();
      proxy.setFault({ kind: 'bandwidth', bitsPerSecond: megabits * MEGABIT });
      // Two seconds of the link, over two connections at once: the cap is one link, not one per connection.
      const perConnection = Math.round((megabits * MEGABIT * 2) / 8 / 2);
      const bodies = [randomBytes(perConnection), randomBytes(perConnection)];
      await Promise.all(bodies.map((body) => request(`${proxy.url}/upload`, 'POST', body)));
      // Timed where the bytes land, from the first to the last: what the endpoint behind the link gets.
      const seconds =
        (Math.max(...endpoint.received.map((r) => r.lastByteAt)) - Math.min(...endpoint.received.map((r) => r.firstByteAt))) / 1000;
      const bits = endpoint.received.reduce((sum, r) => sum + r.bytes, 0) * 8;
      const measured = bits / seconds;
      expect(measured / (megabits * MEGABIT)).toBeGreaterThan(0.95);
      expect(measured / (megabits * MEGABIT)).toBeLessThan(1.05);
    });
  }

  it('holds a download to the link too (the cap counts both directions)', async () => {
    await open();
    proxy.setFault({ kind: 'bandwidth', bitsPerSecond: 20 * MEGABIT });
    const answer = await request(`${proxy.url}/bytes/5000000`, 'GET');
    expect(answer.body.length).toBe(5_000_000);
    const measured = (answer.body.length * 8) / ((answer.lastByteAt - answer.firstByteAt) / 1000);
    expect(measured / (20 * MEGABIT)).toBeGreaterThan(0.95);
    expect(measured / (20 * MEGABIT)).toBeLessThan(1.05);
  });

  it('resets a connection in the middle of an upload, and the retry goes through', async () => {
    await open();
    proxy.setFault({ kind: 'reset-after-bytes', bytes: 300_000 });
    const upload = randomBytes(2 * 1024 * 1024);
    const error = await request(`${proxy.url}/upload`, 'POST', upload).then(
      () => null,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).toBe('ECONNRESET');
    // The endpoint saw the start of the upload, never the end of it.
    await waitFor(() => endpoint.received.length === 1, 'the endpoint to see the partial upload');
    expect(endpoint.received[0]!.bytes).toBeLessThan(upload.length);

    const retried = await request(`${proxy.url}/upload`, 'POST', upload);
    expect(retried.body.toString()).toBe(sha256(upload));
  });

  it('forwards nothing while stalled, and resumes the same request when cleared', async () => {
    await open();
    proxy.setFault({ kind: 'stall' });
    const upload = randomBytes(200_000);
    const answer = request(`${proxy.url}/upload`, 'POST', upload);
    await waitFor(() => proxy.connections().open === 1, 'the stalled connection to be accepted');
    expect(proxy.bytesForwarded()).toBe(0);
    expect(endpoint.received).toHaveLength(0);

    proxy.setFault({ kind: 'none' });
    expect((await answer).body.toString()).toBe(sha256(upload));
  });

  it('refuses new connections, and accepts them again once the fault is cleared', async () => {
    await open();
    proxy.setFault({ kind: 'refuse' });
    const error = await request(`${proxy.url}/bytes/10`, 'GET').then(
      () => null,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).toBe('ECONNRESET');
    expect(proxy.connections().accepted).toBe(1);
    expect(proxy.bytesForwarded()).toBe(0);

    proxy.setFault({ kind: 'none' });
    expect((await request(`${proxy.url}/bytes/10`, 'GET')).body.length).toBe(10);
  });

  it('delays each direction by the latency', async () => {
    await open();
    proxy.setFault({ kind: 'latency', ms: 150 });
    const started = performance.now();
    const answer = await request(`${proxy.url}/bytes/1000`, 'GET');
    expect(answer.body.length).toBe(1000);
    // The request waits 150 ms on the way there and the answer 150 ms on the way back. Node's
    // timers may fire about 1 ms early each, so a few ms of slack (without the latency: ~5 ms).
    expect(performance.now() - started).toBeGreaterThanOrEqual(296);
  });

  it('answers with a reset when the endpoint behind it is down', async () => {
    const down = await startEndpoint();
    const port = down.port;
    await down.close();
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port } });
    const error = await request(`${proxy.url}/bytes/10`, 'GET').then(
      () => null,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).toBe('ECONNRESET');
  });
});
