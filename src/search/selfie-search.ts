// Selfie search over one event: a selfie's embedding (selfie-matching.ts judged the picture) against the event's stored faces,
// one entry per photo, best first, cut at the shared match threshold.
import { sureDistanceFor, type SureAtScale } from './sure-distance.js';
import type { Repositories } from '../store/index.js';
import type { FaceSearchModeChoice } from '../store/index.js';
import { cosineDistance, l2Normalise } from '../vision/index.js';
import {
  facesToAdd,
  facesVouchedByCentres,
  personCentre,
  REGROUP_MAX_FACES,
  vouchedPersons,
  type CentreRule,
  type ClusterFace,
} from './person-expansion.js';
import type { FaceIndex } from './face-index.js';
import { nearestPhotosInIndex } from './face-index-cache.js';

export interface SelfieMatch {
  photoId: number;
  /** The face in the photo that matched (the attendee's, by this search). */
  faceId: number;
  path: string;
  distance: number;
  /** The matching face in the photo, [x, y, w, h] in original pixels. */
  box: [number, number, number, number];
  /** 'person': found through the person cluster of a strong match, the face itself beyond the threshold. */
  via?: 'face' | 'person';
}

export interface SelfieSearchOptions {
  threshold: number;
  limit?: number;
  mode?: FaceSearchModeChoice;
  /** The event's in-memory face index (FaceIndexCache.forEvent); without it sqlite-vec is searched. */
  index?: FaceIndex;
  /** Add photos of the persons the selfie clearly matches (default on). */
  expandByPerson?: boolean;
  /**
   * Faces the attendee said are theirs (a "Maybe you?" photo tapped in): they join the query
   * expansion's seeds, so the search looks again around faces the selfie alone did not reach.
   */
  confirmedFaces?: readonly Float32Array[];
  /**
   * Any person (automatic ones too) whose faces' centre is near the expanded query vouches for its
   * other photos (personsNearQuery); absent: only persons the organiser confirmed vouch.
   */
  personCentres?: CentreRule;
}

/** Ranked photos of the event for an embedding (already from a validated selfie). */
export function photosForEmbedding(repos: Repositories, eventId: number, embedding: Float32Array, options: SearchOptions): SelfieMatch[] {
  return sureMatches(repos, eventId, embedding, options).matches;
}

type SearchOptions = Pick<
  SelfieSearchOptions,
  'threshold' | 'limit' | 'mode' | 'index' | 'expandByPerson' | 'confirmedFaces' | 'personCentres'
>;

/** Photos with a face within `maxDistance` of the query, nearest first: the event's in-memory index when given, else sqlite-vec. */
function photosWithin(
  repos: Repositories,
  eventId: number,
  options: Pick<SelfieSearchOptions, 'mode' | 'index'>,
  query: Float32Array,
  limit: number,
  maxDistance: number,
) {
  return options.index
    ? nearestPhotosInIndex(options.index, repos.faceVectors, query, { limit, maxDistance })
    : repos.faceVectors.nearestPhotos(eventId, query, { limit, maxDistance, mode: options.mode ?? 'auto' });
}

/** The sure matches, and the query they were expanded to (null when nothing matched). */
function sureMatches(
  repos: Repositories,
  eventId: number,
  embedding: Float32Array,
  options: SearchOptions,
): { matches: SelfieMatch[]; expandedQuery: Float32Array | null } {
  const limit = options.limit ?? 500;
  const search = (query: Float32Array) => photosWithin(repos, eventId, options, query, limit, options.threshold);
  const nearest = search(embedding);
  // The selfie sharpened by its own surest matches (query expansion): the event's photos of the
  // attendee look more like one another than like the selfie.
  const seeds = [
    ...repos.faceVectors
      .vectorsOf(nearest.slice(0, QUERY_EXPANSION_SEEDS).map((n) => n.faceId))
      .filter((v): v is Float32Array => v !== undefined),
    ...(options.confirmedFaces ?? []),
  ];
  const found = new Set(nearest.map((n) => n.photoId));
  const expandedQuery = seeds.length ? expandQuery(embedding, seeds) : null;
  const expanded = expandedQuery ? search(expandedQuery).filter((n) => !found.has(n.photoId)) : [];
  const toMatch = (n: (typeof nearest)[number]): SelfieMatch[] => {
    const photo = repos.photos.getPhoto(n.photoId);
    return photo
      ? [{ photoId: n.photoId, faceId: n.faceId, path: photo.path, distance: n.distance, box: n.box, via: 'face' as const }]
      : [];
  };
  const direct = [...nearest.flatMap(toMatch), ...expanded.flatMap(toMatch)].slice(0, limit);
  if (options.expandByPerson === false || direct.length >= limit) return { matches: direct, expandedQuery };
  return {
    matches: [...direct, ...viaPersons(repos, eventId, embedding, expandedQuery, [...nearest, ...expanded], options)].slice(0, limit),
    expandedQuery,
  };
}

