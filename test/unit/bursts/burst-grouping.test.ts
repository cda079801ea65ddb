import { describe, expect, it } from 'vitest';
import {
  cameraKeyOf,
  chooseBestFrame,
  DEFAULT_BURST_RULES,
  eyeAspectRatio,
  groupBursts,
  imageSharpness,
  multiFrameBursts,
  needsImageSharpness,
  type BurstFrame,
} from '../../../src/bursts/index.js';

const BASE_HASH = 0x9f3a_5c21_77e0_14bdn;
/** The base hash with its lowest `bits` bits flipped: a Hamming distance of exactly `bits`. */
const hashAt = (bits: number): string => (BASE_HASH ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(16, '0');

function frame(photoId: number, capturedAt: number, over: Partial<BurstFrame> = {}): BurstFrame {
  return { photoId, capturedAt, cameraKey: 'serial:Canon:1', phash: hashAt(0), clip: null, sharpness: 0.5, eyesOpen: null, ...over };
}

const unit = (...v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

const ids = (frames: BurstFrame[]): number[][] => groupBursts(frames).map((g) => g.frames.map((f) => f.photoId));

describe('groupBursts', () => {
  it.each<[string, BurstFrame[], number[][]]>([
    [
      'joins near-identical frames a third of a second apart',
      [frame(1, 0), frame(2, 300, { phash: hashAt(3) }), frame(3, 600, { phash: hashAt(5) })],
      [[1, 2, 3]],
    ],
    ['joins frames that share an EXIF second', [frame(1, 1000), frame(2, 1000), frame(3, 2000)], [[1, 2, 3]]],
    [
      'splits where the pause exceeds two seconds',
      [frame(1, 0), frame(2, 1500), frame(3, 3600), frame(4, 4000)],
      [
        [1, 2],
        [3, 4],
      ],
    ],
    [
      'splits at a pHash jump (a new scene) even within the gap',
      [frame(1, 0), frame(2, 300), frame(3, 600, { phash: hashAt(30) }), frame(4, 900, { phash: hashAt(30) })],
      [
        [1, 2],
        [3, 4],
      ],
    ],
    ['keeps a change of exactly the pHash limit', [frame(1, 0), frame(2, 300, { phash: hashAt(16) })], [[1, 2]]],
    ['splits one bit past the pHash limit', [frame(1, 0), frame(2, 300, { phash: hashAt(17) })], [[1], [2]]],
    [
      'never joins frames of different camera bodies',
      [frame(1, 0), frame(2, 100, { cameraKey: 'serial:Canon:2' }), frame(3, 200)],
      [[1, 3], [2]],
    ],
    ['sorts by capture time before grouping', [frame(3, 600), frame(1, 0), frame(2, 300)], [[1, 2, 3]]],
    [
      'vetoes a join when both CLIP vectors disagree',
      [frame(1, 0, { clip: unit(1, 0, 0) }), frame(2, 300, { clip: unit(1, 0.05, 0) }), frame(3, 600, { clip: unit(0, 1, 0) })],
      [[1, 2], [3]],
    ],
    ['ignores CLIP when only one frame has a vector', [frame(1, 0, { clip: unit(1, 0, 0) }), frame(2, 300)], [[1, 2]]],
  ])('%s', (_name, frames, expected) => {
    expect(ids(frames)).toEqual(expected);
  });

  it('measures pHash drift against the first frame too, so a slow pan cannot chain scenes together', () => {
    // Each step is 10 bits from the last, but frame 3 is 20 bits from frame 1.
    const a = hashAt(0),
      b = hashAt(10),
      c = (BigInt(`0x${hashAt(10)}`) ^ (((1n << 10n) - 1n) << 20n)).toString(16).padStart(16, '0');
    expect(ids([frame(1, 0, { phash: a }), frame(2, 300, { phash: b }), frame(3, 600, { phash: c })])).toEqual([[1, 2], [3]]);
  });

  it('gives every frame exactly one group, and only multi-frame groups are bursts', () => {
    const groups = groupBursts([frame(1, 0), frame(2, 300), frame(3, 10_000)]);
    expect(groups.map((g) => [g.startedAt, g.endedAt])).toEqual([
      [0, 300],
      [10_000, 10_000],
    ]);
    expect(multiFrameBursts(groups).map((g) => g.frames.length)).toEqual([2]);
  });
});

describe('chooseBestFrame', () => {
  it.each<[string, BurstFrame[], number]>([
    [
      'picks the sharpest frame',
      [frame(1, 0, { sharpness: 0.4 }), frame(2, 300, { sharpness: 0.8 }), frame(3, 600, { sharpness: 0.6 })],
      2,
    ],
    [
      'prefers a sharp frame with eyes open to a sharper one with eyes closed',
      [frame(1, 0, { sharpness: 0.9, eyesOpen: 0.12 }), frame(2, 300, { sharpness: 0.7, eyesOpen: 0.3 })],
      2,
    ],
    [
      'does not penalise a frame whose face has no landmarks',
      [frame(1, 0, { sharpness: 0.9, eyesOpen: null }), frame(2, 300, { sharpness: 0.7, eyesOpen: 0.3 })],
      1,
    ],
    [
      'takes the sharpest when every frame has eyes closed',
      [frame(1, 0, { sharpness: 0.6, eyesOpen: 0.1 }), frame(2, 300, { sharpness: 0.7, eyesOpen: 0.15 })],
      2,
    ],
    ['breaks a tie with the earliest frame', [frame(2, 300, { sharpness: 0.5 }), frame(1, 0, { sharpness: 0.5 })], 1],
    ['ranks a frame with no sharpness last', [frame(1, 0, { sharpness: null }), frame(2, 300, { sharpness: 0.1 })], 2],
  ])('%s', (_name, frames, expected) => {
    expect(chooseBestFrame(frames).photoId).toBe(expected);
  });

  it('asks for image sharpness only where a frame lacks face sharpness', () => {
    const [withFaces, mixed] = groupBursts([frame(1, 0), frame(2, 300), frame(3, 10_000), frame(4, 10_300, { sharpness: null })]);
    expect([needsImageSharpness(withFaces!), needsImageSharpness(mixed!)]).toEqual([false, true]);
  });
});

/** 68 landmarks with both eyes drawn as hexagons of the given height / width ratio. */
function landmarksWithEyes(opening: number): Float32Array {
  const pts = new Float32Array(136);
  const eye = (first: number, cx: number): void => {
    const w = 30,
      h = w * opening;
    // p1 outer corner, p2 p3 upper lid, p4 inner corner, p5 p6 lower lid.
    const xy: [number, number][] = [
      [cx - w / 2, 100],
      [cx - w / 6, 100 - h / 2],
      [cx + w / 6, 100 - h / 2],
      [cx + w / 2, 100],
      [cx + w / 6, 100 + h / 2],
      [cx - w / 6, 100 + h / 2],
    ];
    xy.forEach(([x, y], k) => {
      pts[2 * (first + k)] = x;
      pts[2 * (first + k) + 1] = y;
    });
  };
  eye(36, 80);
  eye(42, 160);
  return pts;
}

describe('eyeAspectRatio', () => {
  it.each([
    [0.3, 0.3, false],
    [0.1, 0.1, true],
    [0.0, 0.0, true],
  ])('an eye drawn %f high per unit width has EAR %f (closed: %s)', (opening, ear, closed) => {
    const r = eyeAspectRatio(landmarksWithEyes(opening))!;
    expect(r).toBeCloseTo(ear, 5);
    expect(r < DEFAULT_BURST_RULES.closedEyeRatio).toBe(closed);
  });

  it('returns null for landmarks that are not the 68-point layout', () => {
    expect(eyeAspectRatio(new Float32Array(10))).toBeNull();
  });
});

describe('imageSharpness', () => {
  it('scores a checkerboard above its blurred (flat) version', () => {
    const w = 16,
      h = 16;
    const checker = Uint8Array.from({ length: w * h }, (_, i) => (((i % w) + Math.floor(i / w)) % 2 ? 200 : 50));
    const flat = new Uint8Array(w * h).fill(125);
    expect(imageSharpness(checker, w, h)).toBeGreaterThan(0.9);
    expect(imageSharpness(flat, w, h)).toBe(0);
  });
});

describe('cameraKeyOf', () => {
  it.each([
    [{ cameraSerial: '0320', cameraMake: 'Canon', cameraModel: 'EOS R6', sourceId: 1 }, 'serial:Canon:0320'],
    [{ cameraSerial: null, cameraMake: 'Canon', cameraModel: 'EOS R6', sourceId: 1 }, 'model:Canon:EOS R6'],
    [{ cameraSerial: null, cameraMake: null, cameraModel: null, sourceId: 4 }, 'source:4'],
    [{ cameraSerial: null, cameraMake: null, cameraModel: null, sourceId: null }, 'unknown'],
  ])('%o is %s', (identity, key) => {
    expect(cameraKeyOf(identity)).toBe(key);
  });
});
