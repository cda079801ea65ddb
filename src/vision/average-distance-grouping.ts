// The whole-event re-cluster: faces grouped into persons by their average distance (average
// linkage), a pure decision over plain data.
//
// Why not the live rule (face-clustering.ts) run over the whole event: measured on bench:match's
// held-out event (8,004 faces of 311 real people, `match-calibration.md`), the link graph with the
// density rule re-clustered to BCubed F 0.946 (precision 0.971), below the live assignment's 0.951.
// Two persons merge there on the strength of two links, whatever the other pairs say. Average
// linkage merges two groups only while the mean distance over all their pairs of faces stays within
// `groupThreshold`: one lookalike pair cannot outvote the rest, and a person photographed from many
// sides still comes together through the mean. Same event, same descriptors: F 0.962 (precision
// 0.990, recall 0.934), 1.59 persons per real person instead of 1.67.
//
// Exact, without a table of pairs:
// - With unit descriptors the mean cosine distance of two groups is 1 − (ΣA · ΣB) / (|A| |B|), so
//   each group keeps only the sum of its faces' descriptors.
// - Two groups whose mean is within the threshold have at least one pair of faces within it, so the
//   candidates are exactly the groups joined by a link of the link graph at `groupThreshold`
//   (face-links.ts finds those on ONNX Runtime); nothing further apart can ever merge.
// - Each group remembers its nearest candidate and a lower bound on its second nearest; a merge
//   measures the merged group against its neighbours once, and a neighbour whose nearest was one of
//   the two merged groups looks through all its candidates again only when the merged group is now
//   further than that bound. (Re-measuring every candidate pair after each merge took 49 s for 10k
//   faces of a few people photographed many times, bench:search; re-looking whenever the nearest
//   merged, 21 s.)
// - Two faces of one photo are two people. Each such pair between two groups counts
//   2 x `groupThreshold` further than it is, which pushes their mean up without forbidding the merge
//   outright: a forbidden merge let one misplaced face keep two halves of a person apart (on the
//   held-out event F 0.957–0.960 with a hard rule, 0.962–0.964 with a penalty, whether 1 or 3 on this
//   network's scale). A person that still ends with two faces of one photo keeps the one nearest its
//   centre; the others become persons of their own, so the live rule's "once per photo" holds after a
//   re-cluster too.
import TinyQueue from 'tinyqueue';

export interface GroupedFace {
  faceId: number;
  photoId: number;
  embedding: Float32Array;
}

/** How much further than its own distance a pair of faces from one photo counts, in group thresholds. */
const SAME_PHOTO_PENALTY_IN_THRESHOLDS = 2;

interface Nearest {
  distance: number;
  group: number;
  to: number;
  /** Versions of both groups when measured: a merge since makes the entry stale. */
  groupVersion: number;
  toVersion: number;
}

/**
 * Persons (sorted face-id lists, ordered by their smallest face id) of `faces`, given `adjacency`:
 * for each face, the indices of the faces within `groupThreshold` of it (linkGraph /
 * linkGraphOnnx at that distance). Give the faces in face-id order: equal distances are taken in
 * that order, so the same faces always make the same persons.
 */