/**
 * Query expansion (average query expansion, as in image retrieval): the selfie plus its surest
 * matches in the event, searched again at the same threshold. On bench:match's event of 8,752
 * faces (held-out people, simulated on the stored vectors) the 10 nearest within the threshold
 * raised recall of the sure tier from 0.62 to 0.82 at precision 0.99 → 0.97, where expanding
 * through automatic persons gave 0.75 at 0.94: one wrong face in a cluster pulls in a whole
 * stranger, a wrong seed only moves the query a little.
 */
export const QUERY_EXPANSION_SEEDS = 10;

/**
 * The query the sure tier was expanded to, rebuilt from faces the selfie matched earlier: the selfie
 * plus its QUERY_EXPANSION_SEEDS nearest faces within `threshold`, and the faces the attendee said
 * are hers (`chosenFaces`: in "Maybe you?" photos she took home). Null when there is no seed. What
 * the re-match of opted-in attendees compares new faces with, beside the selfie.
 */
export function expandedSelfie(
  selfie: Float32Array,
  matchedFaces: readonly { vector: Float32Array }[],
  threshold: number,
  chosenFaces: readonly Float32Array[] = [],
): Float32Array | null {
  const seeds = matchedFaces
    .map((f) => ({ vector: f.vector, distance: cosineDistance(selfie, f.vector) }))
    .filter((f) => f.distance <= threshold)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, QUERY_EXPANSION_SEEDS)
    .map((f) => f.vector);
  seeds.push(...chosenFaces);
  return seeds.length ? expandQuery(selfie, seeds) : null;
}

export function expandQuery(query: Float32Array, seeds: readonly Float32Array[]): Float32Array {
  const sum = Float32Array.from(query);
  for (const s of seeds) for (let i = 0; i < sum.length; i++) sum[i]! += s[i]!;
  let norm = 0;
  for (const x of sum) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return sum.map((x) => x / norm);
}

/**
 * Photos of the persons that the direct matches belong to (see person-expansion.ts), where their
 * face is beyond the threshold. Persons the organiser confirmed (named, merged or split) vouch
 * through one strong match. Automatic persons vouch only through their centre
 * (`personThreshold`): they are grouped at a looser link than the search threshold, and vouching
 * through one face pulled in strangers (precision 0.99 to 0.94 on bench:match's event).
 *
 * Before their centres are measured, the faces of the persons the matches touched are grouped
 * again here by the re-cluster's rule. While photos land, persons are the live grouping's, which
 * links a face at a time: on bench:match's held-out event it had put two look-alikes into one person
 * (12 faces of the attendee, 32 of a look-alike), whose centre then brought in 18 of the look-alike's
 * photos. Grouped again here the two are apart, and the live persons answered 0.995 / 0.947
 * (precision / recall of the sure tier) instead of 0.992 / 0.947 (match-calibration.md). Pieces of
 * her that the live grouping split off, which no sure match touched, are grouped with them too,
 * with their neighbours (piecesAndNeighbours): 0.995 / 0.951 on live persons, what the re-cluster
 * reaches.
 */
