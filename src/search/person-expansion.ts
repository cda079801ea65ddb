// Recall from people: once the selfie clearly matches a face of a person cluster, that person's
// other photos are likely the attendee too even where their face there is farther than the
// threshold (profile, motion blur, a grimace). Pure: takes the facts, returns what to add.
import { cosineDistance, groupByAverageDistanceInTable } from '../vision/index.js';

export interface ExpansionRules {
  /** A direct match this close (as a fraction of the threshold) vouches for its person. */
  vouchFraction: number;
  /** A vouched person's face is added when within this multiple of the threshold. */
  reachMultiple: number;
}

/**
 * Conservative by design: a wrong photo at a kiosk is worse than a missed one, so only strong
 * direct matches vouch, and the reach stays within the distances seen for one person.
 */
export const DEFAULT_EXPANSION_RULES: ExpansionRules = { vouchFraction: 0.75, reachMultiple: 1.6 };

export interface DirectMatch {
  faceId: number;
  personId: number | null;
  distance: number;
}

export interface ClusterFace {
  faceId: number;
  photoId: number;
  personId: number;
  distance: number;
}

/** Persons vouched for by strong direct matches. */
export function vouchedPersons(
  direct: readonly DirectMatch[],
  threshold: number,
  rules: ExpansionRules = DEFAULT_EXPANSION_RULES,
): Set<number> {
  return new Set(direct.flatMap((d) => (d.personId !== null && d.distance <= threshold * rules.vouchFraction ? [d.personId] : [])));
}

/** Faces of vouched persons, in photos not already found, close enough to add; best per photo. */
export function facesToAdd(
  candidates: readonly ClusterFace[],
  vouched: ReadonlySet<number>,
  alreadyFound: ReadonlySet<number>,
  threshold: number,
  rules: ExpansionRules = DEFAULT_EXPANSION_RULES,
): ClusterFace[] {
  return facesWithin(candidates, vouched, alreadyFound, threshold * rules.reachMultiple);
}

/** Faces of vouched persons, in photos not already found, within `reach`; best per photo, nearest first. */
export function facesWithin(
  candidates: readonly ClusterFace[],
  vouched: ReadonlySet<number>,
  alreadyFound: ReadonlySet<number>,
  reach: number,
): ClusterFace[] {
  const best = new Map<number, ClusterFace>();
  for (const c of candidates) {
    if (!vouched.has(c.personId) || alreadyFound.has(c.photoId) || c.distance > reach) continue;
    const seen = best.get(c.photoId);
    if (!seen || c.distance < seen.distance) best.set(c.photoId, c);
  }
  return [...best.values()].sort((a, b) => a.distance - b.distance || a.photoId - b.photoId);
}

/**
 * Persons whose faces, taken together, look like the attendee: the centre of each person's faces
 * (the sum of its unit descriptors) within `personThreshold` of the query the sure tier was
 * expanded to (the selfie and its surest matches). Any person, not only those the organiser
 * confirmed: one wrong face that a loose link put in a stranger's person moves that person's
 * centre very little, where it made the face-by-face rule pull the whole stranger in.
 *
 * Why the centre and not "a clear match in the person": on bench:match's held-out event the
 * persons the selfie touched divided cleanly by their centre's distance from the expanded query:
 * 0.03-0.15 for the attendee's own persons of 18-35 faces, 0.49-0.66 for look-alikes of whom a
 * few faces matched as sure (7 of 25, 10 of 34). Counting sure faces in the person could not
 * tell them apart (the look-alikes had 19-29% of their faces matched, the attendee's own from
 * 20%). The threshold is calibrated on the calibration half (match-calibration.md).
 */
export function personsNearQuery(
  facesOfPerson: ReadonlyMap<number, readonly Float32Array[]>,
  query: Float32Array,
  personThreshold: number,
): Set<number> {
  const near = new Set<number>();
  for (const [personId, vectors] of facesOfPerson) {
    const centre = personCentre(vectors);
    if (centre && cosineDistance(centre, query) <= personThreshold) near.add(personId);
  }
  return near;
}

/** The direction of a person's faces: the sum of their unit descriptors (null for none). */
export function personCentre(vectors: readonly Float32Array[]): Float32Array | null {
  const first = vectors[0];
  if (!first) return null;
  const sum = new Float32Array(first.length);
  for (const v of vectors) {
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < sum.length; i++) sum[i]! += v[i]! / norm;
  }
  return sum;
}

export interface FaceToRegroup {
  faceId: number;
  photoId: number;
  personId: number;
  vector: Float32Array;
}

/**
 * Faces a selfie search groups again at most. The grouping compares every pair, and one person's
 * faces all near one another is its dearest case: on the 2-core dev box 400 such faces took about
 * 33 ms, 800 about 126 ms (groupByAverageDistanceInTable; the re-cluster's own code took 205 ms for
 * 400). bench:match's searches read at most 60 faces (median 25). Past it the persons are taken as
 * they are: between bursts of shooting they are the re-cluster's anyway (the engine re-clusters
 * when the cameras pause).
 */