export function groupByAverageDistance(
  faces: readonly GroupedFace[],
  adjacency: readonly (readonly number[])[],
  groupThreshold: number,
): number[][] {
  const n = faces.length;
  if (n === 0) return [];
  const dim = faces[0]!.embedding.length;
  const penalty = SAME_PHOTO_PENALTY_IN_THRESHOLDS * groupThreshold;

  // A group is known by one of its faces (union-find); its state lives at that index.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[i] !== root) {
      const next = parent[i]!;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  const sums = new Float64Array(n * dim);
  faces.forEach((f, i) => {
    let norm = 0;
    for (const x of f.embedding) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < dim; k++) sums[i * dim + k] = f.embedding[k]! / norm;
  });
  const size = new Int32Array(n).fill(1);
  const version = new Int32Array(n);
  /** Groups linked to each group; may hold merged-away groups until the list is next tidied. */
  const neighbours: (readonly number[])[] = [...adjacency];
  /**
   * Faces per photo of each group of two faces or more (a single face: its own photo). Pairs of
   * faces from one photo between two groups are counted from these when measured. Keeping the
   * count for every pair of groups instead, moved along at each merge, was most of the grouping's
   * time: at bench:match's 100k faces (people about 56 to a photo) 8 million counts moved, and the
   * grouping took 25.7 s against 9.3 s now, with the same persons (`match-2026-12-07T0420Z.json`).
   */
  const photoCounts: (Map<number, number> | null)[] = new Array<Map<number, number> | null>(n).fill(null);
  const sharedPhotoPairs = (a: number, b: number): number => {
    const ofA = photoCounts[a];
    const ofB = photoCounts[b];
    if (!ofA && !ofB) return faces[a]!.photoId === faces[b]!.photoId ? 1 : 0;
    if (!ofA) return ofB!.get(faces[a]!.photoId) ?? 0;
    if (!ofB) return ofA.get(faces[b]!.photoId) ?? 0;
    const [fewer, more] = ofA.size <= ofB.size ? [ofA, ofB] : [ofB, ofA];
    let pairs = 0;
    for (const [photo, count] of fewer) pairs += count * (more.get(photo) ?? 0);
    return pairs;
  };

  const meanDistance = (a: number, b: number): number => {
    const pairs = size[a]! * size[b]!;
    let dot = 0;
    for (let k = 0, x = a * dim, y = b * dim; k < dim; k++) dot += sums[x + k]! * sums[y + k]!;
    return (pairs - dot + penalty * sharedPhotoPairs(a, b)) / pairs;
  };

  const nearest: (Nearest | null)[] = new Array<Nearest | null>(n).fill(null);
  /**
   * At most the distance to the group's second nearest candidate: exact after a look around, and
   * only lowered since (a candidate that merged away leaves it a lower bound, which stays safe).
   */
  const second = new Float64Array(n).fill(Infinity);
  // Ties (equal distances) are taken in face order, so the same faces always make the same persons.
  const before = (x: { distance: number; group: number; to: number }, y: { distance: number; group: number; to: number }) =>
    x.distance - y.distance || Math.min(x.group, x.to) - Math.min(y.group, y.to) || Math.max(x.group, x.to) - Math.max(y.group, y.to);
  const queue = new TinyQueue<Nearest>([], before);
  const offer = (g: number, to: number, distance: number): void => {
    if (distance > groupThreshold) return;
    const candidate = { distance, group: g, to, groupVersion: version[g]!, toVersion: version[to]! };
    const current = nearest[g];
    if (current && before(current, candidate) <= 0) {
      second[g] = Math.min(second[g]!, distance);
      return;
    }
    if (current && current.to !== to) second[g] = Math.min(second[g]!, current.distance);
    nearest[g] = candidate;
    queue.push(candidate);
  };
  // Marks groups already listed in the current look around (cheaper than a Set per look).
  const listedIn = new Int32Array(n).fill(-1);
  let look = 0;
  /** The group's neighbours as live groups, each once, then its nearest among them; the distances, in that order. */
  const lookAround = (g: number): Float64Array => {
    look += 1;
    const list: number[] = [];
    for (const v of neighbours[g]!) {
      const r = find(v);
      if (r === g || listedIn[r] === look) continue;
      listedIn[r] = look;
      list.push(r);
    }
    neighbours[g] = list;
    nearest[g] = null;
    second[g] = Infinity;
    const distances = new Float64Array(list.length);
    list.forEach((to, k) => {
      distances[k] = meanDistance(g, to);
      offer(g, to, distances[k]!);
    });
    return distances;
  };
  // Single faces: each link measured once, for both ends.
  for (let i = 0; i < n; i++)
    for (const j of adjacency[i]!)
      if (i < j) {
        const distance = meanDistance(i, j);
        offer(i, j, distance);
        offer(j, i, distance);
      }

  for (let next = queue.pop(); next; next = queue.pop()) {
    const { group: g, to } = next;
    if (nearest[g] !== next || parent[g] !== g || version[g] !== next.groupVersion) continue;
    if (parent[to] !== to || version[to] !== next.toVersion) {
      lookAround(g);
      continue;
    }
    // The larger group absorbs the smaller (fewer entries move); ties keep the earlier face.
    const [keep, gone] = size[g]! > size[to]! || (size[g] === size[to] && g < to) ? [g, to] : [to, g];
    parent[gone] = keep;
    size[keep] = size[keep]! + size[gone]!;
    version[keep] = version[keep]! + 1;
    nearest[gone] = null;
    for (let k = 0; k < dim; k++) sums[keep * dim + k] = sums[keep * dim + k]! + sums[gone * dim + k]!;
    const photos = photoCounts[keep] ?? new Map([[faces[keep]!.photoId, 1]]);
    for (const [photo, count] of photoCounts[gone] ?? [[faces[gone]!.photoId, 1] as const])
      photos.set(photo, (photos.get(photo) ?? 0) + count);
    photoCounts[keep] = photos;
    photoCounts[gone] = null;
    neighbours[keep] = [...neighbours[keep]!, ...neighbours[gone]!];
    neighbours[gone] = [];
    const distances = lookAround(keep);
    // Each neighbour against the merged group. One whose nearest was either merged group keeps the
    // merged one as its nearest while it is no further than the bound on the rest, else looks again.
    for (const [k, other] of neighbours[keep]!.entries()) {
      const theirs = nearest[other];
      const distance = distances[k]!;
      if (theirs && (theirs.to === keep || theirs.to === gone)) {
        if (distance <= second[other]! && distance <= groupThreshold) {
          nearest[other] = null;
          offer(other, keep, distance);
        } else lookAround(other);
      } else offer(other, keep, distance);
    }
  }

  const members = new Map<number, number[]>();
  faces.forEach((_, i) => {
    const g = find(i);
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  // Each group's sum of unit descriptors is already kept: it is the centre the last step needs.
  return onePerPhoto(
    faces,
    [...members].map(([g, group]) => ({ group, centre: sums.subarray(g * dim, (g + 1) * dim) })),
  );
}

/**
 * The same persons as groupByAverageDistance, for a few hundred faces at a time (a selfie search's
 * regrouping): a table of every pair's distance, groups merged as reciprocal nearest neighbours (the
 * nearest-neighbour chain). Average linkage never brings two groups nearer by a merge, so merging
 * reciprocal nearest pairs in any order, and never a pair further than `groupThreshold`, makes the
 * groups that always merging the nearest pair first makes (only exactly equal distances may be
 * taken in another order). groupByAverageDistance re-measures a merged group against each
 * neighbour from the groups' sums, about 3.5 n² dot products when every face is near every other
 * (one person photographed many times): 400 such faces took 205–350 ms. The table costs n²/2 dot
 * products and n² numbers of memory (8 MB at 1,000 faces), a merge one pass over a row.
 */
export function groupByAverageDistanceInTable(faces: readonly GroupedFace[], groupThreshold: number): number[][] {
  const n = faces.length;
  if (n === 0) return [];
  const dim = faces[0]!.embedding.length;
  const penalty = SAME_PHOTO_PENALTY_IN_THRESHOLDS * groupThreshold;
  const unit = faces.map((f) => {
    const norm = Math.hypot(...f.embedding) || 1;
    return Float64Array.from(f.embedding, (x) => x / norm);
  });
  // Mean distance between groups (row-major, both halves kept), penalties for same-photo pairs included.
  const table = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let dot = 0;
      const a = unit[i]!;
      const b = unit[j]!;
      for (let k = 0; k < dim; k++) dot += a[k]! * b[k]!;
      const distance = 1 - dot + (faces[i]!.photoId === faces[j]!.photoId ? penalty : 0);
      table[i * n + j] = distance;
      table[j * n + i] = distance;
    }
  const size = new Int32Array(n).fill(1);
  const members: number[][] = faces.map((_, i) => [i]);
  /** Still merging: neither absorbed nor with every other group beyond the threshold. */
  const open = new Uint8Array(n).fill(1);
  const done: number[][] = [];
  const nearestTo = (a: number): { to: number; distance: number } => {
    let to = -1;
    let distance = Infinity;
    for (let k = 0; k < n; k++) {
      if (k === a || !open[k]) continue;
      const d = table[a * n + k]!;
      if (d < distance) {
        distance = d;
        to = k;
      }
    }
    return { to, distance };
  };
  const chain: number[] = [];
  // A chain from each group still open, until every group is closed (a merged group stays open).
  for (let start = 0; start < n; start = open[start] ? start : start + 1) {
    if (!open[start]) continue;
    chain.push(start);
    while (chain.length) {
      const a = chain[chain.length - 1]!;
      const previous = chain[chain.length - 2];
      const near = nearestTo(a);
      // The previous link of the chain wins a tie, so a reciprocal pair is always recognised.
      if (previous !== undefined && table[a * n + previous]! <= near.distance) {
        near.to = previous;
        near.distance = table[a * n + previous]!;
      }
      if (near.to === -1 || near.distance > groupThreshold) {
        // Nothing within the threshold, and merges elsewhere only move groups further from it.
        open[a] = 0;
        done.push(members[a]!.sort((x, y) => x - y));
        chain.pop();
        continue;
      }
      if (near.to !== previous) {
        chain.push(near.to);
        continue;
      }
      chain.pop();
      chain.pop();
      const [keep, gone] = size[a]! > size[previous]! || (size[a] === size[previous] && a < previous) ? [a, previous] : [previous, a];
      for (let k = 0; k < n; k++) {
        if (k === keep || k === gone || !open[k]) continue;
        const merged = (size[keep]! * table[keep * n + k]! + size[gone]! * table[gone * n + k]!) / (size[keep]! + size[gone]!);
        table[keep * n + k] = merged;
        table[k * n + keep] = merged;
      }
      size[keep] = size[keep]! + size[gone]!;
      members[keep] = [...members[keep]!, ...members[gone]!];
      open[gone] = 0;
      // The chain below the pair is still a chain of nearer and nearer groups: go on from its top.
    }
  }
  return onePerPhoto(
    faces,
    done.map((group) => {
      const centre = new Float64Array(dim);
      for (const i of group) for (let k = 0; k < dim; k++) centre[k] = centre[k]! + unit[i]![k]!;
      return { group, centre };
    }),
  );
}

