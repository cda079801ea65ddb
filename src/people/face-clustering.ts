// Grouping an event's faces into persons: pure decisions over plain data (no database, no files).
//
// Method: a link graph plus a density rule, with no fixed number of clusters.
// - Two faces are LINKED when their cosine distance is at most the link threshold (the calibrated
//   `clusterThreshold` of models/face/match-threshold.json, measured by bench:match).
// - A face JOINS a group only when it is linked to at least min(2, group size) of its members
//   ("density rule"). Plain connected components chain: one false link between two people, or a
//   blurry face half-way between them, would fuse their galleries. Under the density rule a lone
//   bridging link is never enough; a thin chain a–b–c–d splits into {a,b} {c,d}.
// - Two faces from the same photo are never the same person (one person appears once per frame),
//   which keeps neighbours in a group photo apart even when their descriptors are close.
// - Two groups MERGE when one face is linked to at least 2 members of each (a strong bridge). This
//   is the same rule `assignIncrementally` applies when a new face arrives, so a full re-cluster
//   agrees with what live assignment did instead of undoing its merges.
// Singletons are persons too: an attendee photographed once still needs a gallery and can still be
// found at the kiosk; the people view can hide small persons, the data keeps them.
import { cosineDistance } from '../vision/index.js';

// Re-exported: callers of the clustering maths use the same distance as search.
export { cosineDistance };

/** Links a face needs into a group of this size to join it (see the density rule above). */
const DENSITY_LINKS = 2;
export function linksNeededToJoin(groupSize: number): number {
  return Math.min(DENSITY_LINKS, groupSize);
}

/** Links a single face needs into each of two groups to merge them. */
const MERGE_LINKS = 2;

// ---------------------------------------------------------------------------------------------
// Incremental assignment: one new face, its nearest neighbours, one decision.

export interface NeighbourFace {
  faceId: number;
  /** null for a face not assigned yet (another new face of the same batch). */
  personId: number | null;
  distance: number;
}

export interface PersonFacts {
  /** Faces the person has now (before this face). */
  faceCount: number;
  /**
   * The organiser named this person or merged or split it: an automatic merge never makes it
   * disappear into another person, and never joins two such persons.
   */
  confirmed?: boolean;
}

export interface IncrementalContext {
  /** Cosine distance at or below which two faces are linked. */
  linkThreshold: number;
  persons: ReadonlyMap<number, PersonFacts>;
  /** Persons that already have a face in the new face's photo. */
  personsInSamePhoto: ReadonlySet<number>;
  /** Whether two persons appear together in some photo (then they are two people). */
  shareAPhoto: (a: number, b: number) => boolean;
}

export type Assignment =
  | { kind: 'create' }
  | { kind: 'join'; personId: number }
  /** Faces of `absorbed` move to `personId`, which keeps its id; the new face joins it too. */
  | { kind: 'merge'; personId: number; absorbed: number[] };

interface Support {
  personId: number;
  links: number;
  distanceSum: number;
  faceCount: number;
}

export function assignIncrementally(neighbours: readonly NeighbourFace[], ctx: IncrementalContext): Assignment {
  const link = ctx.linkThreshold;
  const byPerson = new Map<number, Support>();
  for (const n of neighbours) {
    if (n.personId === null || n.distance > link || ctx.personsInSamePhoto.has(n.personId)) continue;
    const s = byPerson.get(n.personId) ?? {
      personId: n.personId,
      links: 0,
      distanceSum: 0,
      faceCount: ctx.persons.get(n.personId)?.faceCount ?? 0,
    };
    s.links += 1;
    s.distanceSum += n.distance;
    byPerson.set(n.personId, s);
  }
  // A person whose count is not known yet (0) needs one link, like a singleton.
  const qualifying = [...byPerson.values()].filter((s) => s.links >= linksNeededToJoin(Math.max(1, s.faceCount)));
  if (qualifying.length === 0) return { kind: 'create' };

  const strong = qualifying
    .filter((s) => s.links >= MERGE_LINKS)
    .sort((a, b) => b.links - a.links || b.faceCount - a.faceCount || a.personId - b.personId);
  const confirmed = (s: Support) => ctx.persons.get(s.personId)?.confirmed === true;
  const group: Support[] = [];
  for (const s of strong) {
    // Two persons the organiser confirmed are two people, however alike their faces look.
    if (confirmed(s) && group.some(confirmed)) continue;
    if (group.every((g) => !ctx.shareAPhoto(g.personId, s.personId))) group.push(s);
  }
  if (group.length >= 2) {
    // A confirmed person keeps its id (and name); otherwise the largest does (fewest faces move;
    // same rule as carryOverPersonIds).
    const [survivor, ...rest] = [...group].sort(
      (a, b) => Number(confirmed(b)) - Number(confirmed(a)) || b.faceCount - a.faceCount || a.personId - b.personId,
    );
    return { kind: 'merge', personId: survivor!.personId, absorbed: rest.map((s) => s.personId).sort((a, b) => a - b) };
  }
  const best = [...qualifying].sort(
    (a, b) => b.links - a.links || a.distanceSum / a.links - b.distanceSum / b.links || a.personId - b.personId,
  )[0]!;
  return { kind: 'join', personId: best.personId };
}