function viaPersons(
  repos: Repositories,
  eventId: number,
  embedding: Float32Array,
  expandedQuery: Float32Array | null,
  nearest: readonly { faceId: number; photoId: number; distance: number }[],
  options: SearchOptions,
): SelfieMatch[] {
  const { threshold, personCentres } = options;
  const described = repos.persons.describeNeighbours(nearest.map((n) => ({ faceId: n.faceId, distance: n.distance })));
  const confirmed = vouchedPersons(
    described.filter((d) => d.personConfirmed).map((d) => ({ faceId: d.faceId, distance: d.distance, personId: d.personId })),
    threshold,
  );
  const byCentre = personCentres && expandedQuery ? { ...personCentres, query: expandedQuery } : null;
  // The persons the matches touched: the candidates for the centre rule.
  const touchedCounts = new Map(described.flatMap((d) => (d.personId !== null ? [[d.personId, d.personFaceCount] as const] : [])));
  const touched = byCentre ? [...touchedCounts.keys()] : [];
  const untouched = byCentre && byCentre.joinPieces !== false ? piecesAndNeighbours(repos, eventId, options, byCentre, touchedCounts) : [];
  const persons = [...new Set([...confirmed, ...touched, ...untouched])];
  if (!persons.length) return [];
  const faces = repos.faces.facesOfPersons(eventId, persons);
  const vectors = repos.faceVectors.vectorsOf(faces.map((f) => f.id));
  const candidates: (ClusterFace & { box: SelfieMatch['box']; vector: Float32Array })[] = [];
  faces.forEach((f, i) => {
    const v = vectors[i];
    if (!v || f.personId === null) return;
    candidates.push({
      faceId: f.id,
      photoId: f.photoId,
      personId: f.personId,
      distance: cosineDistance(embedding, v),
      box: f.box,
      vector: v,
    });
  });
  const found = new Set(nearest.map((n) => n.photoId));
  const added = new Map<number, ClusterFace>();
  const keep = (list: readonly ClusterFace[]) => {
    for (const c of list) {
      const seen = added.get(c.photoId);
      if (!seen || c.distance < seen.distance) added.set(c.photoId, c);
    }
  };
  keep(facesToAdd(candidates, confirmed, found, threshold));
  if (byCentre) {
    keep(
      facesVouchedByCentres(candidates, {
        persons: new Set([...touched, ...untouched]),
        untouched: new Set(untouched),
        sureFaces: new Set(nearest.map((n) => n.faceId)),
        alreadyFound: found,
        query: byCentre.query,
        rule: byCentre,
      }),
    );
  }
  const boxOf = new Map(candidates.map((c) => [c.faceId, c.box]));
  return [...added.values()]
    .sort((a, b) => a.distance - b.distance || a.photoId - b.photoId)
    .flatMap((c) => {
      const photo = repos.photos.getPhoto(c.photoId);
      return photo
        ? [
            {
              photoId: c.photoId,
              faceId: c.faceId,
              path: photo.path,
              distance: c.distance,
              box: boxOf.get(c.faceId)!,
              via: 'person' as const,
            },
          ]
        : [];
    });
}

/** Photos with a face within the group distance of the expanded query whose persons are read as possible pieces of hers. */
export const PIECE_PHOTOS = 50;
/** Photos with a face within the group distance of a piece's centre whose persons are read beside it. */
export const PIECE_NEIGHBOUR_PHOTOS = 20;

/**
 * The persons the sure matches did not touch that a search groups with hers: those with a face
 * within the group distance of the expanded query (pieces of her the live grouping split off), and
 * the persons near each of those pieces' centres. The neighbours are what the re-cluster has
 * around a piece: without them a look-alike's piece of 7 faces was grouped with the attendee's 25,
 * where the whole event's re-cluster joins it to the rest of its own person (bench:match's event,
 * live persons: 6 wrong photos more without them, none with them). With them the search finds
 * on live persons what it finds once the event is re-clustered (match-calibration.md).
 *
 * None when they and the touched persons hold more faces than are grouped again
 * (REGROUP_MAX_FACES): the touched persons are then still grouped again on their own, where adding
 * the pieces would have every person taken as it is.
 */
