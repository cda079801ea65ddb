import { describe, expect, it } from 'vitest';
import { PHOTO_THREAD_NICE, photoThreadNice } from '../../../src/photo/index.js';

describe('priority of the photo worker threads', () => {
  it.each([
    ['linux', PHOTO_THREAD_NICE],
    // Priority is per process there: lowering one thread would lower the selfie worker too.
    ['darwin', null],
    ['win32', null],
  ] as const)('on %s lowers a photo thread to %s', (platform, nice) => {
    expect(photoThreadNice(platform)).toBe(nice);
  });
});
