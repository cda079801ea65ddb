// What the routes share: the engine, the event being served, and who may see what.
import type { Engine, Event } from '../core/index.js';
import { HttpError } from './http-errors.js';

export interface ServerContext {
  engine: Engine;
  /** The event `serve` runs; routes take `?event=` for another opened one. */
  eventName: string;
  version: string;
  operatorToken: string;
  lan: boolean;
  /** Base URL kiosks and phones use (LAN address when LAN is on). */
  publicUrl: () => string;
  /** The kiosk page's address: HTTPS on the LAN address when LAN is on (the camera needs it). */
  kioskUrl: () => string;
  /** Built renderer (index.html and assets); null when it was not built. */
  rendererDir: string | null;
}

export function eventOf(ctx: ServerContext, query: unknown): Event {
  const name = (query as { event?: unknown } | undefined)?.event;
  const wanted = typeof name === 'string' && name ? name : ctx.eventName;
  const event = ctx.engine.catalogue.events.byName(wanted);
  if (!event) throw new HttpError(404, 'not-found', `No event called "${wanted}" on this laptop.`);
  return event;
}