// ---------------------------------------------------------------------------------------------
// Full re-cluster of an event.

export interface ClusterFace {
  faceId: number;
  photoId: number;
  embedding: Float32Array;
}

/**
 * Neighbour lists (indices into `faces`) of every face within the link threshold. Brute force,
 * n²/2 dot products: measured about 3 s for 5 000 faces and 47 s for 20 000 on the 2-core dev box.
 * The reference for face-links.ts, which the re-cluster uses (the same lists from ONNX Runtime's
 * matrix multiply: 0.08 s for 5 000 faces, 12 s for 100 000).
 */
export function linkGraph(faces: readonly ClusterFace[], linkThreshold: number): number[][] {
  const minSimilarity = 1 - linkThreshold;
  const dim = faces[0]?.embedding.length ?? 0;
  // Normalised once into one flat array, so each pair costs a single dot product.
  const unit = new Float32Array(faces.length * dim);
  faces.forEach((f, i) => {
    let norm = 0;
    for (const x of f.embedding) norm += x * x;
    norm = Math.sqrt(norm);
    for (let k = 0; k < dim; k++) unit[i * dim + k] = f.embedding[k]! / norm;
  });
  const adjacency = faces.map((): number[] => []);
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      let dot = 0;
      for (let k = 0, a = i * dim, b = j * dim; k < dim; k++) dot += unit[a + k]! * unit[b + k]!;
      if (dot >= minSimilarity) {
        adjacency[i]!.push(j);
        adjacency[j]!.push(i);
      }
    }
  }
  return adjacency;
}

/** Clusters as sorted face-id lists, ordered by their smallest face id. */
export function clusterAll(faces: readonly ClusterFace[], linkThreshold: number): number[][] {
  // Work in face-id order so the result does not depend on the order rows came from the database.
  const sorted = [...faces].sort((a, b) => a.faceId - b.faceId);
  return clusterGraph(sorted, linkGraph(sorted, linkThreshold));
}

export function clusterGraph(faces: readonly Omit<ClusterFace, 'embedding'>[], adjacency: readonly number[][]): number[][] {
  const n = faces.length;
  const clusterOf = new Int32Array(n).fill(-1);
  const members: number[][] = [];

  // Grow one group at a time from the densest unassigned face, always adding the candidate with
  // the most links into the group first (most confident first), until no candidate qualifies.
  const seeds = [...Array(n).keys()].sort((a, b) => adjacency[b]!.length - adjacency[a]!.length || a - b);
  const linksInto = new Int32Array(n);
  for (const seed of seeds) {
    if (clusterOf[seed] !== -1) continue;
    const id = members.length;
    const group: number[] = [];
    const photos = new Set<number>();
    const touched: number[] = [];
    const add = (v: number) => {
      clusterOf[v] = id;
      group.push(v);
      photos.add(faces[v]!.photoId);
      for (const w of adjacency[v]!) {
        if (linksInto[w] === 0) touched.push(w);
        linksInto[w] = linksInto[w]! + 1;
      }
    };
    add(seed);
    for (;;) {
      let best = -1;
      for (const v of touched) {
        if (clusterOf[v] !== -1 || photos.has(faces[v]!.photoId)) continue;
        if (linksInto[v]! < linksNeededToJoin(group.length)) continue;
        if (best === -1 || linksInto[v]! > linksInto[best]! || (linksInto[v] === linksInto[best] && v < best)) best = v;
      }
      if (best === -1) break;
      add(best);
    }
    for (const v of touched) linksInto[v] = 0;
    members.push(group);
  }

  mergeStronglyBridged(faces, adjacency, clusterOf, members);

  return members
    .filter((g) => g.length > 0)
    .map((g) => g.map((v) => faces[v]!.faceId).sort((a, b) => a - b))
    .sort((a, b) => a[0]! - b[0]!);
}

