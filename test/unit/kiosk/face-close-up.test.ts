// A "Maybe you?" close-up is cut from the unblurred original: it is refused when a face that must
// not be published could show in it, and only then.
import { describe, expect, it } from 'vitest';
import { closeUpMayShow } from '../../../src/kiosk/face-close-up.js';

const HERS = [1000, 800, 100, 120] as const;

describe("a face's close-up next to faces that must not be published", () => {
  it('is refused for the face itself', () => {
    expect(closeUpMayShow(HERS, [{ box: HERS }])).toBe(true);
  });

  it('is refused when a hidden face stands close enough to show at its edge', () => {
    // Shoulder to shoulder: 30 px to her right, in the chip's padding.
    expect(closeUpMayShow(HERS, [{ box: [1130, 810, 100, 120] }])).toBe(true);
    // Just above her head, a face in the row behind.
    expect(closeUpMayShow(HERS, [{ box: [1000, 700, 90, 100] }])).toBe(true);
  });

  it('is shown when the hidden faces are farther than the chip reaches, or none is hidden', () => {
    expect(closeUpMayShow(HERS, [{ box: [1170, 800, 100, 120] }])).toBe(false);
    expect(closeUpMayShow(HERS, [{ box: [3000, 200, 300, 360] }])).toBe(false);
    expect(closeUpMayShow(HERS, [])).toBe(false);
  });
});
