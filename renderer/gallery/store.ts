// An attendee's gallery page: the photos behind their link, or why the link no longer works.
import { create } from 'zustand';
import type { GalleryView } from '@api';
import { ApiRequestError, createApiClient, errorMessage } from '../shared/api.js';

export type GalleryState =
  | { state: 'loading' }
  | { state: 'ready'; gallery: GalleryView }
  | { state: 'expired' }
  | { state: 'not-found' }
  | { state: 'failed'; message: string };

interface GalleryStore {
  gallery: GalleryState;
  /** Index of the photo shown large, or null. */
  open: number | null;
  load(token: string): Promise<void>;
  show(index: number | null): void;
}

const api = createApiClient();

export const useGallery = create<GalleryStore>()((set) => ({
  gallery: { state: 'loading' },
  open: null,
  load: async (token) => {
    set({ gallery: { state: 'loading' } });
    try {
      const gallery = await api.get<GalleryView>(`/gallery-api/${encodeURIComponent(token)}`);
      set({ gallery: { state: 'ready', gallery } });
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 410) set({ gallery: { state: 'expired' } });
      else if (error instanceof ApiRequestError && error.status === 404) set({ gallery: { state: 'not-found' } });
      else set({ gallery: { state: 'failed', message: errorMessage(error) } });
    }
  },
  show: (open) => set({ open }),
}));
