// Who may reach the server and how often, against the real engine and server over loopback: the
// Host allow-list (DNS rebinding), one live pairing code at a time, failed logins counted per
// client address without locking out the right token, and 429s that say what was limited.
import { request as httpRequest } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../../src/api/index.js';
import { lanAddresses } from '../../../src/server/lan-address.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { EVENT, newPairingCode, startServedEvent, type ServedEvent } from './served-event.js';

let ev: ServedEvent;

beforeAll(async () => {
  ev = await startServedEvent();
});

afterAll(async () => {
  await ev?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request sent byte for byte (fetch drops a Host header it is given), from a chosen loopback
 * source address: every 127.x address is this machine, and the server sees each as another client.
 */
function send(url: string, path: string, options: { method?: string; host?: string; from?: string; json?: unknown } = {}): Promise<Answer> {
  const { hostname: host, port } = new URL(url);
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = { host: options.host ?? `${host}:${port}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, method: options.method ?? 'GET', headers, localAddress: options.from }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const errorOf = (answer: Answer): ApiError['error'] => (JSON.parse(answer.body) as ApiError).error;

/** Every kind of route a rebinding page would go for: health, pairing, login, the pages, the APIs. */
const ROUTES: { method: string; path: string; json?: unknown }[] = [
  { method: 'GET', path: '/health' },
  { method: 'POST', path: '/kiosk-api/pair', json: { code: '123456', name: 'Rebound' } },
  { method: 'POST', path: '/api/login', json: { token: 'x' } },
  { method: 'GET', path: '/console' },
  { method: 'GET', path: `/g/${'A'.repeat(43)}` },
  { method: 'GET', path: '/api/overview' },
];

describe('Host allow-list', () => {
  it.each(ROUTES)('$method $path answers 403 to a request for another site’s name (DNS rebinding)', async ({ method, path, json }) => {
    const answer = await send(ev.url, path, { method, json, host: 'rebind.evil.example' });
    expect(answer.status).toBe(403);
    expect(errorOf(answer).code).toBe('forbidden');
    expect(errorOf(answer).message).toContain('"rebind.evil.example"');
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('answers a request for %s', async (name) => {
    const port = new URL(ev.url).port;
    const answer = await send(ev.url, '/health', { host: `${name}:${port}` });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true, event: EVENT });
  });

  it('without --lan, refuses the laptop’s network names: nothing on the network can reach it anyway', async () => {
    const answer = await send(ev.url, '/health', { host: `${hostname()}.local` });
    expect(answer.status).toBe(403);
  });

  describe('with --lan', () => {
    let lan: RunningServer;
    beforeAll(async () => {
      lan = await startServer(ev.engine, { eventName: EVENT, version: 'test', port: 0, lan: true });
    });
    afterAll(async () => {
      await lan?.close();
    });

    it('answers the laptop’s network addresses, its host name and host name.local, and still refuses other names', async () => {
      const port = new URL(lan.url).port;
      for (const name of [...lanAddresses(networkInterfaces()), hostname(), `${hostname()}.local`, 'localhost']) {
        const answer = await send(lan.url, '/health', { host: `${name}:${port}` });
        expect(`${name} ${answer.status}`).toBe(`${name} 200`);
      }
      expect((await send(lan.url, '/health', { host: `rebind.evil.example:${port}` })).status).toBe(403);
    });
  });
});

describe('pairing codes', () => {
  it('a new code voids the one before it: only the code the console shows now pairs a kiosk', async () => {
    const first = await newPairingCode(ev);
    const second = await newPairingCode(ev);
    const third = await newPairingCode(ev);
    const withFirst = await send(ev.url, '/kiosk-api/pair', {
      method: 'POST',
      json: { code: first, name: 'Old code' },
      from: '127.0.0.10',
    });
    const withSecond = await send(ev.url, '/kiosk-api/pair', {
      method: 'POST',
      json: { code: second, name: 'Old code' },
      from: '127.0.0.10',
    });
    expect([withFirst.status, withSecond.status]).toEqual([401, 401]);
    expect(errorOf(withFirst).message).toContain('replaced by a newer one');
    const withThird = await send(ev.url, '/kiosk-api/pair', {
      method: 'POST',
      json: { code: third, name: 'Current code' },
      from: '127.0.0.10',
    });
    expect(withThird.status).toBe(200);
  });

  it('too many pairing attempts answer a 429 about pairing, not about searches', async () => {
    const statuses: number[] = [];
    let last: Answer | undefined;
    for (let i = 0; i < 11; i++) {
      last = await send(ev.url, '/kiosk-api/pair', {
        method: 'POST',
        json: { code: String(100000 + i), name: 'Guesser' },
        from: '127.0.0.11',
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    expect(errorOf(last!)).toMatchObject({ code: 'rate-limited' });
    expect(errorOf(last!).message).toMatch(/^Too many pairing attempts from this screen: wait 1 minute/);
    expect(last!.headers['retry-after']).toMatch(/^\d+$/);
  });
});

describe('operator login', () => {
  const login = (token: string, from: string): Promise<Answer> => send(ev.url, '/api/login', { method: 'POST', json: { token }, from });

  it('right logins are never counted: the operator logs in thirty times in a row from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await login(ev.token, '127.0.0.20')).status);
    expect(statuses).toEqual(Array(30).fill(200));
  });

  it('a few wrong tokens do not stop the right one from the same address', async () => {
    for (let i = 0; i < 5; i++) expect((await login('not-the-token', '127.0.0.21')).status).toBe(401);
    expect((await login(ev.token, '127.0.0.21')).status).toBe(200);
  });

  it('after ten wrong tokens that address waits with a 429 about operator tokens, while the operator on another address logs in at once', async () => {
    for (let i = 0; i < 10; i++) expect((await login(`wrong-${i}`, '127.0.0.22')).status).toBe(401);
    const limited = await login(ev.token, '127.0.0.22');
    expect(limited.status).toBe(429);
    expect(errorOf(limited).code).toBe('rate-limited');
    expect(errorOf(limited).message).toMatch(/^Too many wrong operator tokens from this device: wait \d+ s/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await login(ev.token, '127.0.0.23')).status).toBe(200);
  });
});