/** Merges groups joined by a face with MERGE_LINKS links into each, unless they share a photo. */
function mergeStronglyBridged(
  faces: readonly Omit<ClusterFace, 'embedding'>[],
  adjacency: readonly number[][],
  clusterOf: Int32Array,
  members: number[][],
): void {
  const photosOf = members.map((g) => new Set(g.map((v) => faces[v]!.photoId)));
  let merged = true;
  while (merged) {
    merged = false;
    for (let v = 0; v < faces.length && !merged; v++) {
      const own = clusterOf[v]!;
      const counts = new Map<number, number>();
      for (const w of adjacency[v]!) counts.set(clusterOf[w]!, (counts.get(clusterOf[w]!) ?? 0) + 1);
      if ((counts.get(own) ?? 0) < linksNeededToJoin(members[own]!.length - 1)) continue;
      for (const [other, links] of [...counts].sort((a, b) => a[0] - b[0])) {
        if (other === own || links < MERGE_LINKS) continue;
        if ([...photosOf[other]!].some((p) => photosOf[own]!.has(p))) continue;
        // The larger group absorbs the smaller; ties keep the earlier group.
        const [keep, drop] = members[own]!.length >= members[other]!.length ? [own, other] : [other, own];
        for (const w of members[drop]!) clusterOf[w] = keep;
        members[keep]!.push(...members[drop]!);
        members[drop] = [];
        for (const p of photosOf[drop]!) photosOf[keep]!.add(p);
        photosOf[drop] = new Set();
        merged = true;
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Stable person ids across a re-cluster.

export interface FacePerson {
  faceId: number;
  personId: number | null;
}

export interface CarriedCluster {
  /** The old person this cluster continues, or null for a person to create. */
  personId: number | null;
  faceIds: number[];
}

export interface CarryOver {
  clusters: CarriedCluster[];
  /** Old persons no cluster continues (their faces went to others, or are gone). */
  unusedPersonIds: number[];
}

/**
 * Each new cluster inherits the id of the old person it shares most faces with; each old id goes
 * to at most one cluster. Pairs are taken greedily by overlap, ties by lower old person id, then
 * by the cluster's smallest face id, so the same input always gives the same ids. A person whose
 * face set did not change is the only candidate of its cluster and vice versa, so it keeps its id,
 * and the name that belongs to that id.
 */
export function carryOverPersonIds(old: readonly FacePerson[], newClusters: readonly (readonly number[])[]): CarryOver {
  const personOfFace = new Map(old.map((f) => [f.faceId, f.personId]));
  const clusters = newClusters.map((c) => [...c].sort((a, b) => a - b)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

  const pairs: { cluster: number; personId: number; overlap: number }[] = [];
  clusters.forEach((faceIds, cluster) => {
    const overlap = new Map<number, number>();
    for (const f of faceIds) {
      const p = personOfFace.get(f);
      if (p != null) overlap.set(p, (overlap.get(p) ?? 0) + 1);
    }
    for (const [personId, count] of overlap) pairs.push({ cluster, personId, overlap: count });
  });
  pairs.sort((a, b) => b.overlap - a.overlap || a.personId - b.personId || a.cluster - b.cluster);

  const chosen = new Map<number, number>();
  const used = new Set<number>();
  for (const p of pairs) {
    if (chosen.has(p.cluster) || used.has(p.personId)) continue;
    chosen.set(p.cluster, p.personId);
    used.add(p.personId);
  }
  const oldIds = new Set(old.map((f) => f.personId).filter((p): p is number => p != null));
  return {
    clusters: clusters.map((faceIds, i) => ({ personId: chosen.get(i) ?? null, faceIds })),
    unusedPersonIds: [...oldIds].filter((p) => !used.has(p)).sort((a, b) => a - b),
  };
}

// ---------------------------------------------------------------------------------------------
// Faces the organiser placed (by merging or splitting people) stay where they were put.

export interface PlacedFace {
  faceId: number;
  personId: number | null;
  /** Put in its person by the organiser. */
  pinned: boolean;
}

export interface PinnedClusters {
  /** Clusters that hold pinned faces: their other faces go to `personId`; pinned faces stay put. */
  pinned: { personId: number; faceIds: number[] }[];
  /** Clusters without pinned faces, for carryOverPersonIds. */
  free: number[][];
  /** Persons that own pinned faces: carry-over must not hand their ids to free clusters. */
  pinnedPersonIds: number[];
}

/**
 * A re-cluster must not undo the organiser's work. A cluster holding pinned faces belongs to the
 * person with most pinned faces in it (ties: the lower id); its unpinned faces join that person,
 * and any pinned face of another person in the same cluster stays with its own person.
 */
export function respectOrganiserPins(clusters: readonly (readonly number[])[], faces: readonly PlacedFace[]): PinnedClusters {
  const byId = new Map(faces.map((f) => [f.faceId, f]));
  const pinnedPersonIds = [...new Set(faces.filter((f) => f.pinned && f.personId !== null).map((f) => f.personId!))].sort((a, b) => a - b);
  const pinned: PinnedClusters['pinned'] = [];
  const free: number[][] = [];
  for (const cluster of clusters) {
    const votes = new Map<number, number>();
    for (const id of cluster) {
      const f = byId.get(id);
      if (f?.pinned && f.personId !== null) votes.set(f.personId, (votes.get(f.personId) ?? 0) + 1);
    }
    if (!votes.size) {
      free.push([...cluster]);
      continue;
    }
    const [personId] = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
    pinned.push({ personId, faceIds: cluster.filter((id) => !byId.get(id)?.pinned) });
  }
  return { pinned, free, pinnedPersonIds };
}
