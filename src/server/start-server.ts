// Starts the local server for an engine: operator token, selfie worker, kiosk sessions, the
// address kiosks and phones use, and server.json for the desktop shell and tests.
import { rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { Engine } from '../core/index.js';
import { buildHttpServer } from './http-server.js';
import { loadOrCreateKioskCertificate, type KioskCertificate } from './kiosk-certificate.js';
import { lanAddresses, pickLanAddress } from './lan-address.js';
import { builtRendererDir, loadOrCreateOperatorToken } from '../config/index.js';
import type { ServerContext } from './server-context.js';

export interface StartServerOptions {
  eventName: string;
  version: string;
  port: number;
  /** Open to the venue network instead of this laptop only. */
  lan: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  /** Where this laptop reaches the server. */
  url: string;
  /** Where kiosks and phones reach it (the LAN address when LAN is on). */
  publicUrl: string;
  /** The kiosk page: https on the LAN address when LAN is on, else on this laptop. */
  kioskUrl: string;
  operatorToken: string;
  /** Lines for the photographer's terminal: addresses, token, and a QR of the kiosk page on the LAN. */
  banner(): Promise<string>;
  close(): Promise<void>;
}

/** The port the server was asked to listen on is taken or not allowed: the message says which and what to do. */
export class PortUnavailableError extends Error {
  override name = 'PortUnavailableError';
  constructor(
    readonly port: number,
    readonly reason: 'in-use' | 'not-allowed',
  ) {
    super(
      reason === 'in-use'
        ? `Port ${port} is already in use by another program (another Shutterfind?): stop that program, or start on a free port with --port <N> (e.g. --port ${port === 0 ? 4000 : port + 10}).`
        : `Port ${port} needs administrator rights on this system: start on a port from 1024 up with --port <N> (e.g. --port 4000).`,
    );
  }
}

/** The error to show for a failed listen: the two everyday causes in one sentence each, anything else as it came. */
function listenError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new PortUnavailableError(port, 'in-use');
  if (code === 'EACCES') return new PortUnavailableError(port, 'not-allowed');
  return err;
}

