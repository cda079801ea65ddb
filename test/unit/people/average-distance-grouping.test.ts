import { describe, expect, it } from 'vitest';
import { groupByAverageDistance, groupByAverageDistanceInTable, type GroupedFace } from '../../../src/vision/average-distance-grouping.js';
import { clusterAll, cosineDistance, linkGraph } from '../../../src/people/face-clustering.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';
import { seededRandom as rng } from '../../support/random-vectors.js';

// Geometry is built relative to the shipped thresholds, so these cases follow a re-calibration.
const { groupThreshold: GROUP, clusterThreshold: LINK } = loadMatchThreshold();
const DIM = 128;
/** The angle whose cosine distance is exactly the group threshold. */
const GROUP_ANGLE = Math.acos(1 - GROUP);

/** A unit vector in the e0–e1 plane at `angle` group angles (cosine distance grows with the angle). */
function onArc(angleInGroups: number): Float32Array {
  const v = new Float32Array(DIM);
  v[0] = Math.cos(angleInGroups * GROUP_ANGLE);
  v[1] = Math.sin(angleInGroups * GROUP_ANGLE);
  return v;
}

function normalise(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const randomUnit = (rand: () => number) => normalise(Float32Array.from({ length: DIM }, () => rand() - 0.5));
const faceNear = (centre: Float32Array, rand: () => number, step: number) => {
  const noise = randomUnit(rand);
  return normalise(centre.map((x, i) => x + step * noise[i]!));
};

const face = (faceId: number, embedding: Float32Array, photoId = faceId): GroupedFace => ({ faceId, photoId, embedding });

type Grouping = (faces: readonly GroupedFace[], threshold?: number) => number[][];
/** What reclusterEvent does: faces in id order, links at the group threshold, then the grouping. */
const byLinks: Grouping = (faces, threshold = GROUP) => {
  const sorted = [...faces].sort((a, b) => a.faceId - b.faceId);
  return groupByAverageDistance(sorted, linkGraph(sorted, threshold), threshold);
};
/** What a selfie search does with the persons it read: the table of every pair, faces in id order. */
const inTable: Grouping = (faces, threshold = GROUP) =>
  groupByAverageDistanceInTable(
    [...faces].sort((a, b) => a.faceId - b.faceId),
    threshold,
  );

// Both ways of grouping must make the same persons: every case runs on each.
describe.each([
  ['groupByAverageDistance (the whole-event re-cluster)', byLinks],
  ["groupByAverageDistanceInTable (a selfie search's regrouping)", inTable],
])('%s', (_, group) => {
  it('finds as many persons as there are, without being told how many, singletons included', () => {
    const rand = rng(7);
    const faces: GroupedFace[] = [];
    const expected: number[][] = [];
    let id = 1;
    for (const size of [6, 4, 2, 1]) {
      const centre = randomUnit(rand);
      const ids: number[] = [];
      for (let i = 0; i < size; i++) {
        ids.push(id);
        faces.push(face(id++, faceNear(centre, rand, Math.sqrt(GROUP) / 2)));
      }
      expected.push(ids);
    }
    expect(cosineDistance(faces[0]!.embedding, faces[1]!.embedding)).toBeLessThan(GROUP);
    expect(group(faces)).toEqual(expected);
  });

  it('gives the same persons whatever order the faces come in', () => {
    const rand = rng(11);
    const centres = [randomUnit(rand), randomUnit(rand), randomUnit(rand)];
    const faces = Array.from({ length: 15 }, (_, i) => face(i + 1, faceNear(centres[i % 3]!, rand, Math.sqrt(GROUP) / 2)));
    const shuffled = [...faces].sort(() => rand() - 0.5);
    expect(group(shuffled)).toEqual([
      [1, 4, 7, 10, 13],
      [2, 5, 8, 11, 14],
      [3, 6, 9, 12, 15],
    ]);
  });

  it('does not chain a line of faces, each like the next, into one person', () => {
    // a–b–c–d, each within the threshold of the next only: single linkage would make one person.
    const faces = [0, 0.9, 1.85, 2.75].map((a, i) => face(i + 1, onArc(a)));
    expect(cosineDistance(faces[1]!.embedding, faces[2]!.embedding)).toBeLessThan(GROUP);
    expect(group(faces)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('keeps two people apart when one face of each looks like the other', () => {
    // Ana's faces on one side, Ben's on the other; Ana's 5 and Ben's 6 (a side view each) are well
    // within the threshold of each other, which chains the two people under single linkage.
    const ana = [0, 0.05, 0.1, 0.15, 0.45];
    const ben = [0.95, 1.25, 1.3, 1.35, 1.4];
    const faces = [...ana, ...ben].map((a, i) => face(i + 1, onArc(a)));
    expect(cosineDistance(faces[4]!.embedding, faces[5]!.embedding)).toBeLessThan(GROUP);
    expect(group(faces)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
  });

  it('joins a person seen from two sides through the faces in between, by the mean of all pairs', () => {
    // Frontal faces 1–4 and profile faces 5–7: no profile is within the threshold of every frontal
    // face, but the two groups' mean distance is.
    const faces = [0, 0.1, 0.2, 0.3, 0.7, 0.8, 1.1].map((a, i) => face(i + 1, onArc(a)));
    expect(cosineDistance(faces[0]!.embedding, faces[6]!.embedding)).toBeGreaterThan(GROUP);
    expect(group(faces)).toEqual([[1, 2, 3, 4, 5, 6, 7]]);
  });

  it('never puts two faces of the same photo in one person, however alike they look', () => {
    // Face 3 is nearer face 1 (an equal tie was decided by rounding, differently at each calibrated distance).
    const faces = [face(1, onArc(0), 100), face(2, onArc(0.1), 100), face(3, onArc(0.04), 101)];
    expect(group(faces)).toEqual([[1, 3], [2]]);
  });

  it('keeps the face nearer the person when two of one photo end up in it, and makes the other a person of its own', () => {
    // Faces 1–5 and 7 are one person, and face 6 (photo 106, with face 7) is near enough to them
    // that the group's mean takes it in despite the same-photo pair; 7 is nearer the centre.
    const faces = [0, 0.05, 0.1, 0.15, 0.2].map((a, i) => face(i + 1, onArc(a)));
    faces.push(face(6, onArc(0.5), 106), face(7, onArc(0.12), 106));
    const others = faces.filter((f) => f.faceId !== 6);
    const meanToSix =
      others.reduce((sum, f) => sum + cosineDistance(f.embedding, faces[5]!.embedding) + (f.faceId === 7 ? 2 * GROUP : 0), 0) /
      others.length;
    expect(meanToSix).toBeLessThan(GROUP);
    expect(group(faces)).toEqual([[1, 2, 3, 4, 5, 7], [6]]);
  });

  it.each([5, 6, 7])('matches a brute-force average linkage on random people and group photos (seed %i)', (seed) => {
    const rand = rng(seed);
    const centres = Array.from({ length: 12 }, () => randomUnit(rand));
    // 250 faces of 12 people in 25 photos of 10, spread so that many means land near the threshold:
    // many pairs share a photo, some of one person.
    const faces = Array.from({ length: 250 }, (_, i) =>
      face(i + 1, faceNear(centres[Math.floor(rand() * 12)]!, rand, 0.6 + 0.8 * rand()), 1 + (i % 25)),
    );
    expect(group(faces)).toEqual(bruteForce(faces, GROUP));
  });

  it('on the same faces, uses a wider distance than the live link threshold, as calibrated', () => {
    expect(GROUP).toBeGreaterThan(LINK);
    // and so a pair the live rule leaves apart may be one person after a re-cluster
    const faces = [face(1, onArc(0)), face(2, onArc(0.97))];
    expect(clusterAll(faces, LINK)).toEqual([[1], [2]]);
    expect(group(faces)).toEqual([[1, 2]]);
  });
});

/**
 * Textbook average linkage over the full distance table, each same-photo pair counted two group
 * thresholds further than it is, then one face per photo: the reference the fast version must equal.
 */
function bruteForce(faces: readonly GroupedFace[], threshold: number): number[][] {
  const d = (i: number, j: number) =>
    cosineDistance(faces[i]!.embedding, faces[j]!.embedding) + (faces[i]!.photoId === faces[j]!.photoId ? 2 * threshold : 0);
  let groups = faces.map((_, i) => [i]);
  for (;;) {
    let best: { mean: number; a: number; b: number } | null = null;
    for (let a = 0; a < groups.length; a++)
      for (let b = a + 1; b < groups.length; b++) {
        let sum = 0;
        for (const i of groups[a]!) for (const j of groups[b]!) sum += d(i, j);
        const mean = sum / (groups[a]!.length * groups[b]!.length);
        if (mean <= threshold && (!best || mean < best.mean)) best = { mean, a, b };
      }
    if (!best) break;
    const merged = [...groups[best.a]!, ...groups[best.b]!];
    groups = groups.filter((_, k) => k !== best!.a && k !== best!.b).concat([merged]);
  }
  const persons: number[][] = [];
  for (const g of groups) {
    const byPhoto = new Map<number, number[]>();
    for (const i of g) byPhoto.set(faces[i]!.photoId, [...(byPhoto.get(faces[i]!.photoId) ?? []), i]);
    const centre = new Float64Array(DIM);
    for (const i of g) {
      const e = normalise(faces[i]!.embedding);
      for (let k = 0; k < DIM; k++) centre[k] = centre[k]! + e[k]!;
    }
    const kept: number[] = [];
    for (const list of byPhoto.values()) {
      const score = (i: number) => normalise(faces[i]!.embedding).reduce((s, x, k) => s + x * centre[k]!, 0);
      const nearest = list.reduce((x, y) => (score(y) > score(x) ? y : x));
      kept.push(faces[nearest]!.faceId);
      for (const i of list) if (i !== nearest) persons.push([faces[i]!.faceId]);
    }
    persons.push(kept.sort((x, y) => x - y));
  }
  return persons.sort((x, y) => x[0]! - y[0]!);
}
