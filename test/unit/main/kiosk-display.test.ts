import { describe, expect, it } from 'vitest';
import { chooseKioskDisplay, type DisplayFacts } from '../../../src/main/kiosk-display.js';

const laptop: DisplayFacts = { id: 1, internal: true, label: 'Built-in Retina', bounds: { x: 0, y: 0, width: 1512, height: 982 } };
const tablet: DisplayFacts = { id: 2, internal: false, label: 'HDMI tablet', bounds: { x: 1512, y: 0, width: 1280, height: 800 } };
const tv: DisplayFacts = { id: 3, internal: false, label: 'Venue TV', bounds: { x: 2792, y: 0, width: 3840, height: 2160 } };

describe('the screen the kiosk goes full-screen on', () => {
  it.each([
    ['the operator’s pick when it is connected', [laptop, tablet], 1, 1, 1, 'operator-pick'],
    ['the external screen when the operator picked none', [laptop, tablet], 1, undefined, 2, 'external'],
    ['the external screen when the picked one was unplugged', [laptop, tablet], 1, 9, 2, 'external'],
    ['the largest external screen when there are two', [laptop, tablet, tv], 1, undefined, 3, 'external'],
    ['the laptop’s own screen when nothing else is plugged in', [laptop], 1, undefined, 1, 'primary'],
    ['an external primary when the lid is closed (no internal panel)', [tv], 3, undefined, 3, 'primary'],
  ] as const)('%s', (_what, displays, primary, pick, expected, why) => {
    const choice = chooseKioskDisplay(displays, primary, pick);
    expect(choice.display?.id).toBe(expected);
    expect(choice.why).toBe(why);
  });

  it('says there is no display rather than inventing one', () => {
    expect(chooseKioskDisplay([], 1)).toEqual({ display: null, why: 'no-display' });
  });
});
