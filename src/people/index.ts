// Who is who: faces grouped into persons as photos land, re-grouping, and the organiser's merges,
// splits and names.
export {
  assignFacesToPersons,
  reclusterEvent,
  mergePersons,
  splitPerson,
  PeopleEditError,
  type NeighbourSearch,
  type ReclusterSummary,
  type Grouper,
} from './persons.js';
export { createEventPeople, MAX_PERSON_SAMPLES, type EventPeople, type EventPeopleDeps, type PersonWithSamples } from './event-people.js';
export { regroupDue, QUIET_REGROUP_RULES, type QuietRegroupRules, type EventActivity } from './quiet-regroup.js';
