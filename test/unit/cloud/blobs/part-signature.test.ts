import { describe, expect, it } from 'vitest';
import { isValidBlobKey } from '../../../../src/cloud/blobs/index.js';
import { partUrl, signPartAddress, verifyPartAddress, type PartAddress } from '../../../../src/cloud/blobs/part-signature.js';

const secret = 'a-signing-secret-of-some-length';
const address: PartAddress = {
  key: 'events/e1/' + 'f'.repeat(64),
  uploadId: 'AbCdEfGhIjKlMnOpQr',
  partNumber: 2,
  expiresAt: 1_800_000_000_000,
};
const now = 1_700_000_000_000;

describe('signed part addresses of the directory store', () => {
  it('are valid as signed until they expire', () => {
    const sig = signPartAddress(secret, address);
    expect(verifyPartAddress(secret, address, sig, now)).toBe('valid');
    expect(verifyPartAddress(secret, address, sig, address.expiresAt)).toBe('expired');
  });

  it.each([
    ['another key', { key: 'events/e2/' + 'f'.repeat(64) }],
    ['another upload', { uploadId: 'AbCdEfGhIjKlMnOpQs' }],
    ['another part', { partNumber: 3 }],
    ['a later expiry', { expiresAt: address.expiresAt + 1 }],
  ])('are altered when given %s', (_what, change) => {
    const sig = signPartAddress(secret, address);
    expect(verifyPartAddress(secret, { ...address, ...change }, sig, now)).toBe('altered');
  });

  it('are altered when signed with another secret or cut short', () => {
    expect(verifyPartAddress(secret, address, signPartAddress('another-secret-entirely', address), now)).toBe('altered');
    expect(verifyPartAddress(secret, address, signPartAddress(secret, address).slice(0, 10), now)).toBe('altered');
    expect(verifyPartAddress(secret, address, '', now)).toBe('altered');
  });

  it('are URLs of the endpoint itself', () => {
    const url = new URL(partUrl('https://cloud.example/base/', secret, address));
    expect(url.pathname).toBe('/base/blob-parts/AbCdEfGhIjKlMnOpQr/2');
    expect(url.searchParams.get('key')).toBe(address.key);
    expect(url.searchParams.get('exp')).toBe(String(address.expiresAt));
    expect(url.searchParams.get('sig')).toBe(signPartAddress(secret, address));
  });
});

describe('blob keys', () => {
  it.each(['events/abc/' + 'a'.repeat(64), 'x', 'a/b.c/d_e-f'])('accepts %s', (key) => expect(isValidBlobKey(key)).toBe(true));
  it.each(['', '/abs', '../up', 'a/../b', 'a//b', '.uploads/x', 'a/.hidden', 'a\\b', 'a/b.tmp', 'a b'])('refuses %j', (key) =>
    expect(isValidBlobKey(key)).toBe(false),
  );
});
