// Who is asking: the operator (token), a paired kiosk (device cookie) or nobody. Checked once
// per request by route prefix, so a new operator route cannot forget its guard.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import type { KioskDevice } from '../core/index.js';
import { HttpError } from './http-errors.js';
import { sameSecret } from '../config/index.js';

export const OPERATOR_COOKIE = 'sf_operator';
export const KIOSK_COOKIE = 'sf_kiosk';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on /kiosk-api requests from a paired kiosk. */
    kiosk: KioskDevice | null;
  }
}

const OPEN_ROUTES = new Set(['/api/login', '/kiosk-api/pair']);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  return request.cookies[name] || undefined;
}

export function isOperator(request: FastifyRequest, operatorToken: string): boolean {
  const given = bearer(request) ?? cookie(request, OPERATOR_COOKIE);
  return given !== undefined && sameSecret(given, operatorToken);
}

export function installAuth(
  app: FastifyInstance,
  deps: { operatorToken: string; identifyKiosk: (token: string) => KioskDevice | undefined },
): void {
  app.decorateRequest('kiosk', null);
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    // The route the router matched, never the raw URL: `/%61pi/overview` is routed to
    // /api/overview, so a prefix test on the still-encoded URL would let it through.
    const path = request.routeOptions.url;
    if (path === undefined || OPEN_ROUTES.has(path)) return;
    if (path.startsWith('/api/')) {
      if (!isOperator(request, deps.operatorToken)) {
        throw new HttpError(
          401,
          'unauthorized',
          'Operator token missing or wrong: use the token `shutterfind serve` printed (also in the console settings).',
        );
      }
      return;
    }
    if (path.startsWith('/kiosk-api/')) {
      const token = bearer(request) ?? cookie(request, KIOSK_COOKIE);
      const device = token ? deps.identifyKiosk(token) : undefined;
      if (!device) throw new HttpError(401, 'unauthorized', 'This screen is not paired as a kiosk: ask the operator for a pairing code.');
      request.kiosk = device;
    }
  });
}

/** The paired kiosk of a /kiosk-api request (the hook guarantees it). */
export function kioskOf(request: FastifyRequest): KioskDevice {
  if (!request.kiosk) throw new HttpError(401, 'unauthorized', 'This screen is not paired as a kiosk.');
  return request.kiosk;
}
