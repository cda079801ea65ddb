// Recall from people: once the selfie clearly matches a face of a person cluster, that person's
// other photos are likely the attendee too even where their face there is farther than the
// threshold (profile, motion blur, a grimace). Pure: takes the facts, returns what to add.
import { cosineDistance } from '../vision/index.js';

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
