import { describe, expect, it } from 'vitest';
import { newCloudEventId, newJoinCode, normaliseJoinCode } from '../../../src/cloud/cloud-secrets.js';

describe('cloud secrets', () => {
  it('make join codes of ten unambiguous letters and digits in two groups', () => {
    for (let i = 0; i < 200; i++) expect(newJoinCode()).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{5}-[ACDEFGHJKMNPQRTUVWXY34679]{5}$/);
  });

  it('read a join code typed with spaces, small letters or no dash as the same code', () => {
    expect(normaliseJoinCode(' kxm7t 9qhwa ')).toBe('KXM7T9QHWA');
    expect(normaliseJoinCode('KXM7T-9QHWA')).toBe('KXM7T9QHWA');
  });

  it('make url-safe event ids of 16 characters', () => {
    expect(newCloudEventId()).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});
