// What `status`, the health endpoint and (later) the console show about an event.
import type { PhotoCounts, Repositories, SourceState } from '../store/index.js';

export interface EventStatus {
  event: string;
  photos: PhotoCounts;
  queue: { depth: number };
  throughput: { readyLastMinute: number; photosPerSecond: number };
  sources: { path: string; state: SourceState; error: string | null }[];
  errors: { photoId: number; path: string; error: string; at: string }[];
}

const THROUGHPUT_WINDOW_MS = 60_000;
const ERRORS_SHOWN = 50;

export function readEventStatus(repos: Repositories, eventName: string, now: number): EventStatus | undefined {
  const event = repos.events.findEventByName(eventName);
  if (!event) return undefined;
  const readyLastMinute = repos.photos.countReadySince(event.id, now - THROUGHPUT_WINDOW_MS);
  return {
    event: event.name,
    photos: repos.photos.countPhotos(event.id),
    queue: { depth: repos.jobs.queueDepth(event.id) },
    throughput: {
      readyLastMinute,
      photosPerSecond: Math.round((readyLastMinute / (THROUGHPUT_WINDOW_MS / 1000)) * 100) / 100,
    },
    sources: repos.sources.listSources(event.id).map((s) => ({ path: s.path, state: s.state, error: s.error })),
    errors: repos.photos.recentErrors(event.id, ERRORS_SHOWN).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
  };
}
