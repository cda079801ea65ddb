// The kiosk's HTTPS port (`serve --lan`) as a tablet's browser meets it: HTTP/2, so a results
// screen's thumbnails share one connection instead of queueing for six, and HTTP/1.1 still for a
// browser that offers nothing else. Node's own HTTP/2 client stands for the browser; the
// certificate is the laptop's own, accepted as a tablet accepts it once.
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { Agent, get as httpsGet } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskResults, KioskSessionView } from '../../../src/api/index.js';
import { builtRendererDir } from '../../../src/config/index.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { dropHerPhotos, EVENT, newPairingCode, startServedEvent, type ServedEvent } from './served-event.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let ev: ServedEvent;
let lan: RunningServer;
let origin: string;
let selfie: Buffer;
let herIds: number[];

beforeAll(async () => {
  if (!builtRendererDir()) throw new Error('dist/renderer is missing: run `npm run build` before these tests.');
  ev = await startServedEvent();
  ({ selfie, herIds } = await dropHerPhotos(ev));
  lan = await startServer(ev.engine, { eventName: EVENT, version: 'test', port: 0, lan: true });
  origin = `https://127.0.0.1:${new URL(lan.kioskUrl).port}`;
});

afterAll(async () => {
  await lan?.close();
  await ev?.close();
});

/** An HTTP/2 connection to the kiosk port, optionally from another loopback address (another tablet). */
function tablet(from?: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(origin, { rejectUnauthorized: false, ...(from ? { localAddress: from } : {}) });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

function request(
  session: ClientHttp2Session,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, ...options.headers });
    const chunks: Buffer[] = [];
    let headers: IncomingHttpHeaders = {};
    stream.on('response', (h) => (headers = h));
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    stream.end(options.body);
  });
}

const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

describe('a tablet on the kiosk HTTPS port', () => {
  it('gets the kiosk page, its assets, pairing, a selfie search and her thumbnails and previews over HTTP/2', async () => {
    const session = await tablet();
    try {
      expect(session.alpnProtocol).toBe('h2');

      const page = await request(session, 'GET', '/kiosk');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-store');
      const assets = [...page.body.toString().matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        const answer = await request(session, 'GET', asset);
        expect(`${asset} ${answer.status} ${answer.headers['cache-control']}`).toBe(`${asset} 200 public, max-age=31536000, immutable`);
      }
      // A range of the entry script, as a browser may ask for one.
      const range = await request(session, 'GET', assets[0]!, { headers: { range: 'bytes=0-9' } });
      expect([range.status, range.body.length]).toEqual([206, 10]);

      const paired = await request(
        session,
        'POST',
        '/kiosk-api/pair',
        json({ code: await newPairingCode(ev), name: 'Tablet by the door' }),
      );
      expect(paired.status).toBe(200);
      const cookie = /^(sf_kiosk=[^;]*)/.exec(String(paired.headers['set-cookie']))?.[1];
      expect(cookie).toBeDefined();
      const asKiosk = { cookie: cookie! };

      const me = await request(session, 'GET', '/kiosk-api/me', { headers: asKiosk });
      expect([me.status, JSON.parse(me.body.toString()).name]).toEqual([200, 'Tablet by the door']);
      const started = await request(session, 'POST', '/kiosk-api/sessions', {
        headers: { ...asKiosk, 'content-type': 'application/json' },
        body: JSON.stringify({ consent: true }),
      });
      expect(started.status).toBe(201);
      const id = (JSON.parse(started.body.toString()) as KioskSessionView).sessionId;
      const search = await request(session, 'POST', `/kiosk-api/sessions/${id}/selfie`, {
        headers: { ...asKiosk, 'content-type': 'image/jpeg' },
        body: selfie,
      });
      expect(`${search.status} ${search.body.toString().slice(0, 300)}`).toMatch(/^200 /);
      const found = (JSON.parse(search.body.toString()) as KioskResults).matches.map((m) => m.photoId).sort((a, b) => a - b);
      expect(found).toEqual(herIds);

      // Every thumbnail and preview of the results screen at once, on the one connection: the
      // same bytes and headers the laptop's plain HTTP port serves.
      const paths = found.flatMap((p) => ['thumb', 'preview'].map((kind) => `/kiosk-api/sessions/${id}/photos/${p}/${kind}`));
      const media = await Promise.all(paths.map((path) => request(session, 'GET', path, { headers: asKiosk })));
      for (const [i, m] of media.entries()) {
        const overHttp1 = await fetch(ev.url + paths[i]!, { headers: asKiosk });
        expect([m.status, m.headers['content-type'], m.headers['cache-control']]).toEqual([
          200,
          overHttp1.headers.get('content-type'),
          'no-store',
        ]);
        expect(m.headers['content-type']).toMatch(/^image\//);
        expect(Number(m.headers['content-length'])).toBe(m.body.length);
        expect(m.body.equals(Buffer.from(await overHttp1.arrayBuffer()))).toBe(true);
      }
      const head = await request(session, 'HEAD', paths[0]!, { headers: asKiosk });
      expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(media[0]!.body.length), 0]);

      const missing = await request(session, 'GET', '/kiosk-api/nothing-here', { headers: asKiosk });
      expect(missing.status).toBe(404);
      const otherSite = await request(session, 'GET', '/kiosk', { headers: { ':authority': 'rebind.evil.example' } });
      expect(otherSite.status).toBe(403);
    } finally {
      session.close();
    }
  });

  it('is told to wait, with Retry-After, after too many wrong pairing codes over HTTP/2', async () => {
    const session = await tablet('127.0.0.12');
    try {
      const answers: Answer[] = [];
      for (let i = 0; i < 11; i++) answers.push(await request(session, 'POST', '/kiosk-api/pair', json({ code: '000000', name: 'Guess' })));
      expect(answers.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(401));
      expect(answers[10]!.status).toBe(429);
      expect(Number(answers[10]!.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      session.close();
    }
  });

  it('still gets the kiosk page over HTTP/1.1 when its browser offers nothing else', async () => {
    const answer = await new Promise<{ status: number; protocol: string; body: string }>((resolve, reject) => {
      httpsGet(`${origin}/kiosk`, { agent: new Agent({ rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }) }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, protocol: res.httpVersion, body }));
      }).on('error', reject);
    });
    expect(answer.status).toBe(200);
    expect(answer.protocol).toBe('1.1');
    expect(answer.body).toContain('<div id="root">');
  });
});

describe('stopping with a tablet connected', () => {
  it('ends at once although a tablet holds an HTTP/2 connection with a live stream open', async () => {
    const own = await startServer(ev.engine, { eventName: EVENT, version: 'test', port: 0, lan: true });
    const session = await new Promise<ClientHttp2Session>((resolve, reject) => {
      const s = connect(`https://127.0.0.1:${new URL(own.kioskUrl).port}`, { rejectUnauthorized: false });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    session.on('error', () => {
      // The server going away mid-stream is what this test does.
    });
    const stream = session.request({ ':path': '/api/live', authorization: `Bearer ${own.operatorToken}` });
    stream.on('error', () => {
      // As above.
    });
    const status = await new Promise<number>((resolve) => stream.once('response', (h) => resolve(Number(h[':status']))));
    expect(status).toBe(200);
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    await own.close();
    await closed;
    expect(session.destroyed).toBe(true);
  });
});