export const REGROUP_MAX_FACES = 500;

/**
 * The faces grouped again by the re-cluster's rule (average distance within `groupThreshold`, two
 * faces of one photo kept apart: the same persons the re-cluster's code makes, from a table of
 * every pair), as face-id lists; more than `maxFaces` faces keep their persons.
 */
export function regroupFaces(faces: readonly FaceToRegroup[], groupThreshold: number, maxFaces = REGROUP_MAX_FACES): number[][] {
  const sorted = [...faces].sort((a, b) => a.faceId - b.faceId);
  if (sorted.length > maxFaces) {
    const byPerson = new Map<number, number[]>();
    for (const f of sorted) {
      const list = byPerson.get(f.personId);
      if (list) list.push(f.faceId);
      else byPerson.set(f.personId, [f.faceId]);
    }
    return [...byPerson.values()];
  }
  return groupByAverageDistanceInTable(
    sorted.map((f) => ({ faceId: f.faceId, photoId: f.photoId, embedding: f.vector })),
    groupThreshold,
  );
}

/** The person-centre rule's distances (kioskDistances, from match-threshold.json). */
export interface CentreRule {
  /** How near a person's centre must be to the expanded query (personThreshold). */
  threshold: number;
  /** A face of such a person joins when within this of the selfie or the expanded query (`verify`'s pair threshold). */
  reach: number;
  /** The re-cluster's average distance (groupThreshold): the persons the sure matches touched are grouped again by it before their centres are measured. */
  regroup: number;
  /** Faces grouped again at most (REGROUP_MAX_FACES); past it, and at 0, the persons are taken as they are. */
  regroupMaxFaces?: number;
  /**
   * Whether the persons near the expanded query that the sure matches did not touch (pieces of
   * her the live grouping split off), and the persons near each of those, are grouped with hers
   * (default true; false: only the touched persons, as before).
   */
  joinPieces?: boolean;
}

/**
 * Faces of her own that a piece needs beside it in a regrouped person to join it: its faces are then
 * judged by their average distance to several of hers, never to one. In the six sample photos a
 * stranger's only face, within the group distance of an attendee's only face, grouped with it and
 * came into her sure photos; on bench:match's event any value from 1 to 12 found the same photos.
 */
export const PIECE_MIN_OWN_FACES = 3;

/** A face of a person the search read: `distance` is from the selfie. */
export interface PersonFace extends ClusterFace {
  vector: Float32Array;
}

/**
 * Faces to add through persons' centres: the faces of `persons` grouped again (regroupFaces), and
 * of each regrouped person that holds a sure match and whose centre is near the expanded query,
 * the faces within `reach` of the selfie or that query (the nearer counting), in photos not found
 * yet; best per photo, nearest first, `personId` being the regrouped person's index. Faces of
 * `untouched` persons count only where PIECE_MIN_OWN_FACES of the touched ones are grouped with them.
 */
export function facesVouchedByCentres(
  candidates: readonly PersonFace[],
  facts: {
    persons: ReadonlySet<number>;
    /**
     * Of `persons`, those the sure matches did not touch (pieces and their neighbours): their faces
     * count only in a regrouped person with PIECE_MIN_OWN_FACES faces of the touched ones.
     */
    untouched?: ReadonlySet<number>;
    sureFaces: ReadonlySet<number>;
    alreadyFound: ReadonlySet<number>;
    query: Float32Array;
    rule: CentreRule;
  },
): ClusterFace[] {
  const { rule, query } = facts;
  const pool = candidates.filter((c) => facts.persons.has(c.personId));
  const groupOf = new Map<number, number>();
  regroupFaces(pool, rule.regroup, rule.regroupMaxFaces).forEach((ids, group) => {
    if (ids.some((id) => facts.sureFaces.has(id))) for (const id of ids) groupOf.set(id, group);
  });
  const untouched = facts.untouched ?? new Set<number>();
  const touchedFaces = new Map<number, number>();
  for (const c of pool) {
    const group = groupOf.get(c.faceId);
    if (group !== undefined && !untouched.has(c.personId)) touchedFaces.set(group, (touchedFaces.get(group) ?? 0) + 1);
  }
  const inGroups = pool.flatMap((c) => {
    const group = groupOf.get(c.faceId);
    if (group === undefined) return [];
    if (untouched.has(c.personId) && (touchedFaces.get(group) ?? 0) < PIECE_MIN_OWN_FACES) return [];
    return [{ ...c, personId: group }];
  });
  const vectorsOfGroup = new Map<number, Float32Array[]>();
  for (const c of inGroups) {
    const list = vectorsOfGroup.get(c.personId);
    if (list) list.push(c.vector);
    else vectorsOfGroup.set(c.personId, [c.vector]);
  }
  const near = personsNearQuery(vectorsOfGroup, query, rule.threshold);
  const nearer = inGroups
    .filter((c) => near.has(c.personId))
    .map((c) => ({ ...c, distance: Math.min(c.distance, cosineDistance(query, c.vector)) }));
  return facesWithin(nearer, near, facts.alreadyFound, rule.reach);
}
