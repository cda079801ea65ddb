// The console's header figures for an event, from the engine's status.
import type { Overview } from '../api/index.js';
import { HttpError } from './http-errors.js';
import type { ServerContext } from './server-context.js';

export function readOverview(ctx: ServerContext, eventName: string): Overview {
  const status = ctx.engine.status(eventName);
  if (!status) throw new HttpError(404, 'not-found', `No event called "${eventName}".`);
  const provider = status.faces.provider;
  return {
    event: status.event,
    version: ctx.version,
    operatorToken: ctx.operatorToken,
    publicUrl: ctx.publicUrl(),
    lan: ctx.lan,
    photos: status.photos,
    queue: status.queue,
    throughput: status.throughput,
    faces: {
      found: status.faces.found,
      persons: status.faces.persons,
      provider: provider?.active ?? null,
      detector: provider?.detector ?? null,
      providerNote: provider?.fallbackReason ?? null,
    },
    storage: status.storage ? { freeBytes: status.storage.freeBytes, low: status.storage.low } : null,
    scene: { model: status.scene.model, embedded: status.scene.embedded, ofPhotos: status.scene.ofPhotos },
  };
}
