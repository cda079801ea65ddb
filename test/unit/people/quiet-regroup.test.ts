import { describe, expect, it } from 'vitest';
import { QUIET_REGROUP_RULES, regroupDue, type EventActivity } from '../../../src/people/index.js';

const MIN = 60_000;
const now = 100 * MIN;
/** An event whose cameras paused two minutes ago, with 500 new faces among 5,000, never re-clustered. */
const paused: EventActivity = { lastPhotoAt: now - 2 * MIN, waiting: 0, newFaces: 500, faces: 5_000, lastRegroupAt: null };

describe('regroupDue: people are grouped again once the cameras pause', () => {
  it.each<[string, Partial<EventActivity>, boolean]>([
    ['the cameras paused a minute ago and new faces came', {}, true],
    ['a photo was made ready half a minute ago', { lastPhotoAt: now - 30_000 }, false],
    ['photos are still waiting to be processed', { waiting: 3 }, false],
    ['the last re-cluster was five minutes ago', { lastRegroupAt: now - 5 * MIN }, false],
    ['the last re-cluster was eleven minutes ago', { lastRegroupAt: now - 11 * MIN }, true],
    ['only 19 new faces', { newFaces: 19, faces: 100 }, false],
    ['20 new faces in a small event', { newFaces: 20, faces: 100 }, true],
    ['1,999 new faces among 100,000 (under 2%)', { newFaces: 1_999, faces: 100_000 }, false],
    ['2,000 new faces among 100,000', { newFaces: 2_000, faces: 100_000 }, true],
  ])('%s: %s', (_, change, due) => {
    expect(regroupDue({ ...paused, ...change }, now, QUIET_REGROUP_RULES)).toBe(due);
  });
});