/**
 * Persons (sorted face-id lists, ordered by their smallest face id) from groups of face indices,
 * one face per photo in each: the one nearest the group's centre stays, the others become persons
 * of their own.
 */
function onePerPhoto(
  faces: readonly GroupedFace[],
  groups: readonly { group: readonly number[]; centre: ArrayLike<number> }[],
): number[][] {
  const dim = faces[0]?.embedding.length ?? 0;
  const persons: number[][] = [];
  for (const { group, centre } of groups) {
    const towardsCentre = (i: number): number => {
      const x = faces[i]!.embedding;
      let dot = 0;
      let norm = 0;
      for (let k = 0; k < dim; k++) {
        dot += x[k]! * centre[k]!;
        norm += x[k]! * x[k]!;
      }
      return dot / (Math.sqrt(norm) || 1);
    };
    const photos = new Map<number, number[]>();
    for (const i of group) {
      const list = photos.get(faces[i]!.photoId);
      if (list) list.push(i);
      else photos.set(faces[i]!.photoId, [i]);
    }
    const kept: number[] = [];
    for (const list of photos.values()) {
      const stays = list.reduce((best, i) => (towardsCentre(i) > towardsCentre(best) ? i : best));
      kept.push(stays);
      for (const i of list) if (i !== stays) persons.push([faces[i]!.faceId]);
    }
    persons.push(kept.map((i) => faces[i]!.faceId).sort((x, y) => x - y));
  }
  return persons.sort((x, y) => x[0]! - y[0]!);
}
