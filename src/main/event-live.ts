// Whether an event is live: the moment updates wait, the laptop must not sleep and a
// notification is worth a sound. Live while a kiosk is open, or a folder is watched and photos
// arrived recently (a photographer between sets still counts: the next card is minutes away).

/** How long after the last photo an event with watched folders still counts as live. */
export const QUIET_AFTER_LAST_PHOTO_MS = 30 * 60_000;

export interface EventActivity {
  kioskOpen: boolean;
  watchedFolders: number;
  /** Epoch ms of the last photo that arrived, or null if none yet in this session. */
  lastPhotoAt: number | null;
  /** Photos still waiting or being processed. */
  queueDepth: number;
  now: number;
}

export function isEventLive(a: EventActivity): boolean {
  if (a.kioskOpen) return true;
  if (a.queueDepth > 0) return true;
  if (a.watchedFolders === 0 || a.lastPhotoAt === null) return false;
  return a.now - a.lastPhotoAt < QUIET_AFTER_LAST_PHOTO_MS;
}

/** Electron's powerSaveBlocker types: the kiosk screen must stay lit; a tether only needs the machine awake. */
export type PowerSaveNeed = 'prevent-display-sleep' | 'prevent-app-suspension' | 'none';

export function powerSaveNeed(a: { eventLive: boolean; kioskOpen: boolean }): PowerSaveNeed {
  if (a.kioskOpen) return 'prevent-display-sleep';
  return a.eventLive ? 'prevent-app-suspension' : 'none';
}
