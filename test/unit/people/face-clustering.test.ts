import { describe, expect, it } from 'vitest';
import {
  assignIncrementally,
  carryOverPersonIds,
  clusterAll,
  cosineDistance,
  respectOrganiserPins,
  type ClusterFace,
  type IncrementalContext,
  type NeighbourFace,
} from '../../../src/people/face-clustering.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';
import { seededRandom as rng } from '../../support/random-vectors.js';

// Geometry is built relative to the configured threshold, so these stay true when it is re-measured.
/** The shipped link threshold, so these cases follow it when it is re-calibrated. */
const LINK = loadMatchThreshold().clusterThreshold;
const DIM = 128;
/** Step off a person's centre giving two of their faces about LINK/4 apart (distance ≈ step²). */
const SAME_STEP = Math.sqrt(LINK) / 2;

function normalise(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function randomUnit(rand: () => number): Float32Array {
  return normalise(Float32Array.from({ length: DIM }, () => rand() - 0.5));
}

/** A face of the person whose descriptor centre is `centre`: a small random step off it. */
function faceNear(centre: Float32Array, rand: () => number, step: number): Float32Array {
  const noise = randomUnit(rand);
  return normalise(centre.map((x, i) => x + step * noise[i]!));
}

/** A unit vector in the e0–e1 plane at `angle` radians: lets a test place faces on a line. */
function onArc(angle: number): Float32Array {
  const v = new Float32Array(DIM);
  v[0] = Math.cos(angle);
  v[1] = Math.sin(angle);
  return v;
}
/** The angle whose cosine distance is exactly the link threshold. */
const LINK_ANGLE = Math.acos(1 - LINK);

const face = (faceId: number, embedding: Float32Array, photoId = faceId): ClusterFace => ({ faceId, photoId, embedding });

describe('clusterAll', () => {
  it('finds as many persons as there are, without being told how many, singletons included', () => {
    const rand = rng(7);
    const sizes = { ana: 6, ben: 4, chloe: 2, dev: 1 };
    const faces: ClusterFace[] = [];
    const expected: number[][] = [];
    let id = 1;
    for (const size of Object.values(sizes)) {
      const centre = randomUnit(rand);
      const ids: number[] = [];
      for (let i = 0; i < size; i++) {
        ids.push(id);
        // Two faces of one person land about LINK/4 apart, well inside the link.
        faces.push(face(id++, faceNear(centre, rand, SAME_STEP)));
      }
      expected.push(ids);
    }
    const sameFaceDistance = cosineDistance(faces[0]!.embedding, faces[1]!.embedding);
    expect(sameFaceDistance).toBeLessThan(LINK);

    expect(clusterAll(faces, LINK)).toEqual(expected);
  });

  it('gives the same clusters whatever order the faces come in', () => {
    const rand = rng(11);
    const centres = [randomUnit(rand), randomUnit(rand), randomUnit(rand)];
    const faces = Array.from({ length: 15 }, (_, i) => face(i + 1, faceNear(centres[i % 3]!, rand, SAME_STEP)));
    const shuffled = [...faces].sort(() => rand() - 0.5);
    expect(clusterAll(shuffled, LINK)).toEqual(clusterAll(faces, LINK));
    expect(clusterAll(faces, LINK)).toEqual([
      [1, 4, 7, 10, 13],
      [2, 5, 8, 11, 14],
      [3, 6, 9, 12, 15],
    ]);
  });

  it('does not chain a thin line of faces into one person', () => {
    // Each face is linked only to the next: a–b–c–d. Connected components would make one person.
    const step = 0.9 * LINK_ANGLE;
    const faces = [0, 1, 2, 3].map((k) => face(k + 1, onArc(k * step)));
    expect(clusterAll(faces, LINK)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('keeps two people apart when only one of their faces looks like one of the other', () => {
    // Ana's faces 1–5 and Ben's faces 6–10 on an arc; Ana's 5 and Ben's 6 (a side view each) are
    // within the link of each other, and of nobody else in the other person.
    const ana = [-0.3, -0.15, 0, 0.15, 0.5];
    const ben = [1.2, 1.6, 1.75, 1.9, 2.05];
    const faces = [...ana, ...ben].map((a, i) => face(i + 1, onArc(a * LINK_ANGLE)));
    expect(cosineDistance(faces[4]!.embedding, faces[5]!.embedding)).toBeLessThan(LINK);
    expect(clusterAll(faces, LINK)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
  });

  it('merges a small group into a person when one face links strongly into both', () => {
    // Faces 1–5 and face 6 form one group; 7 and 8 are linked to each other and to 6 only, so
    // growing from 6 leaves them out (one link each). Face 6 has 2 links into {7, 8}: the same
    // evidence that makes a new face merge two persons live, so a re-cluster merges them too.
    const faces = [
      ...[-0.1, -0.05, 0, 0.05, 0.1].map((a, i) => face(i + 1, onArc(a * LINK_ANGLE))),
      face(6, onArc(0.6 * LINK_ANGLE)),
      face(7, onArc(1.4 * LINK_ANGLE)),
      face(8, onArc(1.45 * LINK_ANGLE)),
    ];
    expect(cosineDistance(faces[4]!.embedding, faces[6]!.embedding)).toBeGreaterThan(LINK);
    expect(clusterAll(faces, LINK)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8]]);
  });

  it('never puts two faces of the same photo in one person, however alike they look', () => {
    const twinA = onArc(0);
    const twinB = onArc(0.1 * LINK_ANGLE);
    const faces = [face(1, twinA, 100), face(2, twinB, 100), face(3, onArc(0.05 * LINK_ANGLE), 101)];
    expect(clusterAll(faces, LINK)).toEqual([[1, 3], [2]]);
  });
});

describe('assignIncrementally', () => {
  const ctx = (persons: Record<number, number>, extra: Partial<IncrementalContext> = {}): IncrementalContext => ({
    linkThreshold: LINK,
    persons: new Map(Object.entries(persons).map(([id, faceCount]) => [Number(id), { faceCount }])),
    personsInSamePhoto: new Set(),
    shareAPhoto: () => false,
    ...extra,
  });
  const near = (faceId: number, personId: number | null, distance: number): NeighbourFace => ({ faceId, personId, distance });
  const close = 0.5 * LINK;
  const far = 1.5 * LINK;

  it('joins the person two of its nearest faces belong to', () => {
    expect(assignIncrementally([near(1, 7, close), near(2, 7, close), near(3, 8, far)], ctx({ 7: 5, 8: 3 }))).toEqual({
      kind: 'join',
      personId: 7,
    });
  });

  it('starts a new person when no face is close enough', () => {
    expect(assignIncrementally([near(1, 7, far), near(2, 8, far)], ctx({ 7: 5, 8: 3 }))).toEqual({ kind: 'create' });
    expect(assignIncrementally([], ctx({}))).toEqual({ kind: 'create' });
  });

  it('does not join a person of several faces on a single link', () => {
    expect(assignIncrementally([near(1, 7, close), near(2, 7, far)], ctx({ 7: 5 }))).toEqual({ kind: 'create' });
  });

  it('joins a person photographed once on its one face', () => {
    expect(assignIncrementally([near(1, 7, close)], ctx({ 7: 1 }))).toEqual({ kind: 'join', personId: 7 });
  });

  it('merges two persons it links strongly, into the larger one', () => {
    const neighbours = [near(1, 3, close), near(2, 3, close), near(4, 9, close), near(5, 9, close)];
    expect(assignIncrementally(neighbours, ctx({ 3: 2, 9: 6 }))).toEqual({ kind: 'merge', personId: 9, absorbed: [3] });
  });

  it('does not merge two persons who appear together in a photo; joins the closer one', () => {
    const neighbours = [near(1, 3, close), near(2, 3, close), near(4, 9, 0.9 * LINK), near(5, 9, 0.9 * LINK)];
    const decision = assignIncrementally(neighbours, ctx({ 3: 2, 9: 6 }, { shareAPhoto: (a, b) => a + b === 12 }));
    expect(decision).toEqual({ kind: 'join', personId: 3 });
  });

  it('never joins a person who is already in the same photo', () => {
    const neighbours = [near(1, 3, close), near(2, 3, close), near(4, 9, close), near(5, 9, close)];
    expect(assignIncrementally(neighbours, ctx({ 3: 2, 9: 6 }, { personsInSamePhoto: new Set([9]) }))).toEqual({
      kind: 'join',
      personId: 3,
    });
  });

  it('ignores neighbours that have no person yet', () => {
    expect(assignIncrementally([near(1, null, close), near(2, null, close)], ctx({}))).toEqual({ kind: 'create' });
  });
});

describe('carryOverPersonIds', () => {
  const old = (byPerson: Record<number, number[]>) =>
    Object.entries(byPerson).flatMap(([personId, faceIds]) => faceIds.map((faceId) => ({ faceId, personId: Number(personId) })));

  it('keeps every id when a re-cluster changes nothing', () => {
    const result = carryOverPersonIds(old({ 10: [1, 2, 3], 11: [4, 5], 12: [6] }), [[6], [4, 5], [3, 2, 1]]);
    expect(result).toEqual({
      clusters: [
        { personId: 10, faceIds: [1, 2, 3] },
        { personId: 11, faceIds: [4, 5] },
        { personId: 12, faceIds: [6] },
      ],
      unusedPersonIds: [],
    });
  });

  it('keeps the id of an unchanged person while others around it split and merge', () => {
    // 10 is unchanged; 11 and 12 merge; 13 splits; 7 and 8 are new faces.
    const result = carryOverPersonIds(old({ 10: [1, 2], 11: [3, 4, 5], 12: [6], 13: [20, 21, 22, 23] }), [
      [1, 2],
      [3, 4, 5, 6],
      [20, 21, 22],
      [23, 7],
      [8],
    ]);
    expect(result.clusters).toEqual([
      { personId: 10, faceIds: [1, 2] },
      { personId: 11, faceIds: [3, 4, 5, 6] },
      { personId: null, faceIds: [7, 23] },
      { personId: null, faceIds: [8] },
      { personId: 13, faceIds: [20, 21, 22] },
    ]);
    expect(result.unusedPersonIds).toEqual([12]);
  });

  it('settles ties the same way every time: lower old id on a merge, smaller face id on a split', () => {
    const merged = carryOverPersonIds(old({ 21: [3, 4], 20: [1, 2] }), [[4, 3, 2, 1]]);
    expect(merged.clusters).toEqual([{ personId: 20, faceIds: [1, 2, 3, 4] }]);
    expect(merged.unusedPersonIds).toEqual([21]);

    const split = carryOverPersonIds(old({ 30: [5, 6, 7, 8] }), [
      [8, 7],
      [6, 5],
    ]);
    expect(split.clusters).toEqual([
      { personId: 30, faceIds: [5, 6] },
      { personId: null, faceIds: [7, 8] },
    ]);
  });

  it('creates persons for faces that had none', () => {
    const result = carryOverPersonIds(
      [
        { faceId: 1, personId: null },
        { faceId: 2, personId: null },
      ],
      [[1, 2]],
    );
    expect(result).toEqual({ clusters: [{ personId: null, faceIds: [1, 2] }], unusedPersonIds: [] });
  });
});

describe('respectOrganiserPins', () => {
  const face = (faceId: number, personId: number | null, pinned = false) => ({ faceId, personId, pinned });

  it('gives a cluster with pinned faces to their person and leaves the other clusters to carry-over', () => {
    const faces = [face(1, 7, true), face(2, 7, true), face(3, 9), face(4, 9), face(5, null)];
    expect(
      respectOrganiserPins(
        [
          [1, 2, 3],
          [4, 5],
        ],
        faces,
      ),
    ).toEqual({
      pinned: [{ personId: 7, faceIds: [3] }],
      free: [[4, 5]],
      pinnedPersonIds: [7],
    });
  });

  it('keeps two persons the organiser split apart even when clustering puts their faces together', () => {
    const faces = [face(1, 7, true), face(2, 7, true), face(3, 8, true), face(4, null)];
    // Person 7 has more pinned faces in the cluster: the unpinned face joins it; face 3 stays with 8.
    expect(respectOrganiserPins([[1, 2, 3, 4]], faces)).toEqual({
      pinned: [{ personId: 7, faceIds: [4] }],
      free: [],
      pinnedPersonIds: [7, 8],
    });
  });

  it('breaks a tie between pinned persons by the lower person id, so the same input gives the same result', () => {
    const faces = [face(1, 12, true), face(2, 5, true), face(3, null)];
    expect(respectOrganiserPins([[1, 2, 3]], faces).pinned).toEqual([{ personId: 5, faceIds: [3] }]);
  });
});
