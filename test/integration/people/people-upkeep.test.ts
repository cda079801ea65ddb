// An event's people grouped again by themselves once the cameras pause: a real database with
// sqlite-vec, the real re-cluster (ONNX Runtime links, the grouping on its worker thread), a clock
// the test moves.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/index.js';
import { startPeopleUpkeep, type PeopleUpkeep } from '../../../src/core/people-upkeep.js';
import { createEventPeople, type QuietRegroupRules } from '../../../src/people/index.js';
import { createGroupingThread } from '../../../src/pipeline/index.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';
import { useTempDatabase } from '../../support/database.js';
import { photoWithFace } from '../../support/faces-in-database.js';

const temp = useTempDatabase();
const grouping = createGroupingThread();
const { clusterThreshold, groupThreshold } = loadMatchThreshold();
const RULES: QuietRegroupRules = { quietMs: 60_000, minGapMs: 600_000, minNewFaces: 4, newFacesShare: 0 };
let upkeep: PeopleUpkeep | undefined;

afterEach(async () => {
  await upkeep?.stop();
  await grouping.close();
});

/** A unit descriptor at cosine distance `d` from axis `centre`, leaning towards axis `lean`. */
function near(centre: number, d: number, lean: number): Float32Array {
  const v = new Float32Array(128);
  v[centre] = 1 - d;
  v[lean] = Math.sqrt(1 - (1 - d) ** 2);
  return v;
}

/** Two guests, four photos each, that the live grouping put into one person. */
function twoGuestsInOnePerson() {
  const eventId = temp.repos.events.ensureEvent('gala', 0).id;
  const her = [0.01, 0.02, 0.03, 0.04].map((d, i) => photoWithFace(temp.repos, eventId, `her-${i}.jpg`, near(0, d, 10 + i)));
  const him = [0.01, 0.02, 0.03, 0.04].map((d, i) => photoWithFace(temp.repos, eventId, `him-${i}.jpg`, near(1, d, 20 + i)));
  const person = temp.repos.persons.createPerson(eventId, 0);
  temp.repos.persons.setFacePerson(
    [...her, ...him].map((f) => f.faceId),
    person,
  );
  temp.repos.persons.refreshPersons([person], 0);
  return { eventId, her, him };
}

function start(clock: { now: number }, waiting = () => 0) {
  const regrouped: number[] = [];
  const people = createEventPeople({
    repos: temp.repos,
    clusterThreshold,
    groupThreshold,
    group: grouping.group,
    regrouped: (eventId) => regrouped.push(eventId),
  });
  upkeep = startPeopleUpkeep({
    recluster: (eventId) => people.recluster(eventId),
    faces: (eventId) => temp.repos.faces.countFaces(eventId),
    waiting: () => waiting(),
    log: createLogger({ logDir: null, terminal: 'none' }),
    now: () => clock.now,
    rules: RULES,
    every: 3_600_000,
  });
  return { people, regrouped };
}

const personOf = (faceId: number) => temp.repos.persons.faceVector(faceId)?.personId;

describe('people grouped again while the cameras pause', () => {
  it('splits two guests that were grouped as one once no photo has landed for a minute, and tells sync', async () => {
    const { eventId, her, him } = twoGuestsInOnePerson();
    const clock = { now: 0 };
    const { regrouped } = start(clock);
    for (let i = 0; i < 8; i++) upkeep!.photoReady(eventId, 1);

    clock.now = 30_000;
    await upkeep!.checkNow();
    expect(new Set([...her, ...him].map((f) => personOf(f.faceId))).size).toBe(1);
    expect(regrouped).toEqual([]);

    clock.now = 61_000;
    await upkeep!.checkNow();
    const hers = new Set(her.map((f) => personOf(f.faceId)));
    const his = new Set(him.map((f) => personOf(f.faceId)));
    expect(hers.size).toBe(1);
    expect(his.size).toBe(1);
    expect([...hers][0]).not.toBe([...his][0]);
    expect(regrouped).toEqual([eventId]);
  });

  it('waits while photos are still queued, and does not group again within ten minutes', async () => {
    const { eventId, her, him } = twoGuestsInOnePerson();
    const clock = { now: 0 };
    let waiting = 2;
    const { regrouped } = start(clock, () => waiting);
    for (let i = 0; i < 8; i++) upkeep!.photoReady(eventId, 1);
    clock.now = 120_000;
    await upkeep!.checkNow();
    expect(regrouped).toEqual([]);
    expect(personOf(her[0]!.faceId)).toBe(personOf(him[0]!.faceId));

    waiting = 0;
    await upkeep!.checkNow();
    expect(regrouped).toEqual([eventId]);

    clock.now = 130_000;
    for (let i = 0; i < 8; i++) upkeep!.photoReady(eventId, 1);
    clock.now = 300_000;
    await upkeep!.checkNow();
    expect(regrouped).toEqual([eventId]);
    clock.now = 120_000 + 600_000;
    await upkeep!.checkNow();
    expect(regrouped).toEqual([eventId, eventId]);
  });
});
