import { describe, expect, it } from 'vitest';
import { decideLink, describeNonRegular, isInsideFolder, type EntryStats } from '../../../src/ingest/file-kind.js';

type Kind = 'file' | 'dir' | 'fifo' | 'socket' | 'char' | 'block';
const entry = (kind: Kind): EntryStats => ({
  isFile: () => kind === 'file',
  isDirectory: () => kind === 'dir',
  isFIFO: () => kind === 'fifo',
  isSocket: () => kind === 'socket',
  isCharacterDevice: () => kind === 'char',
  isBlockDevice: () => kind === 'block',
  isSymbolicLink: () => false,
});

describe('what an entry in a hot folder is', () => {
  it.each<[Kind, RegExp | null]>([
    ['file', null],
    ['fifo', /not a regular file: a named pipe \(FIFO\)/],
    ['socket', /not a regular file: a socket/],
    ['char', /not a regular file: a device/],
    ['block', /not a regular file: a device/],
    ['dir', /not a regular file: a folder/],
  ])('a %s is refused before opening with words that say what it is', (kind, expected) => {
    const words = describeNonRegular(entry(kind));
    if (expected === null) expect(words).toBeNull();
    else expect(words).toMatch(expected);
  });

  it.each<[string, string, boolean]>([
    ['/hot', '/hot/IMG_1.JPG', true],
    ['/hot', '/hot/sub/deep/IMG_1.JPG', true],
    ['/hot', '/hot', true],
    ['/hot', '/hot/..hidden-but-inside.jpg', true],
    ['/hot', '/etc/passwd', false],
    ['/hot', '/hot-other/IMG_1.JPG', false],
    ['/hot', '/', false],
    ['/hot/sub', '/hot/IMG_1.JPG', false],
  ])('a link in %s to %s stays inside: %s', (folder, target, inside) => {
    expect(isInsideFolder(folder, target)).toBe(inside);
    expect(decideLink(folder, target, false) === null).toBe(inside);
  });

  it('follows any link when the photographer turned ingest.followSymlinks on', () => {
    expect(decideLink('/hot', '/etc/passwd', true)).toBeNull();
  });

  it('says where a refused link leads and how to allow links', () => {
    expect(decideLink('/hot', '/home/me/.ssh/id_ed25519', false)?.reason).toMatch(
      /symbolic link to \/home\/me\/\.ssh\/id_ed25519, outside the watched folder \/hot.*ingest\.followSymlinks/,
    );
  });
});
