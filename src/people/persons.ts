// Keeps an event's persons up to date: live, face by face as photos are processed, and in full
// when the organiser asks for a re-cluster. Decisions come from face-clustering.ts; this file only
// reads what they need and writes what they decide.
//
// Persons left without faces are deleted, unless the organiser named them: a name is their work,
// and "nothing is deleted without an explicit operator action", so a named person stays listed with
// 0 faces (the people view shows it, and the organiser can rename or drop it).
import type { NearFace, PersonsRepository } from '../store/index.js';
import {
  assignIncrementally,
  carryOverPersonIds,
  respectOrganiserPins,
  type Assignment,
  type ClusterFace,
  type PersonFacts,
} from './face-clustering.js';
import { groupByAverageDistance, linkGraphOnnx, TooManyLinksError, type GroupedFace } from '../vision/index.js';

/**
 * Compares every pair of faces and groups them by average distance somewhere else than the calling
 * thread (the engine's grouping thread): persons, or the pairs limit that stopped it.
 */
export type Grouper = (
  faces: readonly GroupedFace[],
  groupThreshold: number,
  maxLinks: number,
) => Promise<{ persons: number[][] } | { tooManyLinks: string }>;

/**
 * Neighbours read per new face. The density rule needs at most 2 links per person, and a face
 * rarely has more than a few plausible persons around it; 16 leaves room for several persons'
 * faces (and unassigned faces of the same batch) while staying one cheap KNN query.
 */
const NEIGHBOURS_PER_FACE = 16;

/**
 * The k faces of the event nearest to an embedding, nearest first. The engine passes its
 * in-memory face index (4 ms at 100k faces against 20 ms for sqlite-vec's exact scan, four times
 * per photo on the main thread); without one, sqlite-vec answers.
 */
export type NeighbourSearch = (embedding: Float32Array, k: number) => { faceId: number; distance: number }[];

export interface AssignedFace {
  faceId: number;
  personId: number;
  decision: Assignment['kind'];
}

/**
 * Gives each new face a person: joins one, creates one, or merges persons it strongly links.
 * Call after the photo's faces and vectors are written (inside the engine's transaction is fine:
 * this nests as a savepoint). Faces that already have a person are left as they are.
 */
export function assignFacesToPersons(
  repo: PersonsRepository,
  eventId: number,
  faceIds: readonly number[],
  /** The calibrated link threshold (clusterThreshold of the match configuration). */
  linkThreshold: number,
  options: { now?: number; neighbours?: NeighbourSearch } = {},
): AssignedFace[] {
  const now = options.now ?? Date.now();
  const nearest = (embedding: Float32Array, k: number): NearFace[] =>
    options.neighbours ? repo.describeNeighbours(options.neighbours(embedding, k)) : repo.nearestFaces(eventId, embedding, k);
  return repo.transaction(() => {
    const assigned: AssignedFace[] = [];
    for (const faceId of [...faceIds].sort((a, b) => a - b)) {
      const face = repo.faceVector(faceId);
      if (!face) throw new Error(`Face ${faceId} has no embedding in event ${eventId}; write faces and vectors before assigning persons.`);
      if (face.personId !== null) continue;
      // +1: the face itself is its own nearest neighbour.
      const near = nearest(face.embedding, NEIGHBOURS_PER_FACE + 1).filter((n) => n.faceId !== faceId);
      const persons = new Map<number, PersonFacts>();
      for (const n of near)
        if (n.personId !== null) persons.set(n.personId, { faceCount: n.personFaceCount, confirmed: n.personConfirmed });
      const decision = assignIncrementally(near, {
        linkThreshold,
        persons,
        personsInSamePhoto: new Set(repo.personsInPhoto(face.photoId)),
        shareAPhoto: (a, b) => repo.personsShareAPhoto(a, b),
      });
      const personId = applyAssignment(repo, eventId, faceId, decision, now);
      assigned.push({ faceId, personId, decision: decision.kind });
    }
    return assigned;
  });
}

