// The kiosk as a state machine: pairing → attract → consent → camera → searching → results
// → take-home → thanks → attract. Every visitor's session ends (and its selfie is deleted) on the way back.
import { create } from 'zustand';
import type {
  ConfirmMaybeRequest,
  KioskIdentity,
  KioskMatch,
  KioskOptOutRequest,
  KioskOptOutResponse,
  KioskResults,
  KioskSessionView,
  PairRequest,
  StartSessionRequest,
  TakeHomeRequest,
  TakeHomeResponse,
} from '@api';
import { ApiRequestError, errorMessage } from '../shared/api.js';
import { coalesced } from './coalescedCalls.js';
import { guidanceFor, type Guidance } from './guidance.js';
import { mergeConfirmedResults, tapsStillHold } from './maybeTaps.js';

export type KioskScreen =
  'loading' | 'offline' | 'pairing' | 'attract' | 'consent' | 'camera' | 'searching' | 'results' | 'take-home' | 'thanks';

/** Screens a visitor is in the middle of: the idle timer and "Start over" apply to these. */
export const VISITOR_SCREENS: ReadonlySet<KioskScreen> = new Set(['consent', 'camera', 'searching', 'results', 'take-home', 'thanks']);

export interface TakeHomeChoice {
  contact: TakeHomeRequest['contact'];
  notifyOptIn: boolean;
  /** The chosen photos unless given: none when a visitor nobody photographed yet asks for new ones. */
  photoIds?: number[];
}

interface KioskState {
  screen: KioskScreen;
  identity: KioskIdentity | null;
  session: KioskSessionView | null;
  matches: KioskMatch[];
  /** "Maybe you?" photos: shown apart, unselected; they go home only when tapped in. */
  maybe: KioskMatch[];
  /** Photos found because the visitor tapped "Maybe you?" photos in (their faces searched with the selfie). */
  foundByTaps: number;
  /** Counts the selfie searches of this kiosk: an answer to taps on an earlier search's photos is dropped. */
  searchNumber: number;
  selected: ReadonlySet<number>;
  /** Why the last selfie could not be used; shown on the camera screen. */
  guidance: Guidance | null;
  takeHome: TakeHomeResponse | null;
  /** What the visitor chose on the take-home screen, for the thanks screen. */
  sentTo: string | null;
  /** The visitor asked for new photos: the selfie is kept (for the retention shown) instead of deleted. */
  optedIn: boolean;
  /** The visitor asked not to be published: their face is blurred wherever photos are shared. */
  optedOut: boolean;
  busy: boolean;
  error: string | null;

  boot(): Promise<void>;
  unpaired(): void;
  pair(code: string, name: string): Promise<void>;
  begin(): void;
  agree(): Promise<void>;
  searchSelfie(selfie: Blob): Promise<void>;
  retake(): void;
  toggle(photoId: number): void;
  /** Searches again with the "Maybe you?" photos the visitor tapped in: more of their photos come back, selected. */
  confirmMaybe(): Promise<void>;
  selectAll(all: boolean): void;
  toTakeHome(): void;
  requestTakeHome(choice: TakeHomeChoice): Promise<TakeHomeResponse | null>;
  /** "Don't publish photos of me", after the visitor confirmed it. */
  optOut(): Promise<boolean>;
  /** The QR code for the chosen photos, asked for once when the take-home screen opens. */
  ensureQr(): void;
  finish(): void;
  startOver(): void;
}

// The API client needs the store (for 401) and the store needs the client: imported lazily to break the cycle.
const api = async () => (await import('./api.js')).kioskApi;

/** Session calls answering these mean the session is gone (expired, ended elsewhere): begin again. */
const SESSION_GONE = new Set([404, 410]);

/** Everything one visitor leaves behind, as it is before the next one starts. */
const freshVisit = () => ({
  session: null,
  matches: [],
  maybe: [],
  foundByTaps: 0,
  searchNumber: 0,
  selected: new Set<number>(),
  guidance: null,
  takeHome: null,
  sentTo: null,
  optedIn: false,
  optedOut: false,
  busy: false,
  error: null,
});

