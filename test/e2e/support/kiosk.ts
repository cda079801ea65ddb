// A kiosk as the API sees it (pairing, a consented session, a selfie, take-home), for tests
// that need a gallery link without walking the kiosk screens, and the ids its results show.
import { readFile } from 'node:fs/promises';
import { request, type APIRequestContext, type APIResponse } from '@playwright/test';
import type { KioskResults, KioskSessionView, PairingCode, TakeHomeResponse } from '../../../src/api/index.js';
import { SELFIE_JPEG } from './paths.js';
import type { RunningServer } from './server.js';

/** A one-time pairing code, as the operator gets it in the console. */
export async function newPairingCode(server: RunningServer): Promise<string> {
  return (await server.api.post<PairingCode>('/api/kiosks/pairing-codes')).code;
}

/** `/kiosk-api/sessions/<s>/photos/<photoId>/thumb` → photoId. */
export function photoIdFromKioskUrl(url: string): number {
  const id = /\/photos\/(\d+)\//.exec(new URL(url, 'http://x').pathname)?.[1];
  if (!id) throw new Error(`no photo id in kiosk media URL ${url}`);
  return Number(id);
}

async function json<T>(res: APIResponse, what: string): Promise<T> {
  if (!res.ok()) throw new Error(`${what} answered ${res.status()}: ${await res.text()}`);
  return (await res.json()) as T;
}

export interface KioskVisit {
  results: KioskResults;
  takeHome: TakeHomeResponse;
}

/**
 * An attendee's whole visit through the kiosk API on a freshly paired kiosk: consent, the fake
 * camera's selfie, and taking home every photo found.
 */
export async function visitKioskByApi(server: RunningServer): Promise<KioskVisit> {
  const kiosk: APIRequestContext = await request.newContext({ baseURL: server.url });
  try {
    const code = await newPairingCode(server);
    const pair = await kiosk.post('/kiosk-api/pair', { data: { code, name: 'Gallery test kiosk' } });
    if (!pair.ok()) throw new Error(`POST /kiosk-api/pair answered ${pair.status()}: ${await pair.text()}`);
    const session = await json<KioskSessionView>(
      await kiosk.post('/kiosk-api/sessions', { data: { consent: true } }),
      'POST /kiosk-api/sessions',
    );
    const base = `/kiosk-api/sessions/${encodeURIComponent(session.sessionId)}`;
    const results = await json<KioskResults>(
      await kiosk.post(`${base}/selfie`, { data: await readFile(SELFIE_JPEG), headers: { 'content-type': 'image/jpeg' } }),
      `POST ${base}/selfie`,
    );
    const takeHome = await json<TakeHomeResponse>(
      await kiosk.post(`${base}/take-home`, {
        data: { photoIds: results.matches.map((m) => m.photoId), notifyOptIn: false },
      }),
      `POST ${base}/take-home`,
    );
    return { results, takeHome };
  } finally {
    await kiosk.dispose();
  }
}