function applyAssignment(repo: PersonsRepository, eventId: number, faceId: number, decision: Assignment, now: number): number {
  const personId = decision.kind === 'create' ? repo.createPerson(eventId, now) : decision.personId;
  repo.setFacePerson([faceId], personId);
  if (decision.kind === 'merge') {
    for (const absorbed of decision.absorbed) repo.moveFaces(absorbed, personId);
    repo.refreshPersons(decision.absorbed, now);
    dropEmptyUnnamed(repo, eventId);
  }
  repo.refreshPersons([personId], now);
  return personId;
}

function dropEmptyUnnamed(repo: PersonsRepository, eventId: number): number {
  const empty = repo.emptyUnnamedPersonIds(eventId);
  for (const id of empty) repo.deletePerson(id);
  return empty.length;
}

export interface ReclusterSummary {
  /** Persons of the event afterwards (named persons without faces included). */
  persons: number;
  faces: number;
  /** Clusters that continue an existing person (same id, same name). */
  kept: number;
  created: number;
  /** Persons deleted because no cluster continues them and they had no name. */
  removed: number;
}

/** Neighbour lists of faces (sorted by id) within the link threshold: face-links.ts, or linkGraph in tests. */
export type LinkFinder = (faces: readonly ClusterFace[], linkThreshold: number) => Promise<number[][]> | number[][];

/**
 * Linked pairs a re-cluster holds at most: about 20 times those of an event of 100k faces of 4,000
 * people (1.35 M, bench:match's peopleAtScale), and well inside the engine's memory (each pair is
 * two list entries). Past it the event is refused with a reason rather than the process running
 * out of memory.
 */
export const RECLUSTER_MAX_LINKS = 20_000_000;

/**
 * Re-clusters every face of the event from scratch by average distance
 * (average-distance-grouping.ts), keeping person ids (and names) stable. The links between faces
 * (every pair compared: 12 s at 100k faces with ONNX Runtime) are found before the write
 * transaction, so a running engine is not held up meanwhile; faces it adds in between keep the
 * person it gave them, and persons and pins are read again inside.
 */
export async function reclusterEvent(
  repo: PersonsRepository,
  eventId: number,
  /** The calibrated mean distance within which two groups of faces are one person (groupThreshold). */
  groupThreshold: number,
  options: {
    now?: number;
    links?: LinkFinder;
    maxLinks?: number;
    /** Where the comparing and grouping run: the engine's worker thread (grouping-pool.ts); this thread by default. */
    group?: Grouper;
  } = {},
): Promise<ReclusterSummary> {
  const now = options.now ?? Date.now();
  // Face-id order, so the result does not depend on the order rows came from the database.
  const snapshot = [...repo.eventFaceVectors(eventId)].sort((a, b) => a.faceId - b.faceId);
  const maxLinks = options.maxLinks ?? RECLUSTER_MAX_LINKS;
  // Grouped from the snapshot, before the write transaction: only descriptors and photos count,
  // and neither changes for a face that is still there. Faces deleted since (a photo processed
  // again) stay in place so the links still line up; writes to them change nothing.
  const refuse = (limit: string) =>
    new PeopleEditError(
      `Cannot re-cluster this event: ${limit} (a few people in very many photos), too many to compare in memory. ` +
        'Nothing was changed: people stay as they were grouped while the photos arrived, and merging or splitting them still works.',
    );
  let clusters: number[][];
  if (options.group) {
    const grouped = await options.group(snapshot, groupThreshold, maxLinks);
    if ('tooManyLinks' in grouped) throw refuse(grouped.tooManyLinks);
    clusters = grouped.persons;
  } else {
    const links = options.links ?? ((faces, threshold) => linkGraphOnnx(faces, threshold, undefined, { maxLinks }));
    try {
      clusters = groupByAverageDistance(snapshot, await links(snapshot, groupThreshold), groupThreshold);
    } catch (err) {
      if (!(err instanceof TooManyLinksError)) throw err;
      throw refuse(err.message);
    }
  }
  return repo.transaction(() => {
    const fresh = new Map(repo.eventFacePlacements(eventId).map((f) => [f.faceId, f]));
    const faces = snapshot.map((f) => ({ ...f, ...fresh.get(f.faceId) }));
    // Where the organiser placed faces (merges, splits), their persons hold those clusters; only
    // the rest is matched to earlier persons by overlap.
    const { pinned, free, pinnedPersonIds } = respectOrganiserPins(clusters, faces);
    const held = new Set(pinnedPersonIds);
    const carried = carryOverPersonIds(
      faces.filter((f) => f.personId === null || !held.has(f.personId)),
      free,
    );
    const current = new Map(faces.map((f) => [f.faceId, f.personId]));
    let kept = 0;
    let created = 0;
    for (const cluster of pinned) {
      kept += 1;
      repo.setFacePerson(
        cluster.faceIds.filter((id) => current.get(id) !== cluster.personId),
        cluster.personId,
      );
    }
    for (const cluster of carried.clusters) {
      if (cluster.personId === null) created += 1;
      else kept += 1;
      const personId = cluster.personId ?? repo.createPerson(eventId, now);
      repo.setFacePerson(
        cluster.faceIds.filter((id) => current.get(id) !== personId),
        personId,
      );
    }
    repo.refreshPersons(repo.personIds(eventId), now);
    const removed = dropEmptyUnnamed(repo, eventId);
    return { persons: repo.personIds(eventId).length, faces: snapshot.length, kept, created, removed };
  });
}

