// Calibrates `personThreshold` (a person vouches for its photos in a selfie search when the
// centre of its faces is this close to the selfie's expanded query) on the calibration half:
// each calibration person's first portrait is a selfie, searched as the kiosk does (sure
// matches, then the query expanded by the surest of them) among all the other calibration
// portraits, grouped into persons by the re-cluster's own average linkage. Every person a sure
// match touched is one of the selfie's own (most of its faces are hers), a stranger's (none of
// them are hers) or mixed (hers and a stranger's, grouped as one); the threshold is halfway
// between the farthest own person nearer than every stranger and the nearest stranger.
//
// Mixed persons are counted apart, not as strangers: their centre lies between the two people, so
// no person distance can keep them out and her own persons in. One mixed person at 0.121 would
// have set the threshold under most of her own persons (0.114 against own persons up to 0.215,
// with both networks joined, 2026-12-07). Keeping people apart is the re-cluster distance's job
// (its calibration merges no two calibration people, match.bench.ts).
//
// Halfway, not "at a false-match rate": strangers are touched only where the selfie already
// matched some of their faces, a few per hundred selfies, too few for a rate, and each one that
// passes brings a whole stranger's photos.
import { groupByAverageDistance } from '../../../src/vision/average-distance-grouping.js';
import { personCentre } from '../../../src/search/person-expansion.js';
import { expandQuery, QUERY_EXPANSION_SEEDS } from '../../../src/search/selfie-search.js';
import { cosineDistance } from '../../../src/vision/index.js';
import { distance } from './scores.js';

export interface PersonThresholdEvidence {
  threshold: number;
  selfies: number;
  /** Persons of the selfie's own touched by its sure matches, and the farthest centre among them. */
  own: { persons: number; farthest: number; median: number };
  /** Strangers' persons touched by a sure match, and the nearest centre among them (null: none touched). */
  strangers: { persons: number; nearest: number | null };
  /** Persons holding her faces and a stranger's, touched by a sure match, and the nearest centre (not used for the threshold). */
  mixed: { persons: number; nearest: number | null };
}

export function calibratePersonThreshold(
  faces: readonly { identity: string; embedding: Float32Array }[],
  searchThreshold: number,
  groupThreshold: number,
): PersonThresholdEvidence {
  const seen = new Set<string>();
  const selfies: number[] = [];
  const event: number[] = [];
  faces.forEach((f, i) => {
    if (seen.has(f.identity)) event.push(i);
    else {
      seen.add(f.identity);
      selfies.push(i);
    }
  });
  // The event's persons, as `recluster` would group its faces.
  const singles = event.map((i, k) => ({ faceId: k + 1, photoId: k + 1, embedding: faces[i]!.embedding }));
  const adjacency = singles.map((): number[] => []);
  for (let a = 0; a < event.length; a++)
    for (let b = a + 1; b < event.length; b++)
      if (distance(faces[event[a]!]!.embedding, faces[event[b]!]!.embedding) <= groupThreshold) {
        adjacency[a]!.push(b);
        adjacency[b]!.push(a);
      }
  const personOf = new Int32Array(event.length);
  const members: number[][] = groupByAverageDistance(singles, adjacency, groupThreshold).map((ids) => ids.map((id) => id - 1));
  members.forEach((list, p) => list.forEach((k) => (personOf[k] = p)));
  const identityOf = members.map((list) => majority(list.map((k) => faces[event[k]!]!.identity)));
  const centres = members.map((list) => personCentre(list.map((k) => faces[event[k]!]!.embedding))!);

  const own: number[] = [];
  const strangers: number[] = [];
  const mixed: number[] = [];
  for (const s of selfies) {
    const q = faces[s]!.embedding;
    const within = (query: Float32Array) =>
      event
        .map((i, k) => ({ k, d: distance(query, faces[i]!.embedding) }))
        .filter((n) => n.d <= searchThreshold)
        .sort((a, b) => a.d - b.d);
    const direct = within(q);
    if (!direct.length) continue;
    const expanded = expandQuery(
      q,
      direct.slice(0, QUERY_EXPANSION_SEEDS).map((n) => faces[event[n.k]!]!.embedding),
    );
    const touched = new Set([...direct, ...within(expanded)].map((n) => personOf[n.k]!));
    for (const p of touched) {
      if (members[p]!.length < 2) continue; // a person of one face adds nothing
      const hers = members[p]!.filter((k) => faces[event[k]!]!.identity === faces[s]!.identity).length;
      const kind = identityOf[p] === faces[s]!.identity ? own : hers > 0 ? mixed : strangers;
      kind.push(cosineDistance(centres[p]!, expanded));
    }
  }
  own.sort((a, b) => a - b);
  const nearestStranger = strangers.length ? Math.min(...strangers) : null;
  const below = nearestStranger === null ? own : own.filter((d) => d < nearestStranger);
  const farthestOwn = below.at(-1) ?? 0;
  const threshold = nearestStranger === null ? farthestOwn : (farthestOwn + nearestStranger) / 2;
  return {
    threshold: Math.round(threshold * 10_000) / 10_000,
    selfies: selfies.length,
    own: { persons: own.length, farthest: own.at(-1) ?? 0, median: own[Math.floor(own.length / 2)] ?? 0 },
    strangers: { persons: strangers.length, nearest: nearestStranger },
    mixed: { persons: mixed.length, nearest: mixed.length ? Math.min(...mixed) : null },
  };
}

function majority(labels: readonly string[]): string {
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1])[0]![0];
}
