// The console's state: sign-in, the current section, and what the live stream keeps current
// (overview, throughput history, the photo feed, deliveries). Section-only data is loaded by the section.
import { create } from 'zustand';
import type { DeliveryView, Overview, PhotoCard, SyncView } from '@api';
import type { LiveConnection } from '../shared/live.js';
import { appendOlder, upsertPhoto } from './feed.js';
import { sectionFromHash, type SectionId } from './sections.js';
import { addThroughputPoint, type ThroughputPoint } from './throughput.js';

/** 'unreachable': the engine did not answer at all (stopped, or another address). */
export type AuthState = 'checking' | 'signed-out' | 'signed-in' | 'unreachable';

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'success' | 'error';
}

/** Bumped when the live stream says a section's list changed, so an open section fetches it again. */
export interface Revisions {
  errors: number;
  sources: number;
  kiosks: number;
  people: number;
}

interface ConsoleState {
  auth: AuthState;
  /** Why the login screen is showing, when there is more to say than "sign in" (a stale link). */
  loginNotice: string | null;
  section: SectionId;
  overview: Overview | null;
  throughput: ThroughputPoint[];
  feed: PhotoCard[] | null;
  feedNextBefore: number | null;
  live: LiveConnection;
  deliveries: DeliveryView[] | null;
  /** Where the event's sync to the cloud stands; null until the Sync section first loads it. */
  sync: SyncView | null;
  revisions: Revisions;
  toasts: Toast[];

  signedIn(): void;
  signedOut(notice?: string): void;
  unreachable(): void;
  showSection(section: SectionId): void;
  receiveOverview(overview: Overview): void;
  receivePhoto(photo: PhotoCard): void;
  /** A photo that turned out to be half of another's capture (RAW+JPEG) is gone from the feed. */
  removePhoto(photoId: number): void;
  receiveFeedPage(photos: PhotoCard[], nextBefore: number | null, older: boolean): void;
  receiveDeliveries(deliveries: DeliveryView[]): void;
  receiveDelivery(delivery: DeliveryView): void;
  receiveSync(sync: SyncView): void;
  setLive(state: LiveConnection): void;
  bump(list: keyof Revisions): void;
  notify(text: string, tone?: Toast['tone']): void;
  dismiss(id: number): void;
}

const TOAST_MS = 4500;
let nextToastId = 1;

export const useConsole = create<ConsoleState>()((set, get) => ({
  auth: 'checking',
  loginNotice: null,
  section: sectionFromHash(window.location.hash),
  overview: null,
  throughput: [],
  feed: null,
  feedNextBefore: null,
  live: 'connecting',
  deliveries: null,
  sync: null,
  revisions: { errors: 0, sources: 0, kiosks: 0, people: 0 },
  toasts: [],

  signedIn: () => set({ auth: 'signed-in', loginNotice: null }),
  signedOut: (notice) => set((s) => ({ auth: 'signed-out', loginNotice: notice ?? s.loginNotice })),
  unreachable: () => set({ auth: 'unreachable' }),
  showSection: (section) => {
    if (window.location.hash !== `#${section}`) window.history.replaceState(null, '', `#${section}`);
    set({ section });
  },
  receiveOverview: (overview) => set((s) => ({ overview, throughput: addThroughputPoint(s.throughput, overview, Date.now()) })),
  receivePhoto: (photo) =>
    set((s) => ({
      feed: upsertPhoto(s.feed ?? [], photo),
      revisions: photo.status === 'failed' ? { ...s.revisions, errors: s.revisions.errors + 1 } : s.revisions,
    })),
  removePhoto: (photoId) => set((s) => (s.feed ? { feed: s.feed.filter((p) => p.id !== photoId) } : {})),
  receiveFeedPage: (photos, nextBefore, older) =>
    set((s) => ({ feed: older ? appendOlder(s.feed ?? [], photos) : photos, feedNextBefore: nextBefore })),
  receiveDeliveries: (deliveries) => set({ deliveries }),
  receiveDelivery: (delivery) =>
    set((s) => {
      if (!s.deliveries) return {};
      const others = s.deliveries.filter((d) => d.id !== delivery.id);
      return { deliveries: [delivery, ...others].sort((a, b) => b.id - a.id) };
    }),
  receiveSync: (sync) => set({ sync }),
  setLive: (live) => set({ live }),
  bump: (list) => set((s) => ({ revisions: { ...s.revisions, [list]: s.revisions[list] + 1 } })),
  notify: (text, tone = 'info') => {
    const id = nextToastId++;
    set((s) => ({ toasts: [...s.toasts, { id, text, tone }] }));
    window.setTimeout(() => get().dismiss(id), TOAST_MS);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));