function piecesAndNeighbours(
  repos: Repositories,
  eventId: number,
  options: SearchOptions,
  rule: CentreRule & { query: Float32Array },
  touched: ReadonlyMap<number, number>,
): number[] {
  let room = (rule.regroupMaxFaces ?? REGROUP_MAX_FACES) - [...touched.values()].reduce((a, b) => a + b, 0);
  if (room < 0) return [];
  const read = new Set<number>();
  /** Reads the persons of these faces that are not read yet; false once they would not fit. */
  const readPersonsOf = (found: readonly { faceId: number; distance: number }[]): boolean => {
    for (const d of repos.persons.describeNeighbours(found)) {
      if (d.personId === null || touched.has(d.personId) || read.has(d.personId)) continue;
      read.add(d.personId);
      room -= d.personFaceCount;
    }
    return room >= 0;
  };
  if (!readPersonsOf(photosWithin(repos, eventId, options, rule.query, PIECE_PHOTOS, rule.regroup))) return [];
  const pieces = [...read];
  if (!pieces.length) return [];
  const faces = repos.faces.facesOfPersons(eventId, pieces);
  const vectors = repos.faceVectors.vectorsOf(faces.map((f) => f.id));
  const vectorsOf = new Map<number, Float32Array[]>();
  faces.forEach((f, i) => {
    const v = vectors[i];
    if (!v || f.personId === null) return;
    const list = vectorsOf.get(f.personId);
    if (list) list.push(v);
    else vectorsOf.set(f.personId, [v]);
  });
  for (const list of vectorsOf.values()) {
    const centre = l2Normalise(personCentre(list)!);
    if (!readPersonsOf(photosWithin(repos, eventId, options, centre, PIECE_NEIGHBOUR_PHOTOS, rule.regroup))) return [];
  }
  return [...read];
}

/** "Maybe you?" photos shown at most: a few to tap in, not a second gallery. */
export const MAYBE_LIMIT = 24;

export interface TieredMatches {
  /** Photos the attendee is surely in: shown selected, delivered. */
  sure: SelfieMatch[];
  /**
   * Photos with a face just beyond the sure threshold (within the maybe threshold): shown apart
   * for the attendee to tap in, never mixed with the sure ones, never delivered unless chosen.
   */
  maybe: SelfieMatch[];
}

/** The kiosk's answer for a selfie: sure photos (direct and through the person), then "maybe" photos. */
export function tieredPhotosForEmbedding(
  repos: Repositories,
  eventId: number,
  embedding: Float32Array,
  searchOptions: SearchOptions & {
    maybeThreshold: number;
    maybeLimit?: number;
    /** The sure distance tightens past an event size (sure-distance.ts); the event's size is its index's (none without one). */
    sureAtScale?: SureAtScale;
    /** The event's size in faces, when not its index's (bench:match asks as if the event were larger). */
    eventFaces?: number;
  },
): TieredMatches {
  const faces = searchOptions.eventFaces ?? searchOptions.index?.size ?? 0;
  const options = { ...searchOptions, threshold: sureDistanceFor(searchOptions.threshold, searchOptions.sureAtScale, faces) };
  const { matches: sure, expandedQuery } = sureMatches(repos, eventId, embedding, options);
  const maybeLimit = options.maybeLimit ?? MAYBE_LIMIT;
  if (options.maybeThreshold <= options.threshold || maybeLimit <= 0) return { sure, maybe: [] };
  const found = new Set(sure.map((m) => m.photoId));
  const limit = found.size + maybeLimit;
  const within = (query: Float32Array) => photosWithin(repos, eventId, options, query, limit, options.maybeThreshold);
  // Around the selfie and around the query the sure tier was expanded to (its surest matches
  // averaged in): a photo near either, nearest first.
  const nearestFirst = new Map<number, ReturnType<typeof within>[number]>();
  for (const n of [...within(embedding), ...(expandedQuery ? within(expandedQuery) : [])]) {
    const known = nearestFirst.get(n.photoId);
    if (!known || n.distance < known.distance) nearestFirst.set(n.photoId, n);
  }
  const maybe = [...nearestFirst.values()]
    .sort((a, b) => a.distance - b.distance)
    .filter((n) => !found.has(n.photoId) && n.distance > options.threshold)
    .slice(0, maybeLimit)
    .flatMap((n) => {
      const photo = repos.photos.getPhoto(n.photoId);
      return photo
        ? [{ photoId: n.photoId, faceId: n.faceId, path: photo.path, distance: n.distance, box: n.box, via: 'face' as const }]
        : [];
    });
  return { sure, maybe };
}