export async function startServer(engine: Engine, options: StartServerOptions): Promise<RunningServer> {
  const operatorToken = loadOrCreateOperatorToken(engine.layout.operatorToken);
  const settings = engine.settings;
  let publicUrl = '';
  let kioskUrl = '';
  const ctx: ServerContext = {
    engine,
    eventName: options.eventName,
    version: options.version,
    operatorToken,
    lan: options.lan,
    publicUrl: () => publicUrl,
    kioskUrl: () => kioskUrl,
    rendererDir: builtRendererDir(),
  };
  const app = await buildHttpServer(ctx, {
    host: options.lan ? '0.0.0.0' : settings.server.host,
    port: options.port,
    maxUploadBytes: settings.server.maxUploadBytes,
    kioskSearchesPerMinute: settings.server.kioskSearchesPerMinute,
  });
  try {
    await app.listen({ host: options.lan ? '0.0.0.0' : settings.server.host, port: options.port });
  } catch (err) {
    throw listenError(err, options.port);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  const interfaces = networkInterfaces();
  const lanAddress = options.lan ? pickLanAddress(interfaces) : null;
  publicUrl = lanAddress ? `http://${lanAddress}:${port}` : url;
  kioskUrl = `${url}/kiosk`;
  // The same routes over HTTPS for kiosk tablets: one Fastify instance, a second listener.
  let https: { server: Http2SecureServer; sockets: Set<Socket>; port: number; certificate: KioskCertificate } | null = null;
  if (options.lan) {
    try {
      const certificate = await loadOrCreateKioskCertificate(engine.layout.tls, lanAddresses(interfaces), (why) =>
        engine.log.warn(`Making a new kiosk certificate: the saved one cannot be used (${why}). Tablets will ask to accept it once more.`),
      );
      // HTTP/2, because a browser opens at most six HTTP/1.1 connections to a host and a results
      // screen's 24 thumbnails queued behind them: measured in Chromium, loopback, 2-120 ms of
      // waiting per thumbnail on the server, 24 on an open page took a median 415 ms over
      // HTTP/1.1 and 271 ms over HTTP/2 (docs/guide/console-and-kiosk.md). allowHTTP1: a browser
      // that does not offer h2 still gets HTTP/1.1. Fastify answers HTTP/2's compatibility request
      // and response as it does Node's HTTP/1 ones (the cast is for its types only), but an h2
      // request has no Host header (http-server.ts reads request.host) and may carry no
      // connection headers (live-events.ts sets none).
      const server = createSecureServer({ allowHTTP1: true, key: certificate.key, cert: certificate.cert }, (req, res) =>
        app.routing(req as unknown as IncomingMessage, res as unknown as ServerResponse),
      );
      // An HTTP/2 server has no closeAllConnections(): its sockets are kept to be ended on close().
      const sockets = new Set<Socket>();
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      const wanted = settings.server.kioskHttpsPort || (options.port === 0 ? 0 : port + 1);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(wanted, '0.0.0.0', () => resolve());
      });
      https = { server, sockets, port: (server.address() as AddressInfo).port, certificate };
      kioskUrl = `https://${lanAddress ?? '127.0.0.1'}:${https.port}/kiosk`;
    } catch (err) {
      const why = listenError(err, settings.server.kioskHttpsPort || port + 1);
      // A taken port is an everyday event, not a bug: one line, no stack.
      if (why instanceof PortUnavailableError) {
        engine.log.error(
          `Kiosk HTTPS could not start: port ${why.port} is ${why.reason === 'in-use' ? 'already in use by another program' : 'not allowed'}. Tablets on the venue network will not get the camera: stop that program, or set "server": {"kioskHttpsPort": N} to a free port.`,
        );
      } else {
        engine.log.error(
          { err },
          `Kiosk HTTPS could not start (${(err as Error).message}): tablets on the venue network will not get the camera. Set "server": {"kioskHttpsPort": N} to a free port.`,
        );
      }
    }
  }
  if (!engine.settings.faces.enabled) engine.log.warn('Face analysis is off in settings: kiosks will find no photos.');
  // In the background: serving starts now, and the first selfie finds the models loaded.
  let closing = false;
  engine.warmUpSelfies().catch((err: unknown) => {
    if (!closing)
      engine.log.error(
        { err },
        `The selfie worker could not load the face models (${(err as Error).message}): kiosk searches will fail until this is fixed.`,
      );
  });
  writeFileSync(
    engine.layout.serverInfo,
    JSON.stringify(
      { url, publicUrl, kioskUrl, kioskHttpsPort: https?.port ?? null, operatorToken, pid: process.pid, event: options.eventName },
      null,
      2,
    ),
    { mode: 0o600 },
  );

  return {
    app,
    url,
    publicUrl,
    kioskUrl,
    operatorToken,
    async banner() {
      const lines = [`Operator console: ${url}/console?token=${operatorToken}`, `Operator token:   ${operatorToken}`];
      if (options.lan && lanAddress) {
        lines.push(`Kiosk tablets on the venue network: ${kioskUrl} (pair it from the console's Kiosks page)`);
        if (https) {
          lines.push(
            `  The tablet warns once about this laptop's own certificate: accept it if it shows SHA-256 ${https.certificate.fingerprint}`,
          );
        }
        lines.push(await QRCode.toString(kioskUrl, { type: 'terminal', small: true }));
        lines.push(`Attendee galleries open at ${publicUrl}/g/… on phones on the same network.`);
      } else if (options.lan) {
        lines.push(
          'LAN is on, but this laptop has no network address yet: join the venue network; kiosks use http://<this laptop>:' +
            port +
            '/kiosk',
        );
      } else {
        lines.push('Kiosk (this laptop only; add --lan for tablets on the venue network): ' + `${url}/kiosk`);
      }
      return lines.join('\n');
    },
    async close() {
      closing = true;
      if (https) {
        const { server, sockets } = https;
        // A tablet keeps its connection (and maybe a stream) open: a stop must not wait for it.
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
      }
      await app.close();
      rmSync(engine.layout.serverInfo, { force: true });
    },
  };
}
