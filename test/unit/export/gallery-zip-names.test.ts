// Names inside an attendee's gallery ZIP (src/export/file-names.ts): two cameras both write
// IMG_0001.JPG, and an unzip tool must not overwrite one photo with the other; a photo named
// `..\..\evil.jpg` or `CON.jpg` in the hot folder must become a plain file where it is unzipped.
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { safeFileName, uniqueEntryNames, zipEntryNames, zipGallery } from '../../../src/export/index.js';
import { readZipEntries } from '../../e2e/support/zip-entries.js';

describe('uniqueEntryNames', () => {
  it.each([
    ['leaves distinct names alone', ['IMG_0001.jpg', 'IMG_0002.jpg'], ['IMG_0001.jpg', 'IMG_0002.jpg']],
    [
      'numbers a repeated name before its extension',
      ['IMG_0001.jpg', 'IMG_0001.jpg', 'IMG_0001.jpg'],
      ['IMG_0001.jpg', 'IMG_0001 (2).jpg', 'IMG_0001 (3).jpg'],
    ],
    ['numbers repeats wherever they are in the list', ['a.jpg', 'b.jpg', 'a.jpg'], ['a.jpg', 'b.jpg', 'a (2).jpg']],
    ['puts the number last for a name without an extension', ['README', 'README'], ['README', 'README (2)']],
    ['uses only the last dot as the extension', ['party.final.jpg', 'party.final.jpg'], ['party.final.jpg', 'party.final (2).jpg']],
    ['keeps an empty list empty', [], []],
    [
      'numbers names that differ only in case (Windows and macOS unzip them to one file)',
      ['IMG_0001.jpg', 'img_0001.JPG'],
      ['IMG_0001.jpg', 'img_0001 (2).JPG'],
    ],
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

/** Why an unzip tool on Windows, macOS or Linux would not extract `name` as one plain file in the folder it unzips to; null when it would. */
function notPlain(name: string): string | null {
  if (/[/\\<>:"|?*\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name)) return 'a separator, control or forbidden character';
  if (/^[. ]|[. ]$/.test(name)) return 'a leading or trailing dot or space';
  if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(name.split('.')[0]!)) return 'a reserved device name';
  if (!name) return 'empty';
  if (Buffer.byteLength(name) > 200) return 'over 200 bytes';
  return null;
}

const expectPlainFileName = (name: string): void =>
  expect(`${JSON.stringify(name)}: ${notPlain(name) ?? 'plain'}`).toBe(`${JSON.stringify(name)}: plain`);

describe('safeFileName', () => {
  it.each([
    ['keeps an ordinary camera name', 'IMG_0001.jpg', 'IMG_0001.jpg'],
    ['keeps spaces, accents and emoji inside a name', 'Ünïcode café 🎉.jpg', 'Ünïcode café 🎉.jpg'],
    ['takes the name after Windows path separators and drops every ..', '..\\..\\evil.jpg', 'evil.jpg'],
    ['takes the name after Unix path separators', '../../etc/evil.jpg', 'evil.jpg'],
    ['drops a drive and its folders', 'C:\\Windows\\System32\\evil.jpg', 'evil.jpg'],
    ['turns a drive letter without a separator into a plain name', 'C:evil.jpg', 'C_evil.jpg'],
    ['drops a UNC server and share', '\\\\server\\share\\evil.jpg', 'evil.jpg'],
    ['replaces terminal escapes and newlines', 'IMG\u001b[2J\nfake.jpg', 'IMG_[2J_fake.jpg'],
    ['replaces characters Windows refuses', 'a<b>c:d"e|f?g*h.jpg', 'a_b_c_d_e_f_g_h.jpg'],
    ['removes a right-to-left override that disguises the extension', 'photo\u202Egpj.exe', 'photogpj.exe'],
    ['prefixes a reserved device name', 'CON.jpg', '_CON.jpg'],
    ['prefixes a reserved device name in any case, with more dots', 'lpt1.tar.jpg', '_lpt1.tar.jpg'],
    ['leaves a name that only starts like a device name', 'CONCERT.jpg', 'CONCERT.jpg'],
    ['drops leading dots so nothing is hidden or a parent', '...jpg', 'jpg'],
    ['drops trailing dots and spaces Windows would drop', 'IMG_0001.jpg. . ', 'IMG_0001.jpg'],
    ['falls back to "photo" when nothing is left', '..\\..\\', 'photo'],
    ['falls back to "photo" for an empty name', '', 'photo'],
    ['composes decomposed accents (a macOS name) into one character', 'Cafe\u0301.jpg', 'Café.jpg'],
  ])('%s', (_what, name, expected) => {
    expect(safeFileName(name)).toBe(expected);
    expectPlainFileName(safeFileName(name));
  });

  it('shortens a very long name to 200 bytes and keeps its extension', () => {
    const safe = safeFileName(`${'é'.repeat(300)}.jpg`);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(200);
    expect(safe).toMatch(/^é+\.jpg$/);
  });

  it('gives a plain file name for every character from U+0000 to U+206F, alone or between two letters', () => {
    const failures: string[] = [];
    for (let code = 0; code <= 0x206f; code++) {
      const ch = String.fromCharCode(code);
      for (const name of [ch, `a${ch}b.jpg`, `${ch}${ch}.jpg`, `${ch}\\${ch}`]) {
        const why = notPlain(safeFileName(name));
        if (why) failures.push(`${JSON.stringify(name)} → ${JSON.stringify(safeFileName(name))}: ${why}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('leaves a safe name as it is (safe twice is safe once)', () => {
    for (const name of ['..\\..\\evil.jpg', 'CON.jpg', 'IMG\u001b[2J\nfake.jpg', ' .hidden. ', 'a<b>.jpg']) {
      expect(safeFileName(safeFileName(name))).toBe(safeFileName(name));
    }
  });
});

describe('zipEntryNames', () => {
  it('makes hostile names plain and distinct, even when they collide only after cleaning or in case', () => {
    const names = zipEntryNames([
      '..\\..\\evil.jpg',
      '../evil.jpg',
      'evil.jpg',
      'IMG_0001.jpg',
      'img_0001.JPG',
      'CON.jpg',
      'C:\\x\\CON.jpg',
    ]);
    expect(names).toEqual(['evil.jpg', 'evil (2).jpg', 'evil (3).jpg', 'IMG_0001.jpg', 'img_0001 (2).JPG', '_CON.jpg', '_CON (2).jpg']);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });
});

describe('zipGallery', () => {
  it('writes a ZIP an unzip tool reads back, with hostile photo names as plain distinct entries and every photo in it', async () => {
    const hostile = ['..\\..\\evil.jpg', 'C:\\Windows\\evil.jpg', '/etc/passwd', 'IMG\u001b[2J\nfake.jpg', 'NUL', 'a.jpg', 'A.JPG'];
    const entries = hostile.map((name, i) => ({ name, source: { bytes: async () => Buffer.from(`photo ${i}`) } }));
    const failures: Error[] = [];
    const zip = await buffer(zipGallery(entries, (err) => failures.push(err)));
    expect(failures).toEqual([]);
    const read = readZipEntries(zip);
    expect(read.map((e) => e.name)).toEqual(['evil.jpg', 'evil (2).jpg', 'passwd', 'IMG_[2J_fake.jpg', '_NUL', 'a.jpg', 'A (2).JPG']);
    expect(read.map((e) => e.bytes.toString())).toEqual(hostile.map((_, i) => `photo ${i}`));
    for (const e of read) expectPlainFileName(e.name);
  });
});