export const useKiosk = create<KioskState>()((set, get) => ({
  screen: 'loading',
  identity: null,
  ...freshVisit(),

  boot: async () => {
    try {
      const identity = await (await api()).get<KioskIdentity>('/kiosk-api/me');
      set({ identity, screen: 'attract', error: null });
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401) return; // unpaired() has run
      set({ screen: 'offline', error: errorMessage(error) });
    }
  },

  unpaired: () => set({ screen: 'pairing', identity: null, session: null, busy: false }),

  pair: async (code, name) => {
    set({ busy: true, error: null });
    try {
      const body: PairRequest = { code, name };
      await (await api()).post('/kiosk-api/pair', body);
      await get().boot();
      set({ busy: false });
    } catch (error) {
      set({ busy: false, error: errorMessage(error), screen: 'pairing' });
    }
  },

  begin: () => set({ screen: 'consent', error: null }),

  agree: async () => {
    set({ busy: true, error: null });
    try {
      const body: StartSessionRequest = { consent: true };
      const session = await (await api()).post<KioskSessionView>('/kiosk-api/sessions', body);
      set({ session, busy: false, screen: 'camera', guidance: null });
    } catch (error) {
      set({ busy: false, error: errorMessage(error) });
    }
  },

  searchSelfie: async (selfie) => {
    const { session } = get();
    if (!session) return;
    set({ screen: 'searching', guidance: null, error: null });
    try {
      const results = await (
        await api()
      ).upload<KioskResults>(`/kiosk-api/sessions/${encodeURIComponent(session.sessionId)}/selfie`, selfie);
      // The sure photos start selected (most visitors want all of theirs); "maybe" photos never do.
      set({
        screen: 'results',
        matches: results.matches,
        maybe: results.maybe,
        foundByTaps: 0,
        searchNumber: get().searchNumber + 1,
        selected: new Set(results.matches.map((m) => m.photoId)),
      });
    } catch (error) {
      if (error instanceof ApiRequestError && SESSION_GONE.has(error.status)) return get().startOver();
      const code = error instanceof ApiRequestError ? error.code : null;
      set({ screen: 'camera', guidance: guidanceFor(code, errorMessage(error)) });
    }
  },

  retake: () => set({ screen: 'camera', guidance: null, matches: [], maybe: [], foundByTaps: 0, selected: new Set(), error: null }),

  toggle: (photoId) => {
    const tappedIn = !get().selected.has(photoId) && get().maybe.some((m) => m.photoId === photoId);
    set((s) => {
      const selected = new Set(s.selected);
      if (selected.has(photoId)) selected.delete(photoId);
      else selected.add(photoId);
      return { selected };
    });
    if (tappedIn) void get().confirmMaybe();
  },

  // Quick taps coalesce: one search in flight, one more after it with every photo tapped by then.
  confirmMaybe: coalesced(async () => {
    const { session, searchNumber } = get();
    if (!session) return;
    const confirmed = get()
      .maybe.map((m) => m.photoId)
      .filter((id) => get().selected.has(id));
    // All tapped out again before this run began: nothing to search with.
    if (!confirmed.length) return;
    try {
      const body: ConfirmMaybeRequest = { photoIds: confirmed };
      const results = await (
        await api()
      ).post<KioskResults>(`/kiosk-api/sessions/${encodeURIComponent(session.sessionId)}/confirm-maybe`, body);
      const now = get();
      if (now.session?.sessionId !== session.sessionId || now.searchNumber !== searchNumber || now.screen !== 'results') return;
      // She left out one of these photos while the search ran: its finds may be a stranger's.
      // Search again with the ones she still has in (the next run of this coalesced call).
      if (!tapsStillHold(confirmed, now.selected)) {
        if (now.maybe.some((m) => now.selected.has(m.photoId))) void get().confirmMaybe();
        return;
      }
      set((s) => mergeConfirmedResults(s, results));
    } catch (error) {
      if (error instanceof ApiRequestError && SESSION_GONE.has(error.status)) return get().startOver();
      // The tapped photo stays chosen; only the extra search failed, which the visitor need not hear about.
    }
  }),

  // The sure photos only: "maybe" photos the visitor tapped in stay as they are.
  selectAll: (all) =>
    set((s) => ({
      selected: new Set([
        ...(all ? s.matches.map((m) => m.photoId) : []),
        ...s.maybe.map((m) => m.photoId).filter((id) => s.selected.has(id)),
      ]),
    })),

  toTakeHome: () => set({ screen: 'take-home', takeHome: null, error: null }),

  requestTakeHome: async ({ contact, notifyOptIn, photoIds }) => {
    const { session, selected } = get();
    if (!session) return null;
    set({ busy: true, error: null });
    try {
      // Asking again in the same session updates the same gallery and delivery on the server.
      const body: TakeHomeRequest = { photoIds: photoIds ?? [...selected], notifyOptIn, ...(contact ? { contact } : {}) };
      const takeHome = await (
        await api()
      ).post<TakeHomeResponse>(`/kiosk-api/sessions/${encodeURIComponent(session.sessionId)}/take-home`, body);
      set((s) => ({ takeHome, busy: false, sentTo: contact?.address ?? s.sentTo, optedIn: s.optedIn || notifyOptIn }));
      return takeHome;
    } catch (error) {
      if (error instanceof ApiRequestError && SESSION_GONE.has(error.status)) {
        get().startOver();
        return null;
      }
      set({ busy: false, error: errorMessage(error) });
      return null;
    }
  },

  optOut: async () => {
    const { session } = get();
    if (!session) return false;
    set({ busy: true, error: null });
    try {
      const body: KioskOptOutRequest = { confirm: true };
      await (await api()).post<KioskOptOutResponse>(`/kiosk-api/sessions/${encodeURIComponent(session.sessionId)}/do-not-publish`, body);
      set({ busy: false, optedOut: true });
      return true;
    } catch (error) {
      if (error instanceof ApiRequestError && SESSION_GONE.has(error.status)) {
        get().startOver();
        return false;
      }
      set({ busy: false, error: errorMessage(error) });
      return false;
    }
  },

  ensureQr: () => {
    const { takeHome, busy, selected } = get();
    if (takeHome || busy || selected.size === 0) return;
    void get().requestTakeHome({ contact: undefined, notifyOptIn: false });
  },

  finish: () => set({ screen: 'thanks' }),

  startOver: () => {
    const { session, identity } = get();
    if (session) {
      // Ending deletes the selfie; the next visitor must not wait for it, and a failure is logged by the
      // server's own session expiry anyway.
      void api()
        .then((client) => client.post(`/kiosk-api/sessions/${encodeURIComponent(session.sessionId)}/end`))
        .catch((error: unknown) => console.warn(`Ending kiosk session failed: ${errorMessage(error)}`));
    }
    set({ screen: identity ? 'attract' : 'loading', ...freshVisit() });
    if (!identity) void get().boot();
  },
}));
