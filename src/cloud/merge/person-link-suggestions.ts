// Which persons of different laptops are probably the same attendee: their mean descriptors are
// close. Only suggested; the organiser confirms or rejects, and a pair that has any link already
// (a rejected one above all) is never suggested again.
import { cosineDistance } from './descriptors.js';

/**
 * Cosine distance under which two persons' mean descriptors are suggested as one attendee. Means
 * over several faces are tighter than single faces, so this sits below the laptop's per-face
 * match threshold; the organiser's confirmation catches the rest. Measured on the face-identities
 * portraits with the shipped descriptors (each person's photos in two halves, the mean of each, 582
 * people): the two halves of one person are within 0.35 for 96% of people, two different people
 * never (closest 0.483). With dlib's descriptors (before the faceplugin network) every pair of people was within it.
 */
export const LINK_SUGGESTION_DISTANCE = 0.35;

export interface PersonMean {
  personId: number;
  devicePk: number;
  mean: Float32Array;
}

export interface LinkSuggestion {
  /** The smaller person id first (person_links keeps a < b). */
  a: number;
  b: number;
  distance: number;
}

export function suggestPersonLinks(
  persons: readonly PersonMean[],
  existingPairs: readonly (readonly [number, number])[],
  maxDistance: number = LINK_SUGGESTION_DISTANCE,
): LinkSuggestion[] {
  const known = new Set(existingPairs.map(([x, y]) => pairKey(Math.min(x, y), Math.max(x, y))));
  const suggestions: LinkSuggestion[] = [];
  for (let i = 0; i < persons.length; i++) {
    for (let j = i + 1; j < persons.length; j++) {
      const p = persons[i]!;
      const q = persons[j]!;
      // Persons of one laptop were already kept apart (or merged) by that laptop's own clustering.
      if (p.devicePk === q.devicePk) continue;
      const a = Math.min(p.personId, q.personId);
      const b = Math.max(p.personId, q.personId);
      if (known.has(pairKey(a, b))) continue;
      const distance = cosineDistance(p.mean, q.mean);
      if (distance <= maxDistance) suggestions.push({ a, b, distance });
    }
  }
  return suggestions.sort((x, y) => x.distance - y.distance || x.a - y.a || x.b - y.b);
}

const pairKey = (a: number, b: number) => `${a}:${b}`;
