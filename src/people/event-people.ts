// An event's people as the organiser works with them: list, look at a person's faces, name,
// merge, split, re-group from scratch; and the reaction that gives new faces a person as photos
// land. The engine owns one of these; the console and the commands call it.
import type { PersonSummary, Repositories, StoredFace } from '../store/index.js';
import {
  assignFacesToPersons,
  mergePersons,
  PeopleEditError,
  reclusterEvent,
  splitPerson,
  type AssignedFace,
  type NeighbourSearch,
  type ReclusterSummary,
  type Grouper,
} from './persons.js';

export interface PersonWithSamples extends PersonSummary {
  /** The person's best faces, for the card. */
  samples: { faceId: number; photoId: number }[];
}

export interface EventPeopleDeps {
  repos: Repositories;
  /** The calibrated distance that links two faces into one person live (match-threshold.json). */
  clusterThreshold: number;
  /** The calibrated mean distance within which a re-cluster makes two groups one person. */
  groupThreshold: number;
  /** Nearest faces of an event, from the engine's in-memory index when it has one. */
  neighboursIn?: (eventId: number) => NeighbourSearch;
  /** Where a re-cluster groups the faces: the engine's grouping thread; this thread when absent. */
  group?: Grouper;
  /** After every re-cluster, by hand or while the cameras paused (the console reloads its people, sync reads the event). */
  regrouped?: (eventId: number, summary: ReclusterSummary) => void;
  now?: () => number;
}

/** Faces shown on a person's card. */
export const MAX_PERSON_SAMPLES = 8;

export function createEventPeople(deps: EventPeopleDeps) {
  const { repos } = deps;
  const now = deps.now ?? Date.now;
  const withSamples = (eventId: number, persons: readonly PersonSummary[], only: number | null = null): PersonWithSamples[] => {
    const samples = repos.faces.sampleFacesOfPersons(eventId, MAX_PERSON_SAMPLES, only);
    return persons.map((p) => ({ ...p, samples: samples.get(p.id) ?? [] }));
  };
  const person = (eventId: number, personId: number): PersonWithSamples => {
    const p = repos.persons.getPerson(eventId, personId);
    if (!p) throw new PeopleEditError(`There is no person ${personId} in this event.`, 'not-found');
    return withSamples(eventId, [p], p.id)[0]!;
  };
  return {
    list: (eventId: number): PersonWithSamples[] => withSamples(eventId, repos.persons.listPersons(eventId)),
    person,
    find: (eventId: number, personId: number): PersonSummary | undefined => repos.persons.getPerson(eventId, personId),
    facesOf(eventId: number, personId: number): StoredFace[] {
      person(eventId, personId);
      return repos.faces.facesOfPersons(eventId, [personId]);
    },
    photoIdsOf: (eventId: number, personId: number): number[] => repos.faces.photoIdsOfPerson(eventId, personId),
    /** An empty name clears it (the person shows as unnamed again). */
    rename(eventId: number, personId: number, name: string | null): PersonWithSamples {
      const trimmed = name?.trim() ?? '';
      if (!repos.persons.renamePerson(eventId, personId, trimmed === '' ? null : trimmed, now())) {
        throw new PeopleEditError(`There is no person ${personId} in this event.`, 'not-found');
      }
      return person(eventId, personId);
    },
    merge(eventId: number, into: number, from: readonly number[]): PersonWithSamples {
      mergePersons(repos.persons, eventId, into, from, now());
      return person(eventId, into);
    },
    split(eventId: number, personId: number, faceIds: readonly number[]): PersonWithSamples {
      const own = repos.faces.facesOfPersons(eventId, [person(eventId, personId).id]).map((f) => f.id);
      return person(eventId, splitPerson(repos.persons, eventId, personId, faceIds, own, now()));
    },
    async recluster(eventId: number): Promise<ReclusterSummary> {
      const summary = await reclusterEvent(repos.persons, eventId, deps.groupThreshold, deps.group ? { group: deps.group } : {});
      deps.regrouped?.(eventId, summary);
      return summary;
    },
    /** New faces of a ready photo join, start or merge persons (the engine calls this as photos land); what each did. */
    assignNewFaces(eventId: number, faceIds: readonly number[]): AssignedFace[] {
      if (!faceIds.length) return [];
      const neighbours = deps.neighboursIn?.(eventId);
      return assignFacesToPersons(repos.persons, eventId, faceIds, deps.clusterThreshold, neighbours ? { neighbours } : {});
    },
    /** Faces saved just before a crash may not have reached clustering. */
    facesWithoutPerson: (eventId: number): number[] => repos.faces.unassignedFaceIds(eventId),
  };
}

export type EventPeople = ReturnType<typeof createEventPeople>;
