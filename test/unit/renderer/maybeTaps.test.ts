// The results screen after "Maybe you?" photos were tapped in and searched again: new photos join
// at the end, selected when sure, and nothing the visitor already sees moves or changes.
import { describe, expect, it } from 'vitest';
import type { KioskMatch } from '../../../src/api/index.js';
import { mergeConfirmedResults, tapsStillHold, type ShownResults } from '../../../renderer/kiosk/maybeTaps.js';

const m = (photoId: number): KioskMatch => ({
  photoId,
  thumbUrl: `/t/${photoId}`,
  previewUrl: `/p/${photoId}`,
  faceUrl: null,
  width: 600,
  height: 400,
});
const ids = (ms: readonly KioskMatch[]) => ms.map((x) => x.photoId);

const shown: ShownResults<KioskMatch> = {
  matches: [m(1), m(2)],
  // 10 tapped in, 11 not.
  maybe: [m(10), m(11)],
  // The visitor left photo 2 out.
  selected: new Set([1, 10]),
  foundByTaps: 0,
};

describe('mergeConfirmedResults', () => {
  it.each([
    {
      name: 'new sure photos join the end, selected, and are counted',
      results: { matches: [m(1), m(2), m(10), m(20), m(21)], maybe: [m(11)] },
      matches: [1, 2, 20, 21],
      maybe: [10, 11],
      selected: [1, 10, 20, 21],
      found: 2,
    },
    {
      name: 'a photo the visitor left out stays out',
      results: { matches: [m(2)], maybe: [] },
      matches: [1, 2],
      maybe: [10, 11],
      selected: [1, 10],
      found: 0,
    },
    {
      name: 'a maybe photo now sure stays where it was tapped, untouched if not tapped',
      results: { matches: [m(11)], maybe: [] },
      matches: [1, 2],
      maybe: [10, 11],
      selected: [1, 10],
      found: 0,
    },
    {
      name: 'new "maybe" photos join that section, unselected',
      results: { matches: [], maybe: [m(30), m(11), m(31)] },
      matches: [1, 2],
      maybe: [10, 11, 30, 31],
      selected: [1, 10],
      found: 0,
    },
  ])('$name', ({ results, matches, maybe, selected, found }) => {
    const after = mergeConfirmedResults(shown, results);
    expect(ids(after.matches)).toEqual(matches);
    expect(ids(after.maybe)).toEqual(maybe);
    expect([...after.selected].sort((a, b) => a - b)).toEqual(selected);
    expect(after.foundByTaps).toBe(found);
  });

  it('adds up over several taps', () => {
    const once = mergeConfirmedResults(shown, { matches: [m(20)], maybe: [] });
    const twice = mergeConfirmedResults(once, { matches: [m(20), m(21), m(22)], maybe: [] });
    expect(twice.foundByTaps).toBe(3);
    expect(ids(twice.matches)).toEqual([1, 2, 20, 21, 22]);
  });
});

describe('tapsStillHold', () => {
  it.each([
    { name: 'every photo searched with is still chosen', searchedWith: [10, 12], selected: [1, 10, 12], holds: true },
    { name: 'one was left out again while the search ran', searchedWith: [10, 12], selected: [1, 10], holds: false },
    { name: 'more were tapped in meanwhile (searched next)', searchedWith: [10], selected: [1, 10, 12], holds: true },
  ])('$name', ({ searchedWith, selected, holds }) => {
    expect(tapsStillHold(searchedWith, new Set(selected))).toBe(holds);
  });
});
