// The engine's local HTTP server. For now: health. The operator API, kiosk and galleries
// are added here by the UI work, behind operator/kiosk/attendee authentication.
import Fastify, { type FastifyInstance } from 'fastify';
import type { EventStatus } from '../core/index.js';

export interface HealthSource {
  version: string;
  eventName: string;
  status(): EventStatus | undefined;
  workerThreads: number;
}

export interface HttpServerOptions {
  host: string;
  port: number;
}

export async function startHttpServer(source: HealthSource, options: HttpServerOptions): Promise<{ app: FastifyInstance; url: string }> {
  // Kiosks and consoles hold keep-alive connections; a stop must not wait for them to go idle.
  const app = Fastify({ logger: false, bodyLimit: 1 << 20, forceCloseConnections: true });
  app.get('/health', async () => {
    const status = source.status();
    return {
      ok: true,
      version: source.version,
      event: source.eventName,
      workerThreads: source.workerThreads,
      photos: status?.photos ?? null,
      queue: status?.queue ?? null,
      sources: status?.sources.map((s) => ({ state: s.state })) ?? [],
      storage: status?.storage ? { freeBytes: status.storage.freeBytes, low: status.storage.low } : null,
    };
  });
  const address = await app.listen({ host: options.host, port: options.port });
  return { app, url: address };
}
