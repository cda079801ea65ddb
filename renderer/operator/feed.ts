// The live feed's list: newest photo first; a photo's later updates (processing → ready) replace it in place.
import type { PhotoCard } from '@api';

/** Enough to fill a large screen several times without the page growing during a long event. */
export const FEED_LIMIT = 240;

export function upsertPhoto(feed: readonly PhotoCard[], photo: PhotoCard): PhotoCard[] {
  const index = feed.findIndex((p) => p.id === photo.id);
  if (index >= 0) {
    const next = feed.slice();
    next[index] = photo;
    return next;
  }
  // A new photo goes where its id puts it: ids grow as photos land, and the feed is newest first.
  const at = feed.findIndex((p) => p.id < photo.id);
  const next = at < 0 ? [...feed, photo] : [...feed.slice(0, at), photo, ...feed.slice(at)];
  // Keeps as many as the operator chose to load (older pages), at least FEED_LIMIT.
  return next.slice(0, Math.max(FEED_LIMIT, feed.length));
}

export function appendOlder(feed: readonly PhotoCard[], older: readonly PhotoCard[]): PhotoCard[] {
  const known = new Set(feed.map((p) => p.id));
  return [...feed, ...older.filter((p) => !known.has(p.id))];
}
