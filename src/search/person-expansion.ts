// Recall from people: once the selfie clearly matches a face of a person cluster, that person's
// other photos are likely the attendee too even where their face there is farther than the
// threshold (profile, motion blur, a grimace). Pure: takes the facts, returns what to add.

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
  const best = new Map<number, ClusterFace>();
  for (const c of candidates) {
    if (!vouched.has(c.personId) || alreadyFound.has(c.photoId) || c.distance > threshold * rules.reachMultiple) continue;
    const seen = best.get(c.photoId);
    if (!seen || c.distance < seen.distance) best.set(c.photoId, c);
  }
  return [...best.values()].sort((a, b) => a.distance - b.distance || a.photoId - b.photoId);
}
