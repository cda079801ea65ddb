import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, human } from '../../../src/cli/output.js';

describe('text shown on a terminal', () => {
  it.each<[string, string, string]>([
    ['an ESC sequence that would clear the screen', 'IMG\u001b[2J\u001b[H.jpg', 'IMG\\e[2J\\e[H.jpg'],
    ['a newline that would forge a line', 'a.jpg\n    ✗ everything is fine', 'a.jpg\\n    ✗ everything is fine'],
    ['a carriage return that would overwrite the line', 'a.jpg\rok', 'a.jpg\\rok'],
    ['a bell and a NUL', 'a\u0007b\u0000c', 'a\\x07b\\x00c'],
    ['DEL and a C1 control (8-bit CSI)', 'a\u007fb\u009bc', 'a\\x7fb\\x9bc'],
    ['a right-to-left override that would disguise the extension', 'photo\u202egpj.exe', 'photo\\u202egpj.exe'],
    ['a Windows path (backslashes are kept)', 'C:\\Photos\\IMG_1.JPG', 'C:\\Photos\\IMG_1.JPG'],
    ['unicode names', 'Zoë & Paweł カメラ 0001.jpg', 'Zoë & Paweł カメラ 0001.jpg'],
  ])('shows %s as visible escapes', (_what, raw, shown) => {
    expect(escapeControlCharacters(raw)).toBe(shown);
  });

  it('escapes twice to the same text', () => {
    const once = escapeControlCharacters('x\u001b[31m\ny');
    expect(escapeControlCharacters(once)).toBe(once);
  });

  it("escapes what a template interpolates but keeps the template's own line breaks", () => {
    const path = '/hot/evil\u001b[2J\nfake.jpg';
    expect(human`  ✗ ${path}\n      ${'bad'} (${3})`).toBe('  ✗ /hot/evil\\e[2J\\nfake.jpg\n      bad (3)');
  });
});
