// Which blobs go together in a bundle: small ones in order until a bundle is full, large ones and
// resumed uploads alone, and nothing bundled for an endpoint that offers no bundles.
import { describe, expect, it } from 'vitest';
import { BUNDLE_BYTES, planUploads, type BundleOffer, type UploadItem } from '../../../src/sync/blob-bundles.js';
import type { SyncBlob } from '../../../src/store/index.js';

const KB = 1024;
const offer: BundleOffer = { maxBlobBytes: 1024 * KB, maxBundleBytes: 8 * 1024 * KB, maxBlobs: 500 };
let n = 0;
const blob = (size: number, over: Partial<SyncBlob> = {}): SyncBlob => ({
  sha256: (n++).toString(16).padStart(64, '0'),
  kind: 'thumb',
  size,
  path: `/data/t${n}.webp`,
  contentType: 'image/webp',
  waitedFor: false,
  uploadId: null,
  partSize: null,
  partCount: null,
  ...over,
});
/** Each item as the sizes of its blobs; a single blob as a number, a bundle as an array. */
const shape = (items: UploadItem[]) => items.map((i) => ('single' in i ? i.single.size : i.bundle.map((b) => b.size)));

describe('planning uploads', () => {
  it.each<[string, number[], BundleOffer | undefined, (number | number[])[]]>([
    [
      'thumbnails fill a bundle up to its bytes, then start the next',
      [400 * KB, 400 * KB, 400 * KB],
      offer,
      [[400 * KB, 400 * KB], [400 * KB]],
    ],
    [
      'a blob larger than the endpoint takes in a bundle goes alone, in its place',
      [30 * KB, 2048 * KB, 30 * KB],
      offer,
      [[30 * KB, 30 * KB], 2048 * KB],
    ],
    ['a blob exactly at the bundle size is a bundle of its own', [BUNDLE_BYTES, 10], offer, [[BUNDLE_BYTES], [10]]],
    ['an endpoint without bundles gets every blob alone', [30 * KB, 30 * KB], undefined, [30 * KB, 30 * KB]],
    [
      'the endpoint’s smaller limits hold',
      [30, 30, 30, 30, 30],
      { maxBlobBytes: 64 * KB, maxBundleBytes: 60, maxBlobs: 3 },
      [[30, 30], [30, 30], [30]],
    ],
    ['at most maxBlobs per bundle', [1, 1, 1, 1], { ...offer, maxBlobs: 3 }, [[1, 1, 1], [1]]],
    [
      'an endpoint taking only small blobs in bundles',
      [10 * KB, 20 * KB, 10 * KB],
      { ...offer, maxBlobBytes: 16 * KB },
      [[10 * KB, 10 * KB], 20 * KB],
    ],
  ])('%s', (_name, sizes, given, expected) => {
    expect(
      shape(
        planUploads(
          sizes.map((s) => blob(s)),
          given,
        ),
      ),
    ).toEqual(expected);
  });

  it('sends a blob whose multipart upload is under way on by itself, so it resumes from its recorded parts', () => {
    const resumed = blob(30 * KB, { uploadId: 'up-1', partSize: 16 * KB, partCount: 2 });
    const items = planUploads([blob(10 * KB), resumed, blob(10 * KB)], offer);
    expect(items).toEqual([
      { bundle: [expect.objectContaining({ size: 10 * KB }), expect.objectContaining({ size: 10 * KB })] },
      { single: resumed },
    ]);
  });

  it('keeps every blob exactly once, in order within its kind of item', () => {
    const blobs = Array.from({ length: 200 }, (_, i) => blob(((i * 7919) % 900) * KB + 1));
    const items = planUploads(blobs, offer);
    const flat = items.flatMap((i) => ('single' in i ? [i.single] : i.bundle));
    expect(flat.map((b) => b.sha256).sort()).toEqual(blobs.map((b) => b.sha256).sort());
    for (const i of items) if ('bundle' in i) expect(i.bundle.reduce((s, b) => s + b.size, 0)).toBeLessThanOrEqual(BUNDLE_BYTES);
  });
});
