// GET /api/live: server-sent events for the console. Photos as they land and finish, failures,
// folders going offline, deliveries, and the overview every two seconds for the chart.
import type { FastifyInstance } from 'fastify';
import type { EngineEvents } from '../core/index.js';
import type { LiveEvent } from '../api/index.js';
import { photoCardOf, sourceViews } from './operator-routes.js';
import { readOverview } from './overview.js';
import { eventOf, type ServerContext } from './server-context.js';
import { toDeliveryView } from './views.js';

const OVERVIEW_EVERY_MS = 2_000;

export interface LiveHub {
  /** For parts of the server that produce events themselves (kiosk re-matches). */
  publish(eventId: number, event: LiveEvent): void;
}

export function registerLiveEvents(app: FastifyInstance, ctx: ServerContext): LiveHub {
  const listeners = new Set<{ eventId: number; send: (e: LiveEvent) => void }>();
  const publish = (eventId: number, e: LiveEvent): void => {
    for (const l of listeners) if (l.eventId === eventId) l.send(e);
  };
  // Cards cost a few queries per photo: only made while a console is watching the event.
  const watched = (eventId: number): boolean => [...listeners].some((l) => l.eventId === eventId);

  const onPhoto = (...[o]: EngineEvents['photo']): void => {
    if (o.status === 'retrying' || !watched(o.eventId)) return;
    const card = photoCardOf(ctx, o.photoId);
    if (card) publish(o.eventId, { type: 'photo', photo: card });
  };
  const onAdmission = (...[a]: EngineEvents['admission']): void => {
    // A JPEG joining its RAW's photo changes that photo's card (its file, maybe rendered again).
    if ((a.admission.outcome !== 'added' && a.admission.outcome !== 'paired') || !watched(a.eventId)) return;
    const card = photoCardOf(ctx, a.admission.photoId);
    if (card) publish(a.eventId, { type: 'photo', photo: card });
  };
  const onFileFailed = (...[f]: EngineEvents['file-failed']): void =>
    publish(f.eventId, { type: 'file-failed', path: f.path, error: f.error });
  // An opted-in attendee's new photos (the engine matched them): the console's kiosk and deliveries pages move.
  const onKioskMatch = (...[m]: EngineEvents['kiosk-match']): void => {
    publish(m.eventId, { type: 'kiosk-match', sessionId: m.sessionId, photos: m.photoIds.length });
    for (const id of m.deliveryIds) {
      const e = deliveryEvent(ctx, id);
      if (e) publish(m.eventId, e);
    }
  };
  const onSource = (...[s]: EngineEvents['source']): void => {
    if (!watched(s.eventId)) return;
    const view = sourceViews(ctx, s.eventId).find((v) => v.id === s.id);
    if (view) publish(s.eventId, { type: 'source', source: view });
  };
  ctx.engine.bus.on('photo', onPhoto);
  ctx.engine.bus.on('admission', onAdmission);
  ctx.engine.bus.on('file-failed', onFileFailed);
  ctx.engine.bus.on('source', onSource);
  ctx.engine.bus.on('kiosk-match', onKioskMatch);
  const onPeopleRegrouped = (...[r]: EngineEvents['people-regrouped']): void =>
    publish(r.eventId, { type: 'people-regrouped', persons: r.persons });
  ctx.engine.bus.on('people-regrouped', onPeopleRegrouped);
  const onCaptureMerged = (...[m]: EngineEvents['capture-merged']): void => {
    publish(m.eventId, { type: 'photo-merged', keptPhotoId: m.keptPhotoId, droppedPhotoId: m.droppedPhotoId });
    const card = watched(m.eventId) ? photoCardOf(ctx, m.keptPhotoId) : undefined;
    if (card) publish(m.eventId, { type: 'photo', photo: card });
  };
  ctx.engine.bus.on('capture-merged', onCaptureMerged);
  // Sync's own throttle (about once a second per event) keeps this cheap: no card to build.
  const onSync = (...[view]: EngineEvents['sync']): void => publish(view.eventId, { type: 'sync', sync: view });
  ctx.engine.bus.on('sync', onSync);
  app.addHook('onClose', async () => {
    ctx.engine.bus.off('sync', onSync);
    ctx.engine.bus.off('capture-merged', onCaptureMerged);
    ctx.engine.bus.off('kiosk-match', onKioskMatch);
    ctx.engine.bus.off('people-regrouped', onPeopleRegrouped);
    ctx.engine.bus.off('photo', onPhoto);
    ctx.engine.bus.off('admission', onAdmission);
    ctx.engine.bus.off('file-failed', onFileFailed);
    ctx.engine.bus.off('source', onSource);
  });

  app.get('/api/live', (request, reply) => {
    const event = eventOf(ctx, request.query);
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      // No `connection: keep-alive`: Node sends it itself over HTTP/1.1, and HTTP/2 (the kiosk's
      // HTTPS port) forbids connection headers (Node drops it with a warning).
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    const send = (e: LiveEvent): void => {
      if (!out.writableEnded) out.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const sendOverview = (): void => {
      try {
        send({ type: 'overview', overview: readOverview(ctx, event.name) });
      } catch (err) {
        ctx.engine.log.warn({ err }, 'Live overview failed');
      }
    };
    // Reconnecting browsers wait this long before trying again (EventSource's retry field).
    out.write('retry: 2000\n\n');
    sendOverview();
    const listener = { eventId: event.id, send };
    listeners.add(listener);
    const timer = setInterval(sendOverview, OVERVIEW_EVERY_MS);
    request.raw.on('close', () => {
      clearInterval(timer);
      listeners.delete(listener);
    });
  });

  return {
    publish,
  };
}

export const deliveryEvent = (ctx: ServerContext, deliveryId: number): LiveEvent | null => {
  const d = ctx.engine.catalogue.delivery(deliveryId);
  return d ? { type: 'delivery', delivery: toDeliveryView(d) } : null;
};
