// Signing the console in (token from the address, or typed) and keeping it fed by the live stream.
import { useEffect } from 'react';
import type { DeliveryList, LoginRequest, Overview, PhotoPage } from '@api';
import { ApiRequestError, errorMessage } from '../shared/api.js';
import { openLiveStream } from '../shared/live.js';
import { operatorApi } from './api.js';
import { useConsole } from './store.js';

const FIRST_PAGE = 60;
/** After the server refused the stream, how long before asking again (it may have restarted). */
const LIVE_RETRY_MS = 3000;

/** Exchanges the operator token for the session cookie; throws ApiRequestError (401) for a wrong one. */
export async function signIn(token: string): Promise<void> {
  const body: LoginRequest = { token: token.trim() };
  await operatorApi.post('/api/login', body);
  await checkSession();
}

/** Asks for the overview: it either signs the console in or (401) shows the login screen. */
export async function checkSession(): Promise<void> {
  const store = useConsole.getState();
  try {
    const overview = await operatorApi.get<Overview>('/api/overview');
    store.receiveOverview(overview);
    store.signedIn();
  } catch (error) {
    // 401 has already switched to the login screen (operatorApi's onUnauthorized).
    if (error instanceof ApiRequestError && error.status === 401) return;
    if (error instanceof ApiRequestError && error.status !== 0) {
      // The engine answered, only not with an overview: the console still works for everything else.
      store.signedIn();
      return;
    }
    store.unreachable();
  }
}

/** First visit through the link `shutterfind serve` prints: /console?token=… signs in and drops the token from the address. */
export async function startSession(): Promise<void> {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    try {
      await signIn(token);
      return;
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401) {
        useConsole.getState().signedOut('The token in that link was not accepted (the server may have been restarted with a new one).');
      }
    }
  }
  await checkSession();
}

export async function loadFeed(older: boolean): Promise<void> {
  const { feedNextBefore, receiveFeedPage } = useConsole.getState();
  const query = new URLSearchParams({ limit: String(FIRST_PAGE) });
  if (older && feedNextBefore !== null) query.set('before', String(feedNextBefore));
  const page = await operatorApi.get<PhotoPage>(`/api/photos?${query}`);
  receiveFeedPage(page.photos, page.nextBefore, older);
}

/**
 * How often at most an open People page reloads while photos with faces land: their faces join
 * persons as they are stored, and a burst of a photo a second would otherwise reload it each time.
 */
const PEOPLE_REFRESH_MS = 5_000;

/** While signed in: the SSE stream feeds the store; a refused stream re-checks the session. */
export function useLiveStream(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const store = useConsole.getState();
    let close: (() => void) | null = null;
    let retry: number | undefined;
    let hadOpened = false;
    // New faces join persons as each photo is stored: the People page reloads at most every
    // PEOPLE_REFRESH_MS while photos with faces land, not once per photo of a burst.
    let peopleRefresh: number | undefined;
    const newFacesLanded = () => {
      if (peopleRefresh !== undefined) return;
      peopleRefresh = window.setTimeout(() => {
        peopleRefresh = undefined;
        store.bump('people');
      }, PEOPLE_REFRESH_MS);
    };

    const connect = () => {
      close = openLiveStream(
        '/api/live',
        {
          overview: (e) => store.receiveOverview(e.overview),
          photo: (e) => {
            store.receivePhoto(e.photo);
            if (e.photo.status === 'ready' && e.photo.faces.length) newFacesLanded();
          },
          'file-failed': (e) => {
            store.bump('errors');
            store.notify(`Could not process ${e.path.split(/[\\/]/).pop() ?? e.path}: ${e.error}`, 'error');
          },
          source: () => store.bump('sources'),
          delivery: (e) => store.receiveDelivery(e.delivery),
          'kiosk-match': () => store.bump('kiosks'),
          'photo-merged': (e) => store.removePhoto(e.droppedPhotoId),
          sync: (e) => store.receiveSync(e.sync),
          'people-regrouped': () => store.bump('people'),
        },
        (state) => {
          // Events sent while the stream was down are not replayed: fetch the feed again on reconnect.
          if (state === 'open' && hadOpened) void loadFeed(false).catch(() => undefined);
          if (state === 'open') hadOpened = true;
          store.setLive(state);
          if (state === 'closed') {
            close?.();
            retry = window.setTimeout(() => {
              void checkSession().then(() => {
                if (useConsole.getState().auth === 'signed-in') connect();
              });
            }, LIVE_RETRY_MS);
          }
        },
      );
    };
    connect();
    operatorApi
      .get<DeliveryList>('/api/deliveries')
      .then((list) => store.receiveDeliveries(list.deliveries))
      .catch(() => undefined); // The Deliveries section shows the failure when opened.
    loadFeed(false).catch((error: unknown) => {
      store.receiveFeedPage([], null, false);
      store.notify(`Could not load the photos: ${errorMessage(error)}`, 'error');
    });
    return () => {
      window.clearTimeout(retry);
      window.clearTimeout(peopleRefresh);
      close?.();
    };
  }, [enabled]);
}
