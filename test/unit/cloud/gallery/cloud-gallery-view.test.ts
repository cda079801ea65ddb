import { describe, expect, it } from 'vitest';
import type { GalleryPhoto, OpenedGallery } from '../../../../src/cloud/database/index.js';
import { cloudGalleryView, isShowable, mediaBlobOf } from '../../../../src/cloud/gallery/index.js';
import { imageTypeOf } from '../../../../src/cloud/gallery/image-type.js';

const T = 'thumb'.padEnd(64, '0');
const P = 'preview'.padEnd(64, '0');

function photo(id: number, blobs: Partial<GalleryPhoto> = {}): GalleryPhoto {
  return {
    id,
    sha256: String(id).padEnd(64, 'a'),
    fileName: `IMG_${id}.JPG`,
    capturedAt: null,
    width: 6000,
    height: 4000,
    thumbSha256: T,
    previewSha256: P,
    originalSha256: null,
    thumbStored: true,
    previewStored: true,
    originalStored: false,
    ...blobs,
  };
}

describe('a photo in the cloud gallery', () => {
  it.each([
    ['thumbnail and preview arrived', {}, true],
    ['only the thumbnail arrived', { previewStored: false }, false],
    ['only the preview arrived', { thumbStored: false }, true],
    ['the laptop made no preview', { previewSha256: null, previewStored: false }, false],
  ])('is shown when %s: %s', (_what, blobs, shown) => {
    expect(isShowable(photo(1, blobs))).toBe(shown);
  });

  it('has its preview sent in place of a thumbnail that has not arrived', () => {
    expect(mediaBlobOf(photo(1), 'thumb')).toBe(T);
    expect(mediaBlobOf(photo(1, { thumbStored: false }), 'thumb')).toBe(P);
    expect(mediaBlobOf(photo(1, { thumbSha256: null, thumbStored: false }), 'thumb')).toBe(P);
    expect(mediaBlobOf(photo(1), 'preview')).toBe(P);
    expect(mediaBlobOf(photo(1), 'download')).toBe(P);
    expect(mediaBlobOf(photo(1, { previewStored: false }), 'download')).toBeNull();
  });
});

describe('the cloud gallery view', () => {
  it('is the laptop’s GalleryView of the photos that can be shown, in order', () => {
    const gallery: OpenedGallery = {
      event: { id: 'ev1', name: 'Summer Gala' },
      expiresAt: new Date('2026-07-01T12:00:00Z'),
      photos: [photo(7), photo(3, { previewStored: false }), photo(5)],
      watermark: null,
    };
    expect(cloudGalleryView(gallery, 'tok')).toEqual({
      event: 'Summer Gala',
      expiresAt: '2026-07-01T12:00:00.000Z',
      zipUrl: '/gallery-api/tok/zip',
      photos: [7, 5].map((id) => ({
        photoId: id,
        thumbUrl: `/gallery-api/tok/photos/${id}/thumb`,
        previewUrl: `/gallery-api/tok/photos/${id}/preview`,
        downloadUrl: `/gallery-api/tok/photos/${id}/download`,
        width: 6000,
        height: 4000,
      })),
    });
  });
});

describe('the type of a stored image', () => {
  it.each([
    ['a JPEG', [0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'image/jpeg', '.jpg'],
    ['a WebP', [...Buffer.from('RIFF'), 1, 2, 3, 4, ...Buffer.from('WEBPVP8 ')], 'image/webp', '.webp'],
    ['a PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0], 'image/png', '.png'],
    ['an AVIF', [0, 0, 0, 0x1c, ...Buffer.from('ftypavif')], 'image/avif', '.avif'],
    ['a HEIC', [0, 0, 0, 0x18, ...Buffer.from('ftypheic')], 'image/heic', '.heic'],
    ['anything else', [1, 2, 3], 'application/octet-stream', '.bin'],
    ['nothing', [], 'application/octet-stream', '.bin'],
  ])('is read from the first bytes of %s', (_what, bytes, contentType, extension) => {
    expect(imageTypeOf(Uint8Array.from(bytes))).toEqual({ contentType, extension });
  });
});
