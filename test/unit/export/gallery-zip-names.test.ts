// Names inside an attendee's gallery ZIP (src/export/gallery-zip.ts): two cameras both write
// IMG_0001.JPG, and an unzip tool must not overwrite one photo with the other.
import { describe, expect, it } from 'vitest';
import { uniqueEntryNames } from '../../../src/export/index.js';

describe('uniqueEntryNames', () => {
  it.each([
    ['leaves distinct names alone', ['IMG_0001.jpg', 'IMG_0002.jpg'], ['IMG_0001.jpg', 'IMG_0002.jpg']],
    ['numbers a repeated name before its extension', ['IMG_0001.jpg', 'IMG_0001.jpg', 'IMG_0001.jpg'], ['IMG_0001.jpg', 'IMG_0001 (2).jpg', 'IMG_0001 (3).jpg']],
    ['numbers repeats wherever they are in the list', ['a.jpg', 'b.jpg', 'a.jpg'], ['a.jpg', 'b.jpg', 'a (2).jpg']],
    ['puts the number last for a name without an extension', ['README', 'README'], ['README', 'README (2)']],
    ['uses only the last dot as the extension', ['party.final.jpg', 'party.final.jpg'], ['party.final.jpg', 'party.final (2).jpg']],
    ['keeps an empty list empty', [], []],
  ])('%s', (_what, names, expected) => {
    expect(uniqueEntryNames(names)).toEqual(expected);
  });

  it('never gives two entries the same name, even when a photo is already called "IMG_0001 (2).jpg"', () => {
    const names = ['IMG_0001.jpg', 'IMG_0001.jpg', 'IMG_0001 (2).jpg'];
    const unique = uniqueEntryNames(names);
    expect(new Set(unique).size).toBe(names.length);
    expect(unique.slice(0, 2)).toEqual(['IMG_0001.jpg', 'IMG_0001 (2).jpg']);
  });
});
