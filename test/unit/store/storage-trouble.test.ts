// Which failed saves are the storage's trouble (retried until space is freed, the drive is back
// or the lock released) and which are a fault of the program (the photo fails with a reason).
import { describe, expect, it } from 'vitest';
import { isDatabaseDamage, isStorageTrouble } from '../../../src/store/index.js';

const coded = (code: string) => Object.assign(new Error(code), { code });

describe('isStorageTrouble', () => {
  it.each([
    ['SQLITE_FULL', true],
    ['SQLITE_IOERR_WRITE', true],
    ['SQLITE_BUSY', true],
    ['SQLITE_LOCKED_SHAREDCACHE', true],
    ['SQLITE_READONLY', true],
    ['SQLITE_CANTOPEN', true],
    ['SQLITE_CORRUPT', true],
    ['SQLITE_NOTADB', true],
    ['ENOSPC', true],
    ['EIO', true],
    ['SQLITE_CONSTRAINT_UNIQUE', false],
    ['SQLITE_ERROR', false],
    ['SQLITE_MISMATCH', false],
    ['ERR_INVALID_ARG_TYPE', false],
  ])('%s → %s', (code, expected) => {
    expect(isStorageTrouble(coded(code))).toBe(expected);
  });

  it('a TypeError or a thrown string is a fault of the program', () => {
    expect(isStorageTrouble(new TypeError("Cannot read properties of undefined (reading 'length')"))).toBe(false);
    expect(isStorageTrouble('boom')).toBe(false);
  });

  it('a damaged file is storage trouble of its own kind', () => {
    expect(isDatabaseDamage(coded('SQLITE_CORRUPT_VTAB'))).toBe(true);
    expect(isDatabaseDamage(coded('SQLITE_FULL'))).toBe(false);
  });
});