/** An organiser's edit that cannot be done as asked: `not-found` for a person that is not there, else `refused`. */
export class PeopleEditError extends Error {
  override name = 'PeopleEditError';
  constructor(
    message: string,
    readonly problem: 'refused' | 'not-found' = 'refused',
  ) {
    super(message);
  }
}

/**
 * An organiser's merge: every face of `from` moves to `into`, which keeps its id (and so its
 * name and any links to it). An unnamed `into` takes the first name among `from`.
 */
export function mergePersons(repo: PersonsRepository, eventId: number, into: number, from: readonly number[], now = Date.now()): void {
  const others = [...new Set(from)].filter((id) => id !== into);
  if (!others.length) throw new PeopleEditError('Choose at least two different people to merge.');
  repo.transaction(() => {
    const target = repo.getPerson(eventId, into);
    if (!target) throw new PeopleEditError(`Person ${into} is not in this event.`);
    const sources = others.map((id) => {
      const p = repo.getPerson(eventId, id);
      if (!p) throw new PeopleEditError(`Person ${id} is not in this event.`);
      return p;
    });
    for (const p of sources) repo.moveFaces(p.id, into);
    const inherited = target.name ?? sources.find((p) => p.name)?.name ?? null;
    if (inherited !== target.name) repo.renamePerson(eventId, into, inherited, now);
    for (const p of sources) repo.deletePerson(p.id);
    // The organiser said these faces are one person: automatic clustering keeps them together.
    repo.pinFacesOfPersons([into]);
    repo.confirmPersons([into], now);
    repo.refreshPersons([into], now);
  });
}

/** An organiser's split: the chosen faces of a person become a new person, whose id is returned. */
export function splitPerson(
  repo: PersonsRepository,
  eventId: number,
  personId: number,
  faceIds: readonly number[],
  facesOfPerson: readonly number[],
  now = Date.now(),
): number {
  const own = new Set(facesOfPerson);
  const moving = [...new Set(faceIds)];
  if (!moving.length) throw new PeopleEditError('Choose the faces to split off.');
  const stranger = moving.find((id) => !own.has(id));
  if (stranger !== undefined) throw new PeopleEditError(`Face ${stranger} does not belong to person ${personId}.`);
  if (moving.length === own.size)
    throw new PeopleEditError('Leave at least one face with the person: splitting off every face changes nothing.');
  return repo.transaction(() => {
    const created = repo.createPerson(eventId, now);
    repo.setFacePerson(moving, created);
    // The organiser said these are two people: automatic clustering keeps them apart.
    repo.pinFacesOfPersons([personId, created]);
    repo.confirmPersons([personId, created], now);
    repo.refreshPersons([personId, created], now);
    return created;
  });
}
