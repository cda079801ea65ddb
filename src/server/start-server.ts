// Starts the local server for an engine: operator token, selfie worker, kiosk sessions, the
// address kiosks and phones use, and server.json for the desktop shell and tests.
import { rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { Engine } from '../core/index.js';
import { createSelfiePool, loadMatchThreshold, type SelfieAnalyser } from '../vision/index.js';
import { buildHttpServer } from './http-server.js';
import { createKioskSessions } from './kiosk-sessions.js';
import { pickLanAddress } from './lan-address.js';
import { builtRendererDir } from './renderer-pages.js';
import { loadOrCreateOperatorToken } from './secrets.js';
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
  operatorToken: string;
  /** Lines for the photographer's terminal: addresses, token, and a QR of the kiosk page on the LAN. */
  banner(): Promise<string>;
  close(): Promise<void>;
}

export async function startServer(engine: Engine, options: StartServerOptions): Promise<RunningServer> {
  const operatorToken = loadOrCreateOperatorToken(engine.layout.operatorToken);
  const settings = engine.settings;
  const selfies: SelfieAnalyser = createSelfiePool({
    provider: settings.faces.provider,
    threads: engine.threads,
    detect: { minFacePx: settings.faces.minFacePx, minScore: settings.faces.minScore, tiling: settings.faces.tiling, maxFaces: settings.faces.maxFacesPerPhoto },
  });
  const threshold = loadMatchThreshold().threshold;
  let publicUrl = '';
  const kioskSessions = createKioskSessions({ repos: engine.repos, faceIndexes: engine.faceIndexes, selfies, threshold, publicUrl: () => publicUrl });
  const ctx: ServerContext = {
    engine,
    eventName: options.eventName,
    version: options.version,
    operatorToken,
    lan: options.lan,
    publicUrl: () => publicUrl,
    selfies,
    threshold,
    kioskSessions,
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
    await selfies.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`Port ${options.port} is already in use (another Shutterfind?): stop it or pass --port with a free port.`);
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  const lanAddress = options.lan ? pickLanAddress(networkInterfaces()) : null;
  publicUrl = lanAddress ? `http://${lanAddress}:${port}` : url;
  if (!engine.settings.faces.enabled) engine.log.warn('Face analysis is off in settings: kiosks will find no photos.');
  writeFileSync(engine.layout.serverInfo, JSON.stringify({ url, publicUrl, operatorToken, pid: process.pid, event: options.eventName }, null, 2), { mode: 0o600 });

  return {
    app,
    url,
    publicUrl,
    operatorToken,
    async banner() {
      const lines = [`Operator console: ${url}/console?token=${operatorToken}`, `Operator token:   ${operatorToken}`];
      if (options.lan && lanAddress) {
        lines.push(`Kiosks and phones on the venue network: ${publicUrl}/kiosk (pair it from the console's Kiosks page)`);
        lines.push(await QRCode.toString(`${publicUrl}/kiosk`, { type: 'terminal', small: true }));
      } else if (options.lan) {
        lines.push('LAN is on, but this laptop has no network address yet: join the venue network; kiosks use http://<this laptop>:' + port + '/kiosk');
      } else {
        lines.push('Kiosk (this laptop only; add --lan for tablets on the venue network): ' + `${url}/kiosk`);
      }
      return lines.join('\n');
    },
    async close() {
      await app.close();
      await selfies.close();
      rmSync(engine.layout.serverInfo, { force: true });
    },
  };
}
