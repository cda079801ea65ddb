import { describe, expect, it } from 'vitest';
import { isEventLive, powerSaveNeed, QUIET_AFTER_LAST_PHOTO_MS, type EventActivity } from '../../../src/main/event-live.js';

const now = 1_000_000_000;
const quiet: EventActivity = { kioskOpen: false, watchedFolders: 0, lastPhotoAt: null, queueDepth: 0, now };

describe('whether an event is live', () => {
  it.each<[string, Partial<EventActivity>, boolean]>([
    ['not before anything happened', {}, false],
    ['live while a kiosk is open', { kioskOpen: true }, true],
    ['live while photos wait in the queue', { queueDepth: 3 }, true],
    ['live when a watched folder got a photo a minute ago', { watchedFolders: 1, lastPhotoAt: now - 60_000 }, true],
    [
      'over once the watched folder has been quiet for the quiet period',
      { watchedFolders: 1, lastPhotoAt: now - QUIET_AFTER_LAST_PHOTO_MS },
      false,
    ],
    ['not live with a folder watched but no photo yet', { watchedFolders: 1 }, false],
  ])('%s', (_what, change, live) => {
    expect(isEventLive({ ...quiet, ...change })).toBe(live);
  });
});

describe('keeping the laptop awake', () => {
  it.each([
    [{ eventLive: true, kioskOpen: true }, 'prevent-display-sleep'],
    [{ eventLive: true, kioskOpen: false }, 'prevent-app-suspension'],
    [{ eventLive: false, kioskOpen: false }, 'none'],
  ] as const)('%o → %s', (state, need) => {
    expect(powerSaveNeed(state)).toBe(need);
  });
});
