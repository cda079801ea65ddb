import { describe, expect, it } from 'vitest';
import { GALLERY_PAGE_CACHE, GALLERY_PAGE_CONTENT_SECURITY_POLICY } from '../../../../src/cloud/gallery/index.js';
import { PAGE_CACHE, PAGE_CONTENT_SECURITY_POLICY } from '../../../../src/config/index.js';

describe('the cloud gallery page', () => {
  // The laptop's rules live in src/config; the cloud must take them from there, not keep a copy.
  it('is sent with the same security policy and cache rule as the laptop’s gallery page', () => {
    expect(GALLERY_PAGE_CONTENT_SECURITY_POLICY).toBe(PAGE_CONTENT_SECURITY_POLICY);
    expect(GALLERY_PAGE_CACHE).toBe(PAGE_CACHE.gallery);
  });
});
