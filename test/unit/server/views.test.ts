// How store rows become what the console shows: face boxes as fractions of the photo, cameras by name.
import { describe, expect, it } from 'vitest';
import { cameraName, relativeBox } from '../../../src/server/views.js';

describe('relativeBox', () => {
  it.each([
    ['a face in a 6000x4000 photo', [1500, 1000, 600, 800], 6000, 4000, [0.25, 0.25, 0.1, 0.2]],
    ['the whole photo', [0, 0, 1920, 1080], 1920, 1080, [0, 0, 1, 1]],
    ['thirds, rounded to four decimals', [640, 360, 640, 360], 1920, 1080, [0.3333, 0.3333, 0.3333, 0.3333]],
  ] as const)('gives %s as fractions of the photo', (_what, box, width, height, expected) => {
    expect(relativeBox(box, width, height)).toEqual(expected);
  });

  it.each([
    ['no width', null, 4000],
    ['no height', 6000, null],
    ['a zero width', 0, 4000],
  ] as const)('gives an empty box for a photo with %s instead of dividing by nothing', (_what, width, height) => {
    expect(relativeBox([10, 10, 100, 100], width, height)).toEqual([0, 0, 0, 0]);
  });
});

describe('cameraName', () => {
  it.each([
    ['Canon', 'Canon EOS R5', '012345', 'Canon EOS R5 #012345'],
    ['Canon', 'EOS R5', null, 'Canon EOS R5'],
    ['SONY', 'ILCE-7M4', '4821', 'SONY ILCE-7M4 #4821'],
    ['FUJIFILM', 'fujifilm X-T5', null, 'fujifilm X-T5'],
    ['Canon', null, null, 'Canon'],
    [null, 'X100V', null, 'X100V'],
    [null, null, '999', 'Unknown camera'],
    [null, null, null, 'Unknown camera'],
  ] as const)('names make %s, model %s, serial %s as "%s"', (make, model, serial, expected) => {
    expect(cameraName(make, model, serial)).toBe(expected);
  });
});
